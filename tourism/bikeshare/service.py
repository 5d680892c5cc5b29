"""Bike-share stations and their live availability."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from geo.geojson import point
from geo.sql import distance_m, geography_of, knn_order, point_geometry, within_m
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.bikeshare.schemas import StationCreate, StationStatusIn
from tourism.database import upsert_returning_id
from tourism.exceptions import NotFound

# GBFS: status older than this is stale.
STALE_AFTER = timedelta(minutes=5)


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


async def nearby(
    session: AsyncSession,
    *,
    lat: float,
    lon: float,
    now: datetime,
    limit: int,
    radius_m: float | None = None,
) -> list[dict[str, Any]]:
    """Installed stations nearest first, with their latest status (KNN on geography)."""
    here = geography_of(point_geometry(lon, lat))
    where = geography_of(BikeStation.location)
    query = (
        _installed_with_status(distance_m(where, here))
        .order_by(knn_order(where, here))
        .limit(limit)
    )
    if radius_m is not None:
        query = query.where(within_m(where, here, radius_m))
    rows = (await session.execute(query)).all()
    return [_public(r, now) for r in rows]


async def station(session: AsyncSession, *, station_id: str, now: datetime) -> dict[str, Any]:
    """One installed station by its operator's id, with its latest status."""
    query = _installed_with_status(literal(None)).where(BikeStation.station_id == station_id)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise NotFound(f"no bike station with id {station_id!r}")
    return _public(row, now)


def _public(row: Any, now: datetime) -> dict[str, Any]:
    station: BikeStation = row.BikeStation
    status: BikeStationStatus | None = row.BikeStationStatus
    return {
        "station_id": station.station_id,
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
