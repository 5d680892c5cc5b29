"""PostGIS expressions shared by the spatial queries."""

from geoalchemy2 import Geography
from sqlalchemy import and_, cast, func
from sqlalchemy.sql.functions import Function


def point_geometry(lon: float, lat: float):
    """A WGS84 point as `geometry(Point, 4326)`."""
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)


# Plain `geography`, no type modifier: the GiST indexes are on `(location::geography)`, and
# any other spelling of the cast (`geography(GEOMETRY,-1)`) would not match them.
GEOGRAPHY = Geography(geometry_type=None)


def geography_of(column):
    """`column::geography`: metre-exact distances on the geography GiST index."""
    return cast(column, GEOGRAPHY)


def knn_order(column, here):
    """Nearest first, answered by the GiST index (`<->`).

    Use it as the only ORDER BY key: a tie-breaker after it makes PostgreSQL sort every row in
    the radius instead of walking the index (16 ms against 1.5 ms in the city centre).
    """
    return column.op("<->")(here)


# Distances are on the sphere, like the `<->` KNN order, so "nearest first" and `distance_m`
# always agree (the spheroid differs by under 0.5 %, enough to swap near ties).
def distance_m(a, b):
    return func.ST_Distance(a, b, False)


def within_m(a, b, metres: float):
    """`a` within `metres` of `b`: an index box (`&&`) plus the exact distance test.

    Same result as ST_DWithin, spelled so the planner estimates it well: with ST_DWithin it
    believes almost nothing matches and sorts a bitmap scan of the whole circle instead of
    walking the KNN index for the first few (50 ms against 0.5 ms in the city centre).
    """
    return and_(a.op("&&")(Function("_ST_Expand", b, metres)), distance_m(a, b) <= metres)
