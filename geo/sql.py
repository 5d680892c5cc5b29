"""PostGIS expressions shared by the spatial queries."""

from geoalchemy2 import Geography
from sqlalchemy import cast, func


def point_geometry(lon: float, lat: float):
    """A WGS84 point as `geometry(Point, 4326)`."""
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


def geography_of(column):
    """`column::geography`: metre-exact distances; the geography GiST indexes use it."""
    return cast(column, Geography)


def knn_order(column, here):
    """Nearest first, answered by the GiST index (`<->`)."""
    return column.op("<->")(here)


# Distances are on the sphere, like the `<->` KNN order, so "nearest first" and `distance_m`
# always agree (the spheroid differs by under 0.5 %, enough to swap near ties).
def distance_m(a, b):
    return func.ST_Distance(a, b, False)


def within_m(a, b, metres: float):
    return func.ST_DWithin(a, b, metres, False)
