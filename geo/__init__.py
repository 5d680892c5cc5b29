"""Spatial building blocks: bounding boxes, distances, GeoJSON. No FastAPI, no tourism imports."""
