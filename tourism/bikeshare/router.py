import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from tourism.accounts.dependencies import OperatorUser
from tourism.bikeshare import publishing as feeds
from tourism.bikeshare import service
from tourism.bikeshare.dependencies import GbfsSettingsDep, PublishedAt
from tourism.bikeshare.schemas import (
    StationPublic,
    StationsHealth,
    StationSort,
    StationsPublic,
    StationStatusBatch,
    StationStatusReport,
)
from tourism.conditional import not_modified
from tourism.dependencies import (
    LatQuery,
    LimitQuery,
    LonQuery,
    NowDep,
    RadiusQuery,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
)

router = APIRouter(prefix="/stations", tags=["bike share"])
operator = APIRouter(prefix="/operator", tags=["bike share"])
gbfs = APIRouter(prefix=feeds.PATH, tags=["GBFS v3.0"])


@router.get("/nearby", response_model=StationsPublic, summary="Bike stations nearest first")
async def stations_nearby(
    session: ReadSessionDep,
    now: NowDep,
    lat: LatQuery,
    lon: LonQuery,
    radius_m: RadiusQuery = 1000,
    limit: LimitQuery = 10,
) -> dict:
    items = await service.nearby(session, lat=lat, lon=lon, radius_m=radius_m, limit=limit, now=now)
    return {"items": items, "count": len(items)}


# The operator's (GBFS) station id: what QR codes on a station carry.
StationIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.get("/{station_id}", response_model=StationPublic, summary="One bike station")
async def station_detail(session: ReadSessionDep, now: NowDep, station_id: StationIdPath) -> dict:
    return await service.station(session, station_id=station_id, now=now)


@operator.put(
    "/stations/status",
    response_model=StationStatusReport,
    summary="Push a batch of station status updates (operator, admin)",
    responses={409: {"description": "It would take too many stations off the map"}},
)
async def push_station_status(
    session: SessionDep,
    now: NowDep,
    user: OperatorUser,
    body: StationStatusBatch,
    gbfs_settings: GbfsSettingsDep,
    allow_shrink: Annotated[
        bool,
        Query(
            description="Apply a batch that marks more installed stations as not installed "
            "than TOURISM_GBFS_MAX_SHRINK allows"
        ),
    ] = False,
) -> dict:
    """Entries are GBFS v3.0 `station_status` stations. Each is checked on its own: a bad one
    is skipped and reported, the others are stored, all in one transaction. A status no newer
    than the stored one is left alone. A batch that would mark more than TOURISM_GBFS_MAX_SHRINK
    of the installed stations as not installed changes nothing (409, with the counts) unless
    `allow_shrink=true`."""
    result = await service.push_statuses(
        session,
        items=body.stations,
        now=now,
        actor_id=user.id,
        max_shrink=None if allow_shrink else gbfs_settings.max_shrink,
    )
    await session.commit()
    return result


@operator.get(
    "/stations",
    response_model=StationsHealth,
    summary="Every station's health: bikes, docks, last report, state (operator, admin)",
)
async def station_health(
    session: SessionDep,
    now: NowDep,
    _: OperatorUser,
    sort: StationSort = "name",
) -> dict:
    """Stale: no report for 5 minutes at the API's clock. `bikes`, `docks` and
    `last_reported` sort the fewest (the oldest) first; `state` the worst first."""
    return await service.station_health(session, now=now, sort=sort)


# -- GBFS v3.0 --------------------------------------------------------------------------------


FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}}, "description": "The file (GBFS v3.0)"},
    304: {"description": "Unchanged since the ETag sent in If-None-Match"},
}


def _feed(request: Request, document: dict[str, Any]) -> Response:
    body = orjson.dumps(document)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={document['ttl']}"}
    return not_modified(request, etag, headers) or Response(
        body, media_type="application/json", headers=headers
    )


@gbfs.get("/gbfs.json", response_class=Response, responses=FEED_RESPONSES, summary="Discovery")
async def gbfs_discovery(
    request: Request, settings: SettingsDep, published_at: PublishedAt
) -> Response:
    base_url = settings.public_api_url
    return _feed(request, feeds.discovery(base_url=base_url, published_at=published_at))


@gbfs.get(
    "/system_information.json",
    response_class=Response,
    responses=FEED_RESPONSES,
    summary="The system: names, operator, hours, licence, contact",
)
async def gbfs_system_information(
    request: Request, settings: GbfsSettingsDep, published_at: PublishedAt
) -> Response:
    return _feed(request, feeds.system_information(settings, published_at=published_at))


@gbfs.get(
    "/vehicle_types.json",
    response_class=Response,
    responses=FEED_RESPONSES,
    summary="The one vehicle type: a bicycle",
)
async def gbfs_vehicle_types(request: Request, published_at: PublishedAt) -> Response:
    return _feed(request, feeds.vehicle_types(published_at=published_at))


async def station_feed(
    session: ReadSessionDep, settings: GbfsSettingsDep, published_at: PublishedAt
) -> dict:
    """What both station files are built from: the stations, their ttl, the service's start."""
    return {"session": session, "ttl": settings.ttl_seconds, "published_at": published_at}


StationFeedDep = Annotated[dict, Depends(station_feed)]


@gbfs.get(
    "/station_information.json",
    response_class=Response,
    responses=FEED_RESPONSES,
    summary="Every station: names, place, capacity",
)
async def gbfs_station_information(request: Request, feed: StationFeedDep) -> Response:
    return _feed(request, await feeds.station_information(**feed))


@gbfs.get(
    "/station_status.json",
    response_class=Response,
    responses=FEED_RESPONSES,
    summary="Every station's bikes and free docks, as last reported",
)
async def gbfs_station_status(request: Request, feed: StationFeedDep) -> Response:
    return _feed(request, await feeds.station_status(**feed))
