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
from tourism.proxies import resolve_client
from tourism.schemas import CONTROL, MAX_ID, NO_CONTROL_MESSAGE, SLUG_PATTERN

MAX_LIMIT = 100
MAX_RADIUS_M = 50_000  # Google's Nearby Search cap
MAX_BBOX_SPAN_DEG = 0.5  # about 55 km by 52 km at Hai Phong's latitude


# `request.app.state.resources` is the app's tourism.resources.Resources, named by attribute:
# that module sits above the domains these dependencies serve. Which session a route takes:
# the rule in tourism.database.


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the write engine: one transaction, committed by the route that writes."""
    async with request.app.state.resources.sessions() as session:
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the read engine: no transaction, each statement its own snapshot, writes
    refused."""
    async with request.app.state.resources.read_sessions() as session:
        yield session


async def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    """The write engine's session factory, for work that outlives the request's session."""
    return request.app.state.resources.sessions


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
            raise InvalidInput(name, NO_CONTROL_MESSAGE)


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
        raise InvalidInput("bbox", str(exc)) from exc


# Typed text: printable, not blank. A NUL byte would otherwise reach PostgreSQL as an error.
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"

SessionDep = Annotated[AsyncSession, Depends(get_session)]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
SettingsDep = Annotated[Settings, Depends(app_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
ClientAddressDep = Annotated[str, Depends(client_address)]
BBoxDep = Annotated[BBox, Depends(bbox_param)]
LatQuery = Annotated[float, Query(ge=-90, le=90, description="WGS84 latitude")]
LonQuery = Annotated[float, Query(ge=-180, le=180, description="WGS84 longitude")]
RadiusQuery = Annotated[int, Query(gt=0, le=MAX_RADIUS_M, description="Metres")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
OffsetQuery = Annotated[int, Query(ge=0, le=10_000)]
DishQuery = Annotated[
    str | None, Query(max_length=120, pattern=SLUG_PATTERN, description="A dish slug")
]
IdPath = Annotated[int, Path(gt=0, le=MAX_ID)]
IdQuery = Annotated[int | None, Query(gt=0, le=MAX_ID)]
SlugPath = Annotated[str, Path(max_length=120, pattern=SLUG_PATTERN)]
