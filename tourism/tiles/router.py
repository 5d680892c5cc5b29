from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from tourism.conditional import not_modified
from tourism.dependencies import DishQuery, NowDep, ReadSessionDep, SettingsDep
from tourism.exceptions import InvalidInput
from tourism.languages import say
from tourism.openapi import errors
from tourism.tiles import service
from tourism.tiles.dependencies import TileCacheDep

router = APIRouter(prefix="/tiles", tags=["map tiles"])

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
ZoomPath = Annotated[int, Path(ge=0, le=service.MAX_ZOOM, description="Zoom level", examples=[15])]
XPath = Annotated[int, Path(ge=0, description="Tile column, 0 to 2^z - 1", examples=[26187])]
YPath = Annotated[int, Path(ge=0, description="Tile row, 0 to 2^z - 1 (XYZ)", examples=[14509])]
OpenNowQuery = Annotated[
    bool,
    Query(
        description="Only eateries open at this instant by their opening hours (Hai Phong "
        "time); eateries with unknown hours are left out",
        examples=[True],
    ),
]


@router.get(
    "/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        200: {
            "content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "A Mapbox Vector Tile (protobuf) with layers `eateries` and `stations`",
            "headers": {
                "ETag": {
                    "description": "The tile's version: send it back in `If-None-Match`",
                    "schema": {"type": "string"},
                },
                "Cache-Control": {
                    "description": "`public, max-age=N` (`TOURISM_TILE_MAX_AGE_S`)",
                    "schema": {"type": "string"},
                },
            },
        },
        304: {
            "description": "Not modified: `If-None-Match` names the tile's current ETag; no body",
            "headers": {
                "ETag": {"description": "The tile's version", "schema": {"type": "string"}}
            },
        },
        **errors(404),  # `dish` is not in the catalogue
    },
    summary="A Mapbox Vector Tile of eateries and bike stations",
)
async def vector_tile(
    request: Request,
    session: ReadSessionDep,
    cache: TileCacheDep,
    settings: SettingsDep,
    now: NowDep,
    z: ZoomPath,
    x: XPath,
    y: YPath,
    dish: DishQuery = None,
    open_now: OpenNowQuery = False,
) -> Response:
    """Web Mercator tile z/x/y (XYZ scheme, as MapLibre and Leaflet ask for it), for the map
    page and any vector-tile client. Tiles are cached per worker until eateries, menus or
    stations change, and carry an `ETag`: a request with `If-None-Match` naming it gets a 304
    with no body. A `dish` that is not in the catalogue is a 404.

    `eateries`: id, name, kind, rating, votes, open_now (null: hours unknown), min_price_vnd,
    and price_vnd of `dish` when filtered by one; at most `TOURISM_TILE_MAX_FEATURES`, best
    rated first. `stations`: id, name, bikes, docks, renting, returning, last_reported (Unix time).
    """
    side = 2**z
    for name, value in (("x", x), ("y", y)):
        if value >= side:
            raise InvalidInput(
                name,
                say(
                    f"{name} must be between 0 and {side - 1} at zoom {z}",
                    f"{name} phải nằm trong khoảng 0 đến {side - 1} ở mức thu phóng {z}",
                ),
            )
    tile = await service.tile(
        session,
        cache=cache,
        request=service.TileRequest(z=z, x=x, y=y, dish=dish, open_now=open_now),
        now=now,
        max_features=settings.tile_max_features,
    )
    max_age = settings.tile_max_age_s
    headers = {
        "ETag": tile.etag,
        "Cache-Control": f"public, max-age={max_age}" if max_age else "public, no-cache",
    }
    return not_modified(request, tile.etag, headers) or Response(
        tile.data, media_type=MEDIA_TYPE, headers=headers
    )
