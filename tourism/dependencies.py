"""Request dependencies shared by the routers: the sessions, the settings, the clock, and
bounded parameters."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.params import Form
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo.bbox import BBox, BBoxError
from tourism.config import Settings
from tourism.exceptions import InvalidInput
from tourism.languages import VALIDATION_VI, say
from tourism.openapi import uses_database
from tourism.proxies import resolve_client
from tourism.replicas import SAFE_METHODS
from tourism.schemas import CONTROL, MAX_ID, NO_CONTROL_MESSAGE, SLUG_PATTERN

MAX_LIMIT = 100
MAX_RADIUS_M = 50_000  # Google's Nearby Search cap
MAX_BBOX_SPAN_DEG = 0.5  # about 55 km by 52 km at Hai Phong's latitude
NO_CONTROL = say(NO_CONTROL_MESSAGE, VALIDATION_VI["control_characters"])
BBOX_VI = {  # geo.bbox's rules, in Vietnamese
    "shape": "bbox phải là bốn số: minLon,minLat,maxLon,maxLat",
    "longitude": "kinh độ của bbox phải trong khoảng [-180, 180]",
    "latitude": "vĩ độ của bbox phải trong khoảng [-90, 90]",
    "empty": "bbox bị đảo ngược hoặc rỗng: cần minLon < maxLon và minLat < maxLat",
    "span": f"bbox chỉ được rộng tối đa {MAX_BBOX_SPAN_DEG} độ mỗi chiều",
}


# `request.app.state.resources` is the app's tourism.resources.Resources, named by attribute:
# that module sits above the domains these dependencies serve. Which session a route takes:
# the rule in tourism.database.


@uses_database
async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the write engine: one transaction, committed by the route that writes."""
    async with request.app.state.resources.sessions() as session:
        yield session


@uses_database
async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the read engine: no transaction, each statement its own snapshot, writes
    refused. On a replica when there are some (tourism.replicas)."""
    resources = request.app.state.resources
    if resources.replicas is None:
        async with resources.read_sessions() as session:
            yield session
        return
    async with resources.replicas.session(request) as session:
        yield session


@uses_database
async def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    """The write engine's session factory, for work that outlives the request's session.

    A GET's (the open data streams): read-only transactions on a replica when there are some.
    """
    resources = request.app.state.resources
    if resources.replicas is None or request.method not in SAFE_METHODS:
        return resources.sessions
    return resources.replicas.stream_sessions(request)


async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (`create_app(settings)`), not the environment's."""
    return request.app.state.resources.settings


# Dependencies are `async def` even when they never wait: FastAPI runs a plain `def` one in a
# worker thread, a hop that cost a tenth of a search's time in the worker.


async def client_address(request: Request) -> str:
    """The client's address, as rate limits and QR scans key it (hashed before anything keeps
    it): the peer, or whom a trusted proxy names in X-Forwarded-For (tourism.proxies)."""
    return resolve_client(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        request.app.state.resources.settings.trusted_networks,
    )


async def get_now() -> datetime:
    """The current instant (UTC); tests override it to fix the clock."""
    return datetime.now(UTC)


async def reject_control_characters(request: Request) -> None:
    """422 naming the first path, query or form parameter that holds a control character.

    Wired once for the whole app; JSON bodies are checked by `StrictModel`. Every parameter
    is single-line text, so tab and line breaks are refused too.
    """
    params = [*request.path_params.items(), *request.query_params.multi_items()]
    # A form (the login) was read before the dependencies ran, and Starlette keeps it: only a
    # route that takes a form has it looked at, so no other body is ever parsed as one.
    body = getattr(request.scope.get("route"), "body_field", None)
    if body is not None and isinstance(body.field_info, Form):
        params += (await request.form()).multi_items()
    for name, value in params:
        if isinstance(value, str) and CONTROL.search(value):
            raise InvalidInput(name, NO_CONTROL)


async def bbox_param(
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description="minLon,minLat,maxLon,maxLat (WGS84); at most "
            f"{MAX_BBOX_SPAN_DEG} degrees each way",
            examples=["106.66,20.84,106.70,20.87"],
        ),
    ],
) -> BBox:
    try:
        return BBox.parse(bbox, max_span_deg=MAX_BBOX_SPAN_DEG)
    except BBoxError as exc:
        raise InvalidInput("bbox", say(str(exc), BBOX_VI[exc.kind])) from exc


# Typed text: printable, not blank. A NUL byte would otherwise reach PostgreSQL as an error.
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"

SessionDep = Annotated[AsyncSession, Depends(get_session)]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
ClientAddressDep = Annotated[str, Depends(client_address)]
BBoxDep = Annotated[BBox, Depends(bbox_param)]
LatQuery = Annotated[float, Query(ge=-90, le=90, description="WGS84 latitude", examples=[20.8561])]
LonQuery = Annotated[
    float, Query(ge=-180, le=180, description="WGS84 longitude", examples=[106.6822])
]
RadiusQuery = Annotated[
    int,
    Query(gt=0, le=MAX_RADIUS_M, description=f"Metres, at most {MAX_RADIUS_M}", examples=[1500]),
]
LimitQuery = Annotated[
    int,
    Query(ge=1, le=MAX_LIMIT, description=f"At most this many, 1 to {MAX_LIMIT}", examples=[20]),
]
OffsetQuery = Annotated[int, Query(ge=0, le=10_000)]
DishQuery = Annotated[
    str | None,
    Query(
        max_length=120,
        pattern=SLUG_PATTERN,
        description="A dish slug (see GET /api/v1/dishes)",
        examples=["banh-da-cua"],
    ),
]
IdPath = Annotated[int, Path(gt=0, le=MAX_ID, description="The id", examples=[1])]
IdQuery = Annotated[int | None, Query(gt=0, le=MAX_ID, description="An id", examples=[1])]
SlugPath = Annotated[
    str,
    Path(
        max_length=120,
        pattern=SLUG_PATTERN,
        description="The dish's slug: lowercase ASCII words joined by -",
        examples=["banh-da-cua"],
    ),
]
