"""The city's bike share published as GBFS v3.0 (docked system, one vehicle type).

Each function builds one file as a plain dict. `last_updated` is when the data last changed
(the newest station change or status report; for the system files, when the service started),
so an unchanged feed keeps its bytes and its ETag.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.bikeshare.config import GbfsSettings
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.hours import LOCAL_TZ, TZ

VERSION = "3.0"
PATH = "/gbfs/v3"
# Files published, in the order gbfs.json lists them.
FEEDS = ("system_information", "vehicle_types", "station_information", "station_status")
# Files that change only with the configuration: consumers may keep them an hour.
STATIC_TTL = 3600
# Every station docks ordinary bicycles; the operator's feeds give no other type.
VEHICLE_TYPE_ID = "bicycle"


def rfc3339(at: datetime) -> str:
    """RFC 3339 in Hai Phong time, to the second: 2026-11-22T13:05:00+07:00."""
    return at.astimezone(TZ).isoformat(timespec="seconds")


def localized(vi: str, en: str | None) -> list[dict[str, str]]:
    """A v3 localized string in both published languages; a missing English text is the
    Vietnamese one (station names are proper names), as GBFS wants every language filled."""
    return [{"text": vi, "language": "vi"}, {"text": en or vi, "language": "en"}]


def _file(data: dict[str, Any], *, last_updated: datetime, ttl: int) -> dict[str, Any]:
    return {"last_updated": rfc3339(last_updated), "ttl": ttl, "version": VERSION, "data": data}


def feed_url(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}/{name}.json"


def discovery(*, base_url: str, published_at: datetime) -> dict[str, Any]:
    feeds = [{"name": name, "url": feed_url(base_url, name)} for name in FEEDS]
    return _file({"feeds": feeds}, last_updated=published_at, ttl=STATIC_TTL)


def system_information(settings: GbfsSettings, *, published_at: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {
        "system_id": settings.system_id,
        "languages": ["vi", "en"],
        "name": localized(settings.name_vi, settings.name_en),
        "operator": localized(settings.operator_vi, settings.operator_en),
        "opening_hours": settings.opening_hours,
        "feed_contact_email": str(settings.feed_contact_email),
        "timezone": LOCAL_TZ,
    }
    if settings.url:
        data["url"] = str(settings.url)
    # GBFS takes one or the other: the URL of custom terms wins over the SPDX identifier.
    if settings.license_url:
        data["license_url"] = str(settings.license_url)
    elif settings.license_id:
        data["license_id"] = settings.license_id
    if settings.attribution_vi or settings.attribution_en:
        data["attribution_organization_name"] = localized(
            settings.attribution_vi or settings.attribution_en, settings.attribution_en
        )
    return _file(data, last_updated=published_at, ttl=STATIC_TTL)


def vehicle_types(*, published_at: datetime) -> dict[str, Any]:
    bicycle = {
        "vehicle_type_id": VEHICLE_TYPE_ID,
        "form_factor": "bicycle",
        "propulsion_type": "human",
        "rider_capacity": 1,
        "name": localized("Xe đạp", "Bicycle"),
        # Docked: a bike is returned to any station with a free dock.
        "return_constraint": "any_station",
    }
    return _file({"vehicle_types": [bicycle]}, last_updated=published_at, ttl=STATIC_TTL)


def _latest(instants: list[datetime], fallback: datetime) -> datetime:
    return max(instants, default=fallback)


async def station_information(
    session: AsyncSession, *, ttl: int, published_at: datetime
) -> dict[str, Any]:
    """Every station the city knows, installed or not (station_status says which)."""
    rows = await session.execute(
        select(
            BikeStation.station_id,
            BikeStation.name_vi,
            BikeStation.name_en,
            BikeStation.address,
            BikeStation.capacity,
            BikeStation.updated_at,
            func.ST_X(BikeStation.location).label("lon"),
            func.ST_Y(BikeStation.location).label("lat"),
        ).order_by(BikeStation.station_id)
    )
    stations, changes = [], []
    for row in rows:
        station: dict[str, Any] = {
            "station_id": row.station_id,
            "name": localized(row.name_vi, row.name_en),
            "lat": round(row.lat, 7),
            "lon": round(row.lon, 7),
        }
        if row.address:
            station["address"] = row.address
        if row.capacity is not None:
            station["capacity"] = row.capacity
        stations.append(station)
        changes.append(row.updated_at)
    return _file({"stations": stations}, last_updated=_latest(changes, published_at), ttl=ttl)


async def station_status(
    session: AsyncSession, *, ttl: int, published_at: datetime
) -> dict[str, Any]:
    """Every station of station_information with its latest report.

    A station never reported is published as renting and returning nothing, as of when the
    city learnt of it; a station not installed neither rents nor takes bikes back.
    """
    rows = await session.execute(
        select(
            BikeStation.station_id,
            BikeStation.is_installed,
            BikeStation.updated_at,
            BikeStationStatus.num_bikes_available,
            BikeStationStatus.num_docks_available,
            BikeStationStatus.is_renting,
            BikeStationStatus.is_returning,
            BikeStationStatus.last_reported,
        )
        .outerjoin(BikeStationStatus, BikeStationStatus.station_pk == BikeStation.id)
        .order_by(BikeStation.station_id)
    )
    stations, changes = [], []
    for row in rows:
        reported = row.last_reported is not None
        bikes = row.num_bikes_available if reported else 0
        stations.append(
            {
                "station_id": row.station_id,
                "num_vehicles_available": bikes,
                "vehicle_types_available": [{"vehicle_type_id": VEHICLE_TYPE_ID, "count": bikes}],
                "num_docks_available": row.num_docks_available if reported else 0,
                "is_installed": row.is_installed,
                "is_renting": bool(reported and row.is_installed and row.is_renting),
                "is_returning": bool(reported and row.is_installed and row.is_returning),
                "last_reported": rfc3339(row.last_reported if reported else row.updated_at),
            }
        )
        changes += [row.updated_at, *([row.last_reported] if reported else [])]
    return _file({"stations": stations}, last_updated=_latest(changes, published_at), ttl=ttl)
