"""Eateries: upserts, the department's and vendors' edits, spatial reads, temporary closures,
and the precomputed open intervals behind `open_now`."""

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Float, Integer, Select, bindparam, delete, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.bbox import BBox
from geo.geojson import point
from geo.sql import distance_m, geography_of, knn_order, point_geometry, within_m
from tourism import hours, locks
from tourism.audit import service as audit
from tourism.database import fetch_rows, flush, upsert_returning_id
from tourism.dishes import service as dishes
from tourism.dishes.models import Dish
from tourism.eateries import opening
from tourism.eateries.card import public_columns, public_fields
from tourism.eateries.models import (
    TEMPORARILY_CLOSED,
    Eatery,
    EateryOpenInterval,
    OpenHoursWindow,
)
from tourism.eateries.schemas import EateryAdminCreate, EateryCreate, PointInVietnam
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
    # Loaded data knows no reopening day (and an active eatery has none).
    values["closed_until"] = None
    eatery_id = await upsert_returning_id(session, Eatery, key=Eatery.slug, values=values)
    await refresh_open_intervals(session, eatery_ids=[eatery_id])
    return eatery_id


# -- the department's and vendors' edits ------------------------------------------------------
# Each one transaction of the caller's, audited in it; a change to an eatery first takes its row
# lock (tourism.locks). Names and status move the search catalogue's version (its triggers).

SLUG_SUFFIX_ROOM = 8  # "-" and a number after a slug made from a name
LIKE_SPECIAL = re.compile(r"[\\%_]")


def check_closure(*, status: str, closed_until: date | None, today: date | None) -> None:
    """`closed_until` only with a temporary closure, and (`today` given) not a day past."""
    if closed_until is None:
        return
    if status != TEMPORARILY_CLOSED:
        raise InvalidInput(
            "closed_until", f"only a {TEMPORARILY_CLOSED} eatery has a day it reopens after"
        )
    if today is not None and closed_until < today:
        raise InvalidInput("closed_until", f"must be today ({today.isoformat()}) or later")


def _audited(value: Any) -> Any:
    """A value as the audit log's JSON keeps it."""
    if isinstance(value, PointInVietnam):
        return point(value.lon, value.lat)
    if isinstance(value, date):
        return value.isoformat()
    return value


async def free_slug(session: AsyncSession, name: str) -> str:
    """A slug made from `name` that no eatery has: "banh-mi-co-ba", else "banh-mi-co-ba-2"..."""
    base = dishes.slugify(name, max_length=dishes.MAX_SLUG - SLUG_SUFFIX_ROOM) or "eatery"
    taken = set(
        await session.scalars(
            select(Eatery.slug).where(or_(Eatery.slug == base, Eatery.slug.like(f"{base}-%")))
        )
    )
    number = 1
    slug = base
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


async def create_eatery(
    session: AsyncSession, *, data: EateryAdminCreate, actor_id: int, today: date
) -> Eatery:
    """Add an eatery; a slug sent that is taken is a Conflict naming `slug`."""
    check_closure(status=data.status, closed_until=data.closed_until, today=today)
    values = data.model_dump(exclude={"location"})
    values["slug"] = data.slug or await free_slug(session, data.name_vi)
    values["location"] = point_geometry(data.location.lon, data.location.lat)
    eatery = Eatery(**values)
    session.add(eatery)
    await flush(session)
    await refresh_open_intervals(session, eatery_ids=[eatery.id])
    after = {k: _audited(v) for k, v in {**values, "location": data.location}.items()}
    await audit.record(
        session,
        actor_id=actor_id,
        action="eatery.create",
        entity="eatery",
        entity_id=eatery.id,
        after=after,
    )
    await session.refresh(eatery)
    return eatery


async def edit_eatery(
    session: AsyncSession,
    *,
    eatery_id: int,
    changes: dict[str, Any],
    actor_id: int | None,
    today: date,
) -> Eatery:
    """Apply `changes` (fields of `Eatery`; `location` a PointInVietnam) under the eatery's row
    lock, audited as `eatery.update` with what each changed field was before.

    Leaving temporarily_closed forgets its `closed_until`; hours set replace an unreadable
    import's; the opening intervals follow hours and status.
    """
    await locks.lock_eatery(session, eatery_id)
    # Re-read under the lock: `before` is what the previous edit left.
    eatery = await session.get(Eatery, eatery_id, populate_existing=True)
    if eatery is None:
        raise NotFound(f"no eatery with id {eatery_id}")
    changes = dict(changes)
    status = changes.get("status", eatery.status)
    if status != TEMPORARILY_CLOSED and eatery.closed_until and "closed_until" not in changes:
        changes["closed_until"] = None
    # A day sent must be ahead; one kept may have passed while other fields change.
    check_closure(
        status=status,
        closed_until=changes.get("closed_until", eatery.closed_until),
        today=today if "closed_until" in changes else None,
    )
    before = {k: _audited(getattr(eatery, k)) for k in changes if k != "location"}
    if "location" in changes:
        lon, lat = (
            await session.execute(
                select(func.ST_X(Eatery.location), func.ST_Y(Eatery.location)).where(
                    Eatery.id == eatery_id
                )
            )
        ).one()
        before["location"] = point(lon, lat)
    for key, value in changes.items():
        if key == "location":
            value = point_geometry(value.lon, value.lat)
        setattr(eatery, key, value)
    if "opening_hours" in changes:
        eatery.opening_hours_unparsed = None  # hours set replace an unreadable import's
    await flush(session)
    if {"opening_hours", "status"} & changes.keys():
        await refresh_open_intervals(session, eatery_ids=[eatery_id])
    await audit.record(
        session,
        actor_id=actor_id,
        action="eatery.update",
        entity="eatery",
        entity_id=eatery_id,
        before=before,
        after={k: _audited(v) for k, v in changes.items()},
    )
    await session.refresh(eatery)
    return eatery


async def admin_list(
    session: AsyncSession, *, q: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Eateries of every status whose name (without diacritics) or slug holds `q`, by name;
    and how many match in all."""
    query = select(Eatery)
    if q:
        pattern = "%" + LIKE_SPECIAL.sub(r"\\\g<0>", q) + "%"
        query = query.where(
            or_(
                Eatery.name_folded.like(func.foodtour_fold(pattern)),
                Eatery.slug.like(func.lower(pattern)),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(Eatery.name_folded, Eatery.id).limit(limit).offset(offset)
    )
    items = [
        {
            "id": e.id,
            "slug": e.slug,
            "name_vi": e.name_vi,
            "name_en": e.name_en,
            "status": e.status,
            "address": e.address,
        }
        for e in rows
    ]
    return items, total or 0


async def reopen_due(session: AsyncSession, *, today: date) -> list[int]:
    """Reopen the temporarily closed eateries whose `closed_until` is past: active again, with
    their opening intervals; audited as `eatery.reopen` by nobody. Returns their ids.

    Run with the opening-hours window's upkeep (ensure_open_window, every few minutes): a
    closure ends within minutes of its last day, with no job of its own.
    """
    due = dict(
        (
            await session.execute(
                select(Eatery.id, Eatery.closed_until)
                .where(Eatery.status == TEMPORARILY_CLOSED, Eatery.closed_until < today)
                .order_by(Eatery.id)
                .with_for_update(key_share=True)
            )
        ).all()
    )
    if not due:  # no write at all: a write would move the eateries' versions for nothing
        return []
    await session.execute(
        update(Eatery).where(Eatery.id.in_(list(due))).values(status="active", closed_until=None)
    )
    await refresh_open_intervals(session, eatery_ids=list(due))
    for eatery_id, closed_until in due.items():
        await audit.record(
            session,
            actor_id=None,
            action="eatery.reopen",
            entity="eatery",
            entity_id=eatery_id,
            before={"status": TEMPORARILY_CLOSED, "closed_until": closed_until.isoformat()},
            after={"status": "active", "closed_until": None},
        )
    return list(due)


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
    """Move the window to [yesterday, today + days] when `now` nears its end; True if moved.

    Also reopens the temporary closures whose last day is past (`reopen_due`).
    """
    # A whole-city rewrite is maintenance work: the per-request statement timeout does not apply.
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await locks.hold(session, locks.Advisory.OPEN_WINDOW_REFRESH)
    # Temporary closures past their last day end here, whether or not the window moves.
    await reopen_due(session, today=now.astimezone(hours.TZ).date())
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
