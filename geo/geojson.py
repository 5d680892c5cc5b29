"""GeoJSON (RFC 7946) pieces: lon/lat order, WGS84."""

from typing import Any

MEDIA_TYPE = "application/geo+json"


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


def feature(feature_id: int | str, geometry: dict[str, Any], properties: dict[str, Any]) -> dict:
    return {"type": "Feature", "id": feature_id, "geometry": geometry, "properties": properties}


def feature_collection(features: list[dict[str, Any]], **members: Any) -> dict[str, Any]:
    """A FeatureCollection; `members` become RFC 7946 foreign members (e.g. numberReturned)."""
    return {"type": "FeatureCollection", "features": features, **members}
