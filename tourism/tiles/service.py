"""Mapbox Vector Tiles made by PostGIS, cached per layer until their data or the clock moves on.

A tile is two layers, `eateries` and `stations`, rendered and cached separately (an MVT tile is
the concatenation of its layers), so live bike counts changing every minute do not throw away
the eatery layers, which cost the most to make.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from hashlib import blake2b

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism import changes
from tourism.changes import Versioned
from tourism.database import fetch_rows
from tourism.eateries.opening import open_now_sql
from tourism.eateries.service import dish_id_for
from tourism.tiles.cache import Layer, LayerCache

MAX_ZOOM = 22
EXTENT = 4096  # tile coordinates per side, the MVT default
BUFFER = 64  # points this close outside the tile are drawn too, so symbols are not cut at edges
# A layer without clock-dependent attributes is still re-rendered after this long.
LONGEST_VALIDITY = timedelta(days=1)

# What each layer is made from: a cached layer is exact while their versions stand.
EATERY_TABLES = (
    Versioned.DISHES,
    Versioned.EATERIES,
    Versioned.EATERY_OPEN_INTERVALS,
    Versioned.MENU_ITEMS,
)
STATION_TABLES = (Versioned.BIKE_STATION_STATUS, Versioned.BIKE_STATIONS)

# The tile's Web Mercator envelope, and the WGS84 box (tile plus buffer) that the GiST index on
# `eateries.location` / `bike_stations.location` (plain geometry, SRID 4326) answers with `&&`.
BOUNDS = f"""
bounds AS (
    SELECT ST_TileEnvelope(:z, :x, :y) AS tile,
           ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => {BUFFER / EXTENT}), 4326) AS area
)"""


# Per eatery, what the tile shows is read in its own row (the `tile_columns` migration keeps
# them by triggers): the cheapest available price, and `open_changes`, the instants it opens
# and closes over the precomputed window, in order. `passed`, how many of them are at or
# before :now (a binary search), is odd when open; the next change is the one after. Probing
# menu_items and eatery_open_intervals once per feature instead cost 2.5x a bare ST_AsMVT
# server (docs/benchmarks.md, "Cold tiles, round 2").
PASSED = "width_bucket(CAST(:now AS timestamptz), e.open_changes)"
OPEN = f"coalesce(mod({PASSED}, 2) = 1, false)"


@lru_cache(maxsize=8)
def eateries_statement(*, with_dish: bool, open_now: bool) -> TextClause:
    """The `eateries` layer: the best-rated `:limit` active eateries in the tile.

    Returns the layer, the first instant its open-now attributes change, and the versions of the
    tables it was made from, all from one snapshot.
    """
    # Narrow rows to sort: the flag and the next change, not the hours and the instants.
    columns = f"""e.id, e.name_vi, e.kind, e.rating_avg, e.rating_count, e.location,
               {open_now_sql("e.opening_hours", OPEN)} AS open_now,
               {OPEN} AS is_open, e.open_changes[coalesce({PASSED}, 0) + 1] AS next_change,
               e.min_price_vnd"""
    if with_dish:
        # Straight from the GiST index on menu_items (dish_id, location) for that dish.
        candidates = f"""
        SELECT {columns}, m.eatery_score AS score, m.price_vnd
          FROM menu_items AS m JOIN eateries AS e ON e.id = m.eatery_id, bounds
         WHERE m.dish_id = :dish_id AND m.is_available AND m.eatery_active
           AND m.location && bounds.area"""
    else:
        candidates = f"""
        SELECT {columns}, foodtour_rating_score(e.rating_avg, e.rating_count) AS score,
               NULL::integer AS price_vnd
          FROM eateries AS e, bounds
         WHERE e.location && bounds.area AND e.status = 'active'"""
    # With open_now, which eateries are in the tile depends on the clock: every eatery of the
    # area counts for the instant the tile changes, shown or not.
    # One pass over the chosen eateries makes the layer and finds its first change; with
    # open_now the change is over the whole area, so the area is read twice.
    clock = "(SELECT min(next_change) FROM area)" if open_now else "min(t.next_change)"
    where = "WHERE is_open" if open_now else ""
    dish_price = ", t.price_vnd" if with_dish else ""
    return text(f"""
WITH {BOUNDS},
area AS ({candidates})
SELECT ST_AsMVT(f, 'eateries', {EXTENT}, 'geom', 'id') AS data,
       {clock} AS valid_until,
       {changes.version_sql(EATERY_TABLES)} AS version
  FROM (SELECT * FROM area {where} ORDER BY score DESC, id LIMIT :limit) AS t, bounds,
       LATERAL (
           SELECT t.id, t.name_vi AS name, t.kind, t.rating_avg::float8 AS rating,
                  t.rating_count AS votes,
                  t.open_now,
                  t.min_price_vnd{dish_price},
                  ST_AsMVTGeom(ST_Transform(t.location, 3857), bounds.tile, {EXTENT}, {BUFFER},
                               true) AS geom
       ) AS f
""")


STATIONS = text(f"""
WITH {BOUNDS},
features AS (
    SELECT s.id, s.name_vi AS name, st.num_bikes_available AS bikes,
           st.num_docks_available AS docks, st.is_renting AS renting,
           st.is_returning AS returning,
           extract(epoch FROM st.last_reported)::bigint AS last_reported,
           ST_AsMVTGeom(ST_Transform(s.location, 3857), bounds.tile, {EXTENT}, {BUFFER}, true)
               AS geom
      FROM bike_stations AS s
      LEFT JOIN bike_station_status AS st ON st.station_pk = s.id, bounds
     WHERE s.location && bounds.area AND s.is_installed
     ORDER BY s.id
     LIMIT :limit
)
SELECT (SELECT ST_AsMVT(f, 'stations', {EXTENT}, 'geom', 'id') FROM features AS f) AS data,
       NULL::timestamptz AS valid_until,
       {changes.version_sql(STATION_TABLES)} AS version
""")


@dataclass(frozen=True)
class TileRequest:
    z: int
    x: int
    y: int
    dish: str | None = None
    open_now: bool = False


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str


async def _render(
    session: AsyncSession, statement: TextClause, params: dict, now: datetime, *, timed: bool
) -> Layer:
    """Render one layer; a `timed` one is valid until its first open-now change (a day at most)."""
    row = (await fetch_rows(session, statement, params))[0]
    valid_until = row.valid_until
    if timed:
        cap = now + LONGEST_VALIDITY
        valid_until = cap if valid_until is None else min(valid_until, cap)
    return Layer(
        data=bytes(row.data or b""),
        version=tuple(row.version),
        rendered_at=now,
        valid_until=valid_until,
    )


async def tile(
    session: AsyncSession,
    *,
    cache: LayerCache,
    request: TileRequest,
    now: datetime,
    max_features: int,
) -> Tile:
    """The tile's bytes and a strong ETag of its content, from the cache when still exact."""
    # With the cache off (TOURISM_TILE_CACHE_MB=0) there is nothing to check versions against.
    current = await changes.versions(session) if cache.max_bytes else None
    where = {"z": request.z, "x": request.x, "y": request.y, "limit": max_features}

    tile_key = (request.z, request.x, request.y, max_features)
    eateries_key = ("eateries", *tile_key, request.dish, request.open_now)
    eateries = (
        None
        if current is None
        else cache.get(eateries_key, changes.version_of(current, EATERY_TABLES), now)
    )
    if eateries is None:
        params = {**where, "now": now}
        if request.dish:
            params["dish_id"] = await dish_id_for(session, request.dish)
        statement = eateries_statement(with_dish=bool(request.dish), open_now=request.open_now)
        eateries = await _render(session, statement, params, now, timed=True)
        cache.put(eateries_key, eateries)

    stations_key = ("stations", *tile_key)
    stations = (
        None
        if current is None
        else cache.get(stations_key, changes.version_of(current, STATION_TABLES), now)
    )
    if stations is None:
        stations = await _render(session, STATIONS, where, now, timed=False)
        cache.put(stations_key, stations)

    etag = blake2b(eateries.digest + stations.digest, digest_size=16).hexdigest()
    return Tile(data=eateries.data + stations.data, etag=f'"{etag}"')
