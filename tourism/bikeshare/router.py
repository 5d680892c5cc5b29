import hashlib
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from tourism import openapi
from tourism.accounts.dependencies import OperatorUser
from tourism.bikeshare import gbfs_openapi, service
from tourism.bikeshare import publishing as feeds
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
    LonQuery,
    NowDep,
    RadiusQuery,
    ReadSessionDep,
    SessionDep,
    SettingsDep,
)
from tourism.openapi import errors
from tourism.paging import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    OffsetQuery,
    Paging,
    paged,
)

router = APIRouter(prefix="/stations", tags=["bike share"])
operator = APIRouter(prefix="/operator", tags=["bike share"])
gbfs = APIRouter(prefix=feeds.PATH, tags=["GBFS v3.0"])


# The same share-a-bike tables as the operator's GBFS files: these answers follow them.
openapi.EXTRA_COMPONENTS.append(gbfs_openapi.components)


@router.get(
    "/nearby",
    response_model=StationsPublic,
    summary="Bike stations nearest first",
    description="Installed public-bike stations within `radius_m` of a point, nearest first "
    "(ties by id), with bikes and free docks as last reported and `is_stale` when that was "
    "more than 5 minutes ago. Paged by `cursor` (a keyset on the exact distance and the "
    "station: stable while stations are added); `total` counts the stations in the radius.",
)
async def stations_nearby(
    session: ReadSessionDep,
    now: NowDep,
    lat: LatQuery,
    lon: LonQuery,
    response: Response,
    paging: Annotated[Paging, Depends(paged(float, int))],
    radius_m: RadiusQuery = 1000,
) -> dict:
    page = await service.nearby_page(
        session,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        limit=paging.limit + 1,
        now=now,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(page.keys, key_of=lambda key: key)
    items = paging.trim(page.items)
    return paging.answer(response, items, next_cursor=next_cursor, total=page.total)


# The operator's (GBFS) station id: what QR codes on a station carry.
StationIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="The operator's (GBFS) `station_id`",
        examples=["hp-001"],
    ),
]


@router.get(
    "/{station_id}",
    response_model=StationPublic,
    responses=errors(404),
    summary="One bike station",
    description="One installed station by the operator's `station_id` (what a QR code on a "
    "station carries), with bikes and free docks as last reported. A station no longer "
    "installed answers 404, as a missing one.",
)
async def station_detail(session: ReadSessionDep, now: NowDep, station_id: StationIdPath) -> dict:
    return await service.station(session, station_id=station_id, now=now)


@operator.put(
    "/stations/status",
    response_model=StationStatusReport,
    summary="Push a batch of station status updates (operator, admin)",
    responses=errors(409),
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
            "than TOURISM_GBFS_MAX_SHRINK allows",
            examples=[False],
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
    request: Request,
    response: Response,
    session: SessionDep,
    now: NowDep,
    _: OperatorUser,
    sort: Annotated[
        StationSort,
        Query(
            description="`name`; `bikes`, `docks`, `last_reported`: the fewest (the oldest, "
            "never reported first) first; `state`: the worst first",
            examples=["state"],
        ),
    ] = "name",
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    offset: OffsetQuery = None,
) -> dict:
    """Every station, installed or not, with its last report and its state: stale means no
    report for 5 minutes at the API's clock. Paged by `cursor` (a keyset on the sort's
    columns and the station id, so only with the same `sort`); `counts` counts every station
    in each state and `total` all of them."""
    paging = await paged(*service.HEALTH_KEYS[sort])(request, limit, cursor, offset)
    found = await service.station_health(
        session,
        now=now,
        sort=sort,
        limit=paging.limit + 1,
        after=paging.after,
        offset=paging.offset,
    )
    keys = found.pop("keys")
    next_cursor = paging.next_cursor(keys, key_of=lambda key: key)
    items = paging.trim(found.pop("items"))
    total = sum(found["counts"].values())
    return paging.answer(response, items, next_cursor=next_cursor, total=total) | found


# -- GBFS v3.0 --------------------------------------------------------------------------------


FEED_NOTE = (
    " Valid against the official GBFS v3.0 schema (the 200 answer's schema is that schema). "
    "Answers carry an `ETag` and `Cache-Control: public, max-age=` the file's `ttl`; "
    "`If-None-Match` with the ETag answers 304."
)


def _feed(request: Request, document: dict[str, Any]) -> Response:
    body = orjson.dumps(document)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={document['ttl']}"}
    return not_modified(request, etag, headers) or Response(
        body, media_type="application/json", headers=headers
    )


@gbfs.get(
    "/gbfs.json",
    response_class=Response,
    responses=gbfs_openapi.responses("gbfs"),
    summary="Discovery",
    description=(
        "The GBFS v3.0 discovery file: the URL of each file this system publishes, for "
        "trip planners and city dashboards." + FEED_NOTE
    ),
)
async def gbfs_discovery(
    request: Request, settings: SettingsDep, published_at: PublishedAt
) -> Response:
    base_url = settings.public_api_url
    return _feed(request, feeds.discovery(base_url=base_url, published_at=published_at))


@gbfs.get(
    "/system_information.json",
    response_class=Response,
    responses=gbfs_openapi.responses("system_information"),
    description=(
        "The bike-share system: its names in Vietnamese and English, operator, opening "
        "hours, time zone, licence and the feed's contact." + FEED_NOTE
    ),
    summary="The system: names, operator, hours, licence, contact",
)
async def gbfs_system_information(
    request: Request, settings: GbfsSettingsDep, published_at: PublishedAt
) -> Response:
    return _feed(request, feeds.system_information(settings, published_at=published_at))


@gbfs.get(
    "/vehicle_types.json",
    response_class=Response,
    responses=gbfs_openapi.responses("vehicle_types"),
    description=(
        "The one vehicle type of this docked system: a human-powered bicycle returned to "
        "any station." + FEED_NOTE
    ),
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
    responses=gbfs_openapi.responses("station_information"),
    description=(
        "Every installed station: its names, place, address and capacity, as the "
        "operator's feed last listed them." + FEED_NOTE
    ),
    summary="Every station: names, place, capacity",
)
async def gbfs_station_information(request: Request, feed: StationFeedDep) -> Response:
    return _feed(request, await feeds.station_information(**feed))


@gbfs.get(
    "/station_status.json",
    response_class=Response,
    responses=gbfs_openapi.responses("station_status"),
    description=(
        "Every installed station's bikes and free docks, renting and returning, as last "
        "reported by the operator (pushed or imported)." + FEED_NOTE
    ),
    summary="Every station's bikes and free docks, as last reported",
)
async def gbfs_station_status(request: Request, feed: StationFeedDep) -> Response:
    return _feed(request, await feeds.station_status(**feed))
