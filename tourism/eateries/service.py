"""Eateries: upserts, spatial reads, and the precomputed open intervals behind `open_now`."""

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, Integer, Select, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.bbox import BBox
from geo.sql import distance_m, geography_of, knn_order, point_geometry, within_m
from tourism import hours, locks
from tourism.database import fetch_rows, upsert_returning_id
from tourism.dishes import service as dishes
from tourism.dishes.models import Dish
from tourism.eateries import opening
from tourism.eateries.card import public_columns, public_fields
from tourism.eateries.models import Eatery, EateryOpenInterval, OpenHoursWindow
from tourism.eateries.schemas import EateryCreate
from tourism.exceptions import InvalidInput, NotFound
from tourism.menus.models import MenuItem

# A refresh keeps at least this much of the window ahead of now.
WINDOW_MARGIN = timedelta(days=2)
INTERVAL_COLUMNS = ("eatery_id", "opens_at", "closes_at")


async def dish_id_for(session: AsyncSession, slug: str) -> int:
    """The id of the dish a listing filters by; the 404 of `?dish=` naming an unknown one."""
    dish_id = await dishes.dish_id(session, slug)
    if dish_id is None:
        raise NotFound(f"no dish with slug {slug!r}", details=[{"field": "dish"}])
    return dish_id


def _with_filters(query: Select, *, open_now: bool, with_dish: bool) -> Select:
    """Active eateries; open at :now if asked; serving dish :dish_id (with its price) if asked."""
    query = query.where(Eatery.status == "active")
    if open_now:
        query = query.where(opening.open_at())
    if with_dish:
        query = query.join(
            MenuItem,
            (MenuItem.eatery_id == Eatery.id)
            & (MenuItem.dish_id == bindparam("dish_id", type_=Integer))
            & MenuItem.is_available,
        ).join(Dish, Dish.id == MenuItem.dish_id)
        query = query.add_columns(
            Dish.slug.label("dish_slug"),
            Dish.name_vi.label("dish_name_vi"),
            Dish.name_en.label("dish_name_en"),
            MenuItem.price_vnd,
            MenuItem.is_available,
        )
    return query


def _dish_fields(row: Any) -> dict[str, Any] | None:
    if not hasattr(row, "dish_slug"):
        return None
    return {
        "slug": row.dish_slug,
        "name_vi": row.dish_name_vi,
        "name_en": row.dish_name_en,
        "price_vnd": row.price_vnd,
        "is_available": row.is_available,
    }


# Statements are built once per shape and bound per request: building a SQLAlchemy statement
# costs more than running the indexed query it describes.
@lru_cache(maxsize=8)
def _nearby_statement(open_now: bool, with_dish: bool) -> Select:
    here = geography_of(
        point_geometry(bindparam("lon", type_=Float), bindparam("lat", type_=Float))
    )
    where = geography_of(Eatery.location)
    query = (
        select(*public_columns(), distance_m(where, here).label("distance_m"))
        .where(within_m(where, here, bindparam("radius_m", type_=Float)))
        .order_by(knn_order(where, here))
        .limit(bindparam("limit", type_=Integer))
    )
    return _with_filters(query, open_now=open_now, with_dish=with_dish)


async def nearby(
    session: AsyncSession,
    *,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int,
    now: datetime,
    open_now: bool = False,
    dish_slug: str | None = None,
) -> list[dict[str, Any]]:
    """Active eateries within `radius_m`, nearest first (KNN on the geography index)."""
    params = {"lat": lat, "lon": lon, "radius_m": radius_m, "limit": limit, "now": now}
    if dish_slug:
        params["dish_id"] = await dish_id_for(session, dish_slug)
    statement = _nearby_statement(open_now, dish_slug is not None)
    rows = await fetch_rows(session, statement, params)
    return [
        {**public_fields(r), "distance_m": round(r.distance_m, 1), "dish": _dish_fields(r)}
        for r in rows
    ]


@lru_cache(maxsize=8)
def _bbox_statement(open_now: bool, with_dish: bool) -> Select:
    envelope = func.ST_MakeEnvelope(
        *(bindparam(name, type_=Float) for name in ("min_lon", "min_lat", "max_lon", "max_lat")),
        4326,
    )
    query = (
        select(*public_columns())
        .where(Eatery.location.op("&&")(envelope))
        .order_by(Eatery.rating_count.desc(), Eatery.id)
        .limit(bindparam("limit", type_=Integer))
    )
    return _with_filters(query, open_now=open_now, with_dish=with_dish)


async def in_bbox(
    session: AsyncSession,
    *,
    bbox: BBox,
    limit: int,
    now: datetime,
    open_now: bool = False,
    dish_slug: str | None = None,
) -> list[dict[str, Any]]:
    """Active eateries in a bounding box, most reviewed first (`&&` on the GiST index)."""
    params = {**vars(bbox), "limit": limit, "now": now}
    if dish_slug:
        params["dish_id"] = await dish_id_for(session, dish_slug)
    statement = _bbox_statement(open_now, dish_slug is not None)
    rows = await fetch_rows(session, statement, params)
    return [{**public_fields(r), "dish": _dish_fields(r)} for r in rows]


async def upsert_eatery(session: AsyncSession, *, data: EateryCreate) -> int:
    """Insert or update the eatery with this slug; returns its id. Refreshes its intervals."""
    values = data.model_dump(exclude={"lat", "lon"})
    values["location"] = point_geometry(data.lon, data.lat)
    eatery_id = await upsert_returning_id(session, Eatery, key=Eatery.slug, values=values)
    await refresh_open_intervals(session, eatery_ids=[eatery_id])
    return eatery_id


# -- precomputed opening intervals ------------------------------------------------------------


async def _window(session: AsyncSession) -> OpenHoursWindow | None:
    return await session.get(OpenHoursWindow, 1)


async def refresh_open_intervals(
    session: AsyncSession, *, eatery_ids: list[int] | None = None
) -> int:
    """Recompute the intervals of some (or all) eateries over the current window."""
    window = await _window(session)
    if window is None:
        return 0  # nothing to fill yet: ensure_open_window creates the window and fills it
    stale = delete(EateryOpenInterval)
    source = select(Eatery.id, Eatery.opening_hours).where(
        Eatery.status == "active", Eatery.opening_hours.is_not(None)
    )
    if eatery_ids is not None:
        stale = stale.where(EateryOpenInterval.eatery_id.in_(eatery_ids))
        source = source.where(Eatery.id.in_(eatery_ids))
    await session.execute(stale)
    records: list[tuple[int, datetime, datetime]] = []
    for eatery_id, expression in (await session.execute(source)).all():
        try:
            spans = hours.open_intervals(expression, window.starts_at, window.ends_at)
        except InvalidInput:
            continue  # an unparseable string (from an import) is never open
        records.extend((eatery_id, opens, closes) for opens, closes in spans)
    await copy_records(session, EateryOpenInterval.__tablename__, INTERVAL_COLUMNS, records)
    return len(records)


async def copy_records(
    session: AsyncSession, table: str, columns: tuple[str, ...], records: list[tuple]
) -> None:
    """Bulk-insert with COPY inside the session's transaction (a whole city in one go)."""
    if not records:
        return
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(table, records=records, columns=list(columns))


async def ensure_open_window(
    session: AsyncSession, *, now: datetime, days: int, force: bool = False
) -> bool:
    """Move the window to [yesterday, today + days] when `now` nears its end; True if moved."""
    # A whole-city rewrite is maintenance work: the per-request statement timeout does not apply.
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await locks.hold(session, locks.Advisory.OPEN_WINDOW_REFRESH)
    window = await _window(session)
    if not force and window and window.starts_at <= now and now + WINDOW_MARGIN <= window.ends_at:
        return False
    today = now.astimezone(hours.TZ).date()
    starts_at = hours.local_midnight(today - timedelta(days=1))
    ends_at = hours.local_midnight(today + timedelta(days=days))
    statement = insert(OpenHoursWindow).values(
        id=1, starts_at=starts_at, ends_at=ends_at, refreshed_at=func.now()
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[OpenHoursWindow.id],
            set_={"starts_at": starts_at, "ends_at": ends_at, "refreshed_at": func.now()},
        )
    )
    session.expire_all()
    await refresh_open_intervals(session)
    return True
