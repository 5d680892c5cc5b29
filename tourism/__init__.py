"""Hai Phong digital food-tour map: the API service."""
