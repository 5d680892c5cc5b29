"""Bike-share stations and their live availability."""

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.geojson import point
from geo.sql import distance_m, geography_of, knn_order, point_geometry, within_m
from tourism import locks
from tourism.audit.service import record
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.bikeshare.operator_feeds import FeedError, Skipped, Snapshot, parse_status_entries
from tourism.bikeshare.schemas import (
    STATION_STATES,
    StationCreate,
    StationSort,
    StationStatusIn,
    StationStatusUpdate,
    no_station,
)
from tourism.database import upsert_returning_id
from tourism.exceptions import Conflict, NotFound
from tourism.languages import current_language, say
from tourism.paging import after as keyset_after

# GBFS: status older than this is stale.
STALE_AFTER = timedelta(minutes=5)
# Rows per INSERT: asyncpg takes at most 32 767 parameters a statement.
CHUNK = 1000


async def upsert_station(session: AsyncSession, *, data: StationCreate, now: datetime) -> int:
    values = data.model_dump(exclude={"lat", "lon", "status"})
    values["location"] = point_geometry(data.lon, data.lat)
    station_pk = await upsert_returning_id(
        session, BikeStation, key=BikeStation.station_id, values=values
    )
    if data.status is not None:
        await set_status(session, station_pk=station_pk, status=data.status, now=now)
    return station_pk


async def set_status(
    session: AsyncSession, *, station_pk: int, status: StationStatusIn, now: datetime
) -> None:
    values = status.model_dump()
    values["last_reported"] = values["last_reported"] or now
    statement = insert(BikeStationStatus).values(station_pk=station_pk, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[BikeStationStatus.station_pk],
            set_={k: statement.excluded[k] for k in values},
        )
    )


def _installed_with_status(distance: Any) -> Select:
    """Installed stations, their coordinates, `distance` (metres or NULL) and latest status."""
    return (
        select(
            BikeStation,
            func.ST_X(BikeStation.location).label("lon"),
            func.ST_Y(BikeStation.location).label("lat"),
            distance.label("distance_m"),
            BikeStationStatus,
        )
        .outerjoin(BikeStationStatus, BikeStationStatus.station_pk == BikeStation.id)
        .where(BikeStation.is_installed)
    )


@dataclass
class StationsPage:
    """`items` (one more than asked when there are more), each one's keyset (distance, id)."""

    items: list[dict[str, Any]]
    keys: list[tuple[float, int]]
    total: int


async def nearby(
    session: AsyncSession, *, lat: float, lon: float, now: datetime, limit: int
) -> list[dict[str, Any]]:
    """The `limit` installed stations nearest to a point, with their latest status (the KNN
    walk of the geography index: the few beside an eatery)."""
    here = geography_of(point_geometry(lon, lat))
    where = geography_of(BikeStation.location)
    query = (
        _installed_with_status(distance_m(where, here))
        .order_by(knn_order(where, here))
        .limit(limit)
    )
    return [_public(r, now) for r in (await session.execute(query)).all()]


async def nearby_page(
    session: AsyncSession,
    *,
    lat: float,
    lon: float,
    now: datetime,
    limit: int,
    radius_m: float | None = None,
    after: tuple[float, int] | None = None,
    offset: int = 0,
) -> StationsPage:
    """Installed stations nearest first, with their latest status, by the keyset (exact
    distance, id): `limit` of them after `after` (a previous page's last), or after `offset`
    (deprecated); and how many are in the radius.

    Ordered by (distance, id) in full rather than by the KNN walk alone (geo.sql.knn_order):
    a city has a few hundred stations, so the sort is small, and ties (two stations at one
    point) must come in id order for a keyset. The radius keeps the index in play."""
    here = geography_of(point_geometry(lon, lat))
    where = geography_of(BikeStation.location)
    distance = distance_m(where, here)
    query = _installed_with_status(distance).order_by(distance, BikeStation.id).limit(limit)
    counted = select(func.count()).select_from(BikeStation).where(BikeStation.is_installed)
    if radius_m is not None:
        query = query.where(within_m(where, here, radius_m))
        counted = counted.where(within_m(where, here, radius_m))
    if after is not None:
        query = query.where(
            or_(distance > after[0], and_(distance == after[0], BikeStation.id > after[1]))
        )
    elif offset:
        query = query.offset(offset)
    rows = (await session.execute(query)).all()
    return StationsPage(
        items=[_public(r, now) for r in rows],
        keys=[(r.distance_m, r.BikeStation.id) for r in rows],
        total=await session.scalar(counted) or 0,
    )


async def station(session: AsyncSession, *, station_id: str, now: datetime) -> dict[str, Any]:
    """One installed station by its operator's id, with its latest status."""
    query = _installed_with_status(literal(None)).where(BikeStation.station_id == station_id)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise NotFound(no_station(station_id))
    return _public(row, now)


def station_name(name_vi: str, name_en: str | None) -> str:
    """The name in the request's language: English when there is one, else Vietnamese."""
    return name_vi if current_language() == "vi" else name_en or name_vi


def _public(row: Any, now: datetime) -> dict[str, Any]:
    station: BikeStation = row.BikeStation
    status: BikeStationStatus | None = row.BikeStationStatus
    return {
        "station_id": station.station_id,
        "name": station_name(station.name_vi, station.name_en),
        "name_vi": station.name_vi,
        "name_en": station.name_en,
        "address": station.address,
        "location": point(row.lon, row.lat),
        "capacity": station.capacity,
        "is_installed": station.is_installed,
        "num_bikes_available": status.num_bikes_available if status else None,
        "num_docks_available": status.num_docks_available if status else None,
        "is_renting": bool(status and status.is_renting),
        "is_returning": bool(status and status.is_returning),
        "last_reported": status.last_reported if status else None,
        "is_stale": status is None or now - status.last_reported > STALE_AFTER,
        "distance_m": None if row.distance_m is None else round(row.distance_m, 1),
    }


# -- the operator's view: every station's health ------------------------------------------------

_NOW = bindparam("now", type_=DateTime(timezone=True))
_STATE = case(
    (BikeStationStatus.station_pk.is_(None), "never_reported"),
    # the same rule as a station's public `is_stale`
    (BikeStationStatus.last_reported < _NOW - STALE_AFTER, "stale"),
    (BikeStationStatus.num_bikes_available == 0, "empty"),
    (BikeStationStatus.num_docks_available == 0, "full"),
    else_="ok",
)
# A station without a report sorts first: below any count, before any instant.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)
# Each sort's keyset, ascending, ending in the unique station_id; no column may be NULL.
_ORDER = {
    "name": (BikeStation.name_vi,),
    # the fewest bikes, free docks, the oldest report first: what needs a van; no report, first
    "bikes": (func.coalesce(BikeStationStatus.num_bikes_available, -1),),
    "docks": (func.coalesce(BikeStationStatus.num_docks_available, -1),),
    "last_reported": (func.coalesce(BikeStationStatus.last_reported, _NEVER),),
    "state": (
        case({state: rank for rank, state in enumerate(STATION_STATES)}, value=_STATE),
        BikeStation.name_vi,
    ),
}
# The Python types of each sort's keyset (tourism.paging.paged).
HEALTH_KEYS: dict[str, tuple[type, ...]] = {
    "name": (str, str),
    "bikes": (int, str),
    "docks": (int, str),
    "last_reported": (datetime, str),
    "state": (int, str, str),
}


async def station_health(
    session: AsyncSession,
    *,
    now: datetime,
    sort: StationSort,
    limit: int | None = None,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
) -> dict[str, Any]:
    """Every station, installed or not, with its last report and its state at `now`: ok, stale
    (no report for STALE_AFTER), never_reported, empty (no bike) or full (no free dock); and
    how many are in each state. `limit` of them after the keyset `after` (`keys` holds each
    item's), or after `offset` (deprecated)."""
    order = (*_ORDER[sort], BikeStation.station_id)
    query = (
        select(
            BikeStation.station_id,
            BikeStation.name_vi,
            BikeStation.name_en,
            BikeStation.capacity,
            BikeStation.is_installed,
            BikeStationStatus.num_bikes_available,
            BikeStationStatus.num_docks_available,
            func.coalesce(BikeStationStatus.is_renting, False).label("is_renting"),
            func.coalesce(BikeStationStatus.is_returning, False).label("is_returning"),
            BikeStationStatus.last_reported,
            _STATE.label("state"),
            *(column.label(f"_key{i}") for i, column in enumerate(order)),
        )
        .outerjoin(BikeStationStatus, BikeStationStatus.station_pk == BikeStation.id)
        .order_by(*order)
        .limit(limit)
    )
    if after is not None:
        query = query.where(keyset_after([(column, False) for column in order], after))
    elif offset:
        query = query.offset(offset)
    rows = (await session.execute(query, {"now": now})).mappings().all()
    keys = [tuple(row[f"_key{i}"] for i in range(len(order))) for row in rows]
    items = [
        {k: v for k, v in row.items() if not k.startswith("_key")}
        | {"name": station_name(row["name_vi"], row["name_en"])}
        for row in rows
    ]
    each = (
        select(_STATE.label("state"))
        .select_from(BikeStation)
        .outerjoin(BikeStationStatus, BikeStationStatus.station_pk == BikeStation.id)
        .subquery()
    )
    states = await session.execute(
        select(each.c.state, func.count()).group_by(each.c.state), {"now": now}
    )
    counts = dict.fromkeys(STATION_STATES, 0) | dict(states.all())
    return {"items": items, "keys": keys, "counts": counts, "now": now}


# -- updates from the operator: feed imports and pushed statuses -------------------------------


@dataclass
class StatusResult:
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class ImportReport:
    version: str
    stations: int = 0  # valid stations in the feed
    stations_changed: int = 0  # of which new or different
    uninstalled: int = 0  # installed stations the feed no longer lists
    statuses_updated: int = 0
    statuses_unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"GBFS {self.version}: {self.stations} stations ({self.stations_changed} new or "
            f"changed), {self.uninstalled} no longer installed, {self.statuses_updated} statuses "
            f"updated, {self.statuses_unchanged} unchanged, {len(self.skipped)} entries skipped"
        )


def _chunks(rows: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _lock_stations(session: AsyncSession) -> None:
    """Serialise refreshes and pushes: both rewrite many station rows."""
    await locks.hold(session, locks.Advisory.STATION_REFRESH)  # one refresh at a time


class ShrinkRefused(Conflict):
    """An import or push would take more of the installed stations off the map than allowed."""

    code = "shrink_refused"

    def __init__(self, *, what: str, uninstalled: int, installed: int, max_shrink: float) -> None:
        super().__init__(
            say(
                f"{what} would mark {uninstalled} of the {installed} installed stations as not "
                f"installed, more than the {max_shrink:.0%} allowed (TOURISM_GBFS_MAX_SHRINK)",
                f"thao tác này sẽ đánh dấu {uninstalled} trong {installed} trạm đang lắp đặt là "
                f"không lắp đặt, vượt mức {max_shrink:.0%} cho phép (TOURISM_GBFS_MAX_SHRINK)",
            ),
            details={"installed": installed, "uninstalled": uninstalled, "max_shrink": max_shrink},
        )
        self.uninstalled, self.installed = uninstalled, installed


@asynccontextmanager
async def _shrink_guard(
    session: AsyncSession, *, what: str, max_shrink: float | None
) -> AsyncIterator[None]:
    """Run the block in a savepoint; undo it and raise ShrinkRefused if it marked more than
    `max_shrink` of the stations installed before it as not installed (None: no limit).

    Counted after the writes, not predicted: the feed's list and its statuses both decide.
    The caller holds the station lock, so nobody else changes the stations in between.
    """
    if max_shrink is None:
        yield
        return
    before = list(await session.scalars(select(BikeStation.id).where(BikeStation.is_installed)))
    async with session.begin_nested():
        yield
        if before:
            ids = bindparam("before", before, type_=ARRAY(BigInteger))
            uninstalled = await session.scalar(
                select(func.count())
                .select_from(BikeStation)
                .where(BikeStation.id == any_(ids), BikeStation.is_installed.is_(False))
            )
            if uninstalled > max_shrink * len(before):
                raise ShrinkRefused(
                    what=what,
                    uninstalled=uninstalled,
                    installed=len(before),
                    max_shrink=max_shrink,
                )


async def apply_snapshot(
    session: AsyncSession, *, snapshot: Snapshot, max_shrink: float | None = None
) -> ImportReport:
    """Apply one refresh of an operator's feed in the caller's transaction.

    Valid stations are upserted by their station_id, installed stations the feed no longer lists
    are marked not installed, and newer statuses replace older ones. Raises FeedError, before
    writing anything, for a feed that lists no station while some are installed (an operator's
    outage must not empty the map), and ShrinkRefused, having changed nothing, for one that
    would mark more than `max_shrink` of the installed stations as not installed.
    """
    await _lock_stations(session)
    report = ImportReport(version=snapshot.version, skipped=list(snapshot.skipped))
    if not snapshot.listed:
        installed = await session.scalar(
            select(func.count()).select_from(BikeStation).where(BikeStation.is_installed)
        )
        if installed:
            raise FeedError(
                f"station_information lists no station: refusing to mark all {installed} "
                "installed stations as not installed"
            )
    async with _shrink_guard(session, what="the feed", max_shrink=max_shrink):
        installed_by_status = {s.station_id: s.is_installed for _, s in snapshot.statuses}
        stations = sorted(snapshot.stations, key=lambda s: s.station_id)  # one lock order
        for chunk in _chunks(stations):
            report.stations_changed += await _upsert_stations(session, chunk, installed_by_status)
        report.stations = len(stations)
        gone = await session.execute(
            update(BikeStation)
            .where(BikeStation.is_installed, BikeStation.station_id.not_in(snapshot.listed))
            .values(is_installed=False, updated_at=func.now())
            .returning(BikeStation.id)
        )
        report.uninstalled = len(gone.all())
        result = await apply_statuses(session, entries=snapshot.statuses, locked=True)
        report.statuses_updated, report.statuses_unchanged = result.updated, result.unchanged
        report.skipped += result.skipped
    return report


async def _upsert_stations(
    session: AsyncSession, stations: Sequence[StationCreate], installed: dict[str, bool]
) -> int:
    """Insert or update these stations; only rows that differ are touched. Returns how many."""
    rows = [
        {
            **s.model_dump(exclude={"lat", "lon", "status", "is_installed"}),
            "location": point_geometry(s.lon, s.lat),
            "is_installed": installed.get(s.station_id, True),
        }
        for s in stations
    ]
    statement = insert(BikeStation).values(rows)
    table = BikeStation.__table__.c
    new = {c: statement.excluded[c] for c in rows[0] if c != "station_id"}
    # A feed without an English name (GBFS 2.3 has one language) keeps the one we have.
    new["name_en"] = func.coalesce(statement.excluded.name_en, table.name_en)
    changed = statement.on_conflict_do_update(
        index_elements=[BikeStation.station_id],
        set_={**new, "updated_at": func.now()},
        where=or_(*(table[c].is_distinct_from(value) for c, value in new.items())),
    ).returning(BikeStation.id)
    return len((await session.execute(changed)).all())


async def apply_statuses(
    session: AsyncSession,
    *,
    entries: Sequence[tuple[int, StationStatusUpdate]],
    file: str = "station_status",
    locked: bool = False,
) -> StatusResult:
    """Store statuses newer than those stored, in the caller's transaction.

    `entries` are (position, status) as the operator sent them. A status for an unknown
    station, or with more bikes and docks than the station's capacity, is skipped; one no newer
    than the stored status is left alone (reports can arrive out of order). A station's
    `is_installed` follows its newest status.
    """
    if not locked:
        await _lock_stations(session)
    result = StatusResult()
    ids = [status.station_id for _, status in entries]
    known = {
        row.station_id: row
        for row in await session.execute(
            select(BikeStation.id, BikeStation.station_id, BikeStation.capacity).where(
                BikeStation.station_id.in_(ids)
            )
        )
    }
    rows = []
    for index, status in sorted(entries, key=lambda e: e[1].station_id):
        station = known.get(status.station_id)
        if station is None:
            reason = "unknown station_id (not in station_information)"
        elif (
            station.capacity is not None
            and status.num_bikes_available + status.num_docks_available > station.capacity
        ):
            reason = f"more bikes and free docks than the station's capacity ({station.capacity})"
        else:
            rows.append({"station_pk": station.id, **status.model_dump(exclude={"station_id"})})
            continue
        result.skipped.append(Skipped(file, index, status.station_id, reason))
    result.skipped.sort(key=lambda s: s.index)
    for chunk in _chunks(rows):
        await _store_statuses(session, chunk, result)
    return result


async def _store_statuses(
    session: AsyncSession, rows: Sequence[dict], result: StatusResult
) -> None:
    status_columns = [c for c in rows[0] if c not in ("station_pk", "is_installed")]
    statement = insert(BikeStationStatus).values(
        [{c: row[c] for c in ("station_pk", *status_columns)} for row in rows]
    )
    newer = statement.on_conflict_do_update(
        index_elements=[BikeStationStatus.station_pk],
        set_={c: statement.excluded[c] for c in status_columns},
        where=BikeStationStatus.last_reported < statement.excluded.last_reported,
    ).returning(BikeStationStatus.station_pk)
    stored = set((await session.execute(newer)).scalars())
    result.updated += len(stored)
    result.unchanged += len(rows) - len(stored)
    for flag in (True, False):
        pks = [
            r["station_pk"] for r in rows if r["station_pk"] in stored and r["is_installed"] is flag
        ]
        if pks:
            await session.execute(
                update(BikeStation)
                .where(BikeStation.id.in_(pks), BikeStation.is_installed.is_not(flag))
                .values(is_installed=flag, updated_at=func.now())
            )


async def push_statuses(
    session: AsyncSession,
    *,
    items: list[Any],
    now: datetime,
    actor_id: int,
    max_shrink: float | None = None,
) -> dict[str, Any]:
    """An operator's batch of GBFS v3.0 status entries, checked one by one, stored together.

    Raises ShrinkRefused, having changed nothing, for a batch that would mark more than
    `max_shrink` of the installed stations as not installed."""
    entries, skipped = parse_status_entries(items, version="3.0", now=now, file="stations")
    await _lock_stations(session)
    async with _shrink_guard(session, what="the push", max_shrink=max_shrink):
        result = await apply_statuses(session, entries=entries, file="stations", locked=True)
    skipped = sorted(skipped + result.skipped, key=lambda s: s.index)
    counts = {"updated": result.updated, "unchanged": result.unchanged, "skipped": len(skipped)}
    await record(
        session,
        actor_id=actor_id,
        action="push_status",
        entity="bike_station_status",
        entity_id="batch",
        after=counts,
    )
    return {
        **counts,
        "skipped": [
            {"index": s.index, "station_id": s.station_id, "reason": s.reason} for s in skipped
        ],
    }
