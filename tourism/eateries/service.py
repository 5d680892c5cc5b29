"""Eateries: upserts, the department's and vendors' edits, spatial reads, temporary closures,
and the precomputed open intervals behind `open_now`."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import asyncpg
import orjson
from sqlalchemy import (
    Float,
    Integer,
    Select,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.bbox import BBox
from geo.geojson import point
from geo.sql import point_geometry
from tourism import hours, locks
from tourism.audit import service as audit
from tourism.database import Positional, fetch_rows, flush, upsert_returning_id
from tourism.dishes import service as dishes
from tourism.dishes.models import Dish
from tourism.eateries import opening
from tourism.eateries.card import FIELDS as CARD_FIELDS
from tourism.eateries.card import public_columns, public_fields
from tourism.eateries.models import (
    TEMPORARILY_CLOSED,
    Eatery,
    EateryOpenInterval,
    OpenHoursWindow,
)
from tourism.eateries.schemas import EateryAdminCreate, EateryCreate, PointInVietnam
from tourism.exceptions import InvalidInput, NotFound
from tourism.languages import Message, current_language, say
from tourism.menus.models import MenuItem
from tourism.paging import after as keyset_after

# A refresh keeps at least this much of the window ahead of now.
WINDOW_MARGIN = timedelta(days=2)
INTERVAL_COLUMNS = ("eatery_id", "opens_at", "closes_at")


def unknown_dish(slug: str) -> NotFound:
    """The 404 of `?dish=` naming an unknown one."""
    message = say(f"no dish with slug {slug!r}", f"không tìm thấy món ăn có mã {slug!r}")
    return NotFound(message, details=[{"field": "dish", "message": message}])


async def dish_id_for(session: AsyncSession, slug: str) -> int:
    """The id of the dish a listing filters by; the 404 of `?dish=` naming an unknown one."""
    dish_id = await dishes.dish_id(session, slug)
    if dish_id is None:
        raise unknown_dish(slug)
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
        "name": row.dish_name_vi if current_language() == "vi" else row.dish_name_en,
        "price_vnd": row.price_vnd,
        "is_available": row.is_available,
    }


def eatery_not_found(eatery_id: int) -> Message:
    return say(f"no eatery with id {eatery_id}", f"không tìm thấy quán ăn có mã {eatery_id}")


# A box is counted up to this many eateries: past it `total` is a lower bound (a box of the
# centre holds tens of thousands on the benchmark's city, and counting them all cost more than
# the page).
BBOX_COUNTED = 1000


@lru_cache(maxsize=16)
def _counted(query: Select, cap: int) -> Select:
    """How many rows `query` (without its order, limit and offset) gives, up to `cap`: only
    the ids are read, not the card's columns."""
    ids = query.with_only_columns(Eatery.id).order_by(None).offset(None).limit(cap)
    return select(func.count()).select_from(ids.subquery())


async def _total(
    session: AsyncSession,
    statement: Select,
    params: dict[str, Any],
    *,
    returned: int,
    whole: bool,
) -> tuple[int, bool]:
    """The list's size with the page's filters and whether it is exact: the page's own
    length when it is the whole list (a first page with no next), else a count up to
    BBOX_COUNTED (then a lower bound)."""
    if whole:
        return returned, True
    counted = (await fetch_rows(session, _counted(statement, BBOX_COUNTED), params))[0][0]
    return counted, counted < BBOX_COUNTED


@dataclass(frozen=True)
class EateriesPage:
    """A page of a listing: its items, the sort key of the last one when there are more, and
    how many the whole list holds."""

    items: list[Any]
    last_key: tuple[Any, ...] | None
    total: int
    total_exact: bool = True


# -- nearby, on the lean path -------------------------------------------------------------------
# Nearby is a hot path (rule 1 of tourism.database, measured in docs/benchmarks.md: "Nearby on
# the lean path, and the tail"): one statement on the bare read pool, prepared once per
# connection; PostgreSQL builds each item (the card, distance_m, dish) as JSON text that the
# answer carries without decoding it. The page, the count and the dish's 404 come from it.

# Nearby counts at most this many eateries: a city centre holds 40,000 within 1,500 m, and
# counting them costs a hundred times the page. Past it `total` is a lower bound
# (`total_exact` false), as the tourist's page says ("at least 100").
NEARBY_COUNTED = 100
_HERE = (
    "CAST(ST_SetSRID(ST_MakePoint(CAST(:lon AS float8), CAST(:lat AS float8)), 4326) AS geography)"
)
_DISTANCE = f"ST_Distance(CAST(e.location AS geography), {_HERE}, false)"
_KNN = f"CAST(e.location AS geography) <-> {_HERE}"  # geo.sql.knn_order: the only sort key
_DISH_ID = "(SELECT d.id FROM dishes AS d WHERE d.slug = :dish)"


def _nearby_from(open_now: bool, with_dish: bool) -> str:
    """FROM and WHERE of every nearby walk: active, within :radius_m (geo.sql.within_m's
    spelling), open at :now and serving :dish if asked."""
    sql = "FROM eateries AS e"
    if with_dish:
        sql += (
            "\n    JOIN menu_items AS m ON m.eatery_id = e.id AND m.is_available"
            f" AND m.dish_id = {_DISH_ID}"
        )
    sql += (
        f"\n    WHERE CAST(e.location AS geography) && _ST_Expand({_HERE}, CAST(:radius_m AS "
        f"float8)) AND {_DISTANCE} <= :radius_m AND e.status = 'active'"
    )
    if open_now:
        sql += f"\n      AND {opening.open_at_sql('e.id')}"
    return sql


def _nearby_item() -> str:
    """An item of the answer as JSON text: the card (tourism.eateries.card's fields, in order),
    `distance_m` to 0.1 m and `dish`, for the eatery `e` of the row `page`."""
    card = ", ".join(f"{f.sql.format(e='e')} AS {f.name}" for f in CARD_FIELDS)
    dish = (
        "CASE WHEN page.dish_id IS NULL THEN NULL ELSE json_build_object("
        "'slug', d.slug, 'name_vi', d.name_vi, 'name_en', d.name_en, "
        "'name', CASE WHEN CAST(:lang AS text) = 'vi' THEN d.name_vi ELSE d.name_en END, "
        "'price_vnd', page.price_vnd, 'is_available', page.is_available) END"
    )
    return f"""(SELECT row_to_json(item)::text FROM (
        SELECT {card}, round(CAST(page.distance_m AS numeric), 1) AS distance_m,
               {dish} AS dish) AS item)"""


@lru_cache(maxsize=32)
def _nearby_sql(open_now: bool, with_dish: bool, walk: str, after: bool) -> Positional:
    """The page of nearby eateries, ordered by (distance_m, id), with `total` and `dish_id`
    (null: no dish :dish) on every row, and one row of nulls for an empty page.

    `walk`: "first" (the first page: the first :limit of the :counted nearest, which the count
    walked anyway), "walk" (a page past :offset, deprecated, or past the keyset) or "tie" (the
    rows at exactly :tie metres, by id, for a tie that crosses a page's end). `after`: past the
    last page's keyset (:after_distance, :after_id). The KNN walk's order is the index's alone
    (a second key would sort the whole circle); ties are put in id order after it.
    """
    where = _nearby_from(open_now, with_dish)
    dish_columns = (
        "m.dish_id, m.price_vnd, m.is_available"
        if with_dish
        else "NULL::int AS dish_id, NULL::int AS price_vnd, NULL::bool AS is_available"
    )
    columns = f"e.id, {_DISTANCE} AS distance_m, {dish_columns}"
    counted = f"SELECT {columns} {where} ORDER BY {_KNN} LIMIT :counted"
    keyset = ""
    if after:
        keyset = (
            f" AND ({_DISTANCE} > :after_distance OR ({_DISTANCE} = :after_distance"
            " AND e.id > :after_id))"
        )
    if walk == "first":
        page = "SELECT * FROM counted ORDER BY distance_m, id LIMIT :limit"
    elif walk == "tie":
        page = f"SELECT {columns} {where}{keyset} AND {_DISTANCE} = :tie ORDER BY e.id LIMIT :limit"
    else:
        page = f"SELECT {columns} {where}{keyset} ORDER BY {_KNN} LIMIT :limit OFFSET :offset"
    return Positional.of(f"""
WITH counted AS MATERIALIZED ({counted}),
page AS MATERIALIZED ({page})
SELECT v.total, v.dish_id AS known_dish, r.* FROM (
    SELECT (SELECT count(*) FROM counted) AS total, {_DISH_ID if with_dish else "NULL"} AS dish_id
) AS v
LEFT JOIN LATERAL (
    SELECT e.id, page.distance_m, {_nearby_item()} AS item
    FROM page JOIN eateries AS e ON e.id = page.id
    LEFT JOIN dishes AS d ON d.id = page.dish_id
) AS r ON true
ORDER BY r.distance_m, r.id""")


async def nearby(
    pool: asyncpg.Pool,
    *,
    lat: float,
    lon: float,
    radius_m: float,
    limit: int,
    now: datetime,
    open_now: bool = False,
    dish_slug: str | None = None,
    after: tuple[float, int] | None = None,
    offset: int = 0,
) -> EateriesPage:
    """Active eateries within `radius_m`, nearest first (KNN on the geography index), by
    (distance, id): `limit` of them after the key `after` (a previous page's last), or after
    `offset` (deprecated). Items are JSON fragments (orjson.Fragment), sent on as they are."""
    params: dict[str, Any] = {
        "lat": lat,
        "lon": lon,
        "radius_m": radius_m,
        "limit": limit + 1,
        "offset": 0 if after else offset,
        "counted": max(NEARBY_COUNTED, limit + 1),
        "now": now,
        "lang": current_language(),
        "dish": dish_slug,
    }
    if after:
        params["after_distance"], params["after_id"] = after
    shape = (open_now, dish_slug is not None)
    walk = "walk" if after or offset else "first"
    rows = await _nearby_sql(*shape, walk, after is not None).fetch(pool, params)
    summary = rows[0]
    if dish_slug is not None and summary["known_dish"] is None:
        raise unknown_dish(dish_slug)
    rows = [r for r in rows if r["id"] is not None]
    if len(rows) > limit and rows[limit - 1]["distance_m"] == rows[limit]["distance_m"]:
        # Eateries at one point (a market's stalls) cross the page's end: KNN gave some of them
        # in no particular order, the keyset wants them by id. Take them all, by id.
        tie = rows[limit]["distance_m"]
        tied = await _nearby_sql(*shape, "tie", after is not None).fetch(
            pool, {**params, "tie": tie, "offset": 0}
        )
        rows = [r for r in rows if r["distance_m"] < tie] + [r for r in tied if r["id"]]
    more = len(rows) > limit
    rows = rows[:limit]
    total, exact = summary["total"], summary["total"] < params["counted"]
    if not exact:  # a lower bound: at least what was counted, and what was paged through
        total = max(total, params["offset"] + len(rows) + more)
    return EateriesPage(
        [orjson.Fragment(r["item"]) for r in rows],
        (rows[-1]["distance_m"], rows[-1]["id"]) if more else None,
        total,
        exact,
    )


@lru_cache(maxsize=16)
def _bbox_statement(open_now: bool, with_dish: bool, after: bool) -> Select:
    """In the box (:min_lon, :min_lat, :max_lon, :max_lat), most reviewed first, by the keyset
    (rating_count desc, id); `after`: past the last page's (:after_count, :after_id)."""
    envelope = func.ST_MakeEnvelope(
        *(bindparam(name, type_=Float) for name in ("min_lon", "min_lat", "max_lon", "max_lat")),
        4326,
    )
    query = select(*public_columns()).where(Eatery.location.op("&&")(envelope))
    if after:
        query = query.where(
            keyset_after(
                [(Eatery.rating_count, True), (Eatery.id, False)],
                [bindparam("after_count", type_=Integer), bindparam("after_id", type_=Integer)],
            )
        )
    query = (
        query.order_by(Eatery.rating_count.desc(), Eatery.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
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
    after: tuple[int, int] | None = None,
    offset: int = 0,
) -> EateriesPage:
    """Active eateries in a bounding box, most reviewed first (`&&` on the GiST index), by
    (rating_count desc, id): `limit` of them after the key `after`, or after `offset`."""
    params: dict[str, Any] = {
        **vars(bbox),
        "limit": limit + 1,
        "offset": 0 if after else offset,
        "now": now,
    }
    if dish_slug:
        params["dish_id"] = await dish_id_for(session, dish_slug)
    if after:
        params["after_count"], params["after_id"] = after
    rows = await fetch_rows(
        session, _bbox_statement(open_now, dish_slug is not None, after is not None), params
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [{**public_fields(r), "dish": _dish_fields(r)} for r in rows]
    total, exact = await _total(
        session,
        _bbox_statement(open_now, dish_slug is not None, False),
        params,
        returned=len(items),
        whole=after is None and not offset and not more,
    )
    last = (rows[-1].rating_count, rows[-1].id) if more else None
    return EateriesPage(items, last, total, exact)


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
            "closed_until",
            say(
                f"only a {TEMPORARILY_CLOSED} eatery has a day it reopens after",
                "chỉ quán tạm đóng cửa (temporarily_closed) mới có ngày mở cửa lại",
            ),
        )
    if today is not None and closed_until < today:
        raise InvalidInput(
            "closed_until",
            say(
                f"must be today ({today.isoformat()}) or later",
                f"phải là hôm nay ({today.isoformat()}) hoặc muộn hơn",
            ),
        )


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
        raise NotFound(eatery_not_found(eatery_id))
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
    session: AsyncSession,
    *,
    q: str | None,
    limit: int,
    offset: int = 0,
    after: tuple[str, int] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Eateries of every status whose name (without diacritics) or slug holds `q`, by name
    ((name_folded, id)): `limit` of them, after the keyset `after` (tourism.paging) or the old
    `offset`; and how many match in all."""
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
    if after is not None:
        query = query.where(keyset_after([(Eatery.name_folded, False), (Eatery.id, False)], after))
    elif offset:
        query = query.offset(offset)
    rows = await session.scalars(query.order_by(Eatery.name_folded, Eatery.id).limit(limit))
    items = [
        {
            "id": e.id,
            "name_folded": e.name_folded,  # the sort key, for a cursor
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
