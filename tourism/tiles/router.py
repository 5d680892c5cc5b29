from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from tourism.conditional import not_modified
from tourism.dependencies import DishQuery, NowDep, ReadSessionDep, SettingsDep
from tourism.exceptions import InvalidInput
from tourism.tiles import service
from tourism.tiles.dependencies import TileCacheDep

router = APIRouter(prefix="/tiles", tags=["map tiles"])

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
ZoomPath = Annotated[int, Path(ge=0, le=service.MAX_ZOOM, description="Zoom level")]
TilePath = Annotated[int, Path(ge=0, description="Tile column or row, 0 to 2^z - 1")]


@router.get(
    "/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={
        200: {"content": {MEDIA_TYPE: {}}, "description": "layers `eateries` and `stations`"},
        304: {"description": "Not modified (If-None-Match)"},
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
    x: TilePath,
    y: TilePath,
    dish: DishQuery = None,
    open_now: bool = False,
) -> Response:
    """Web Mercator tile z/x/y (XYZ scheme, as MapLibre and Leaflet ask for it).

    `eateries`: id, name, kind, rating, votes, open_now (null: hours unknown), min_price_vnd,
    and price_vnd of `dish` when filtered by one; at most `TOURISM_TILE_MAX_FEATURES`, best
    rated first. `stations`: id, name, bikes, docks, renting, returning, last_reported (Unix time).
    """
    side = 2**z
    for name, value in (("x", x), ("y", y)):
        if value >= side:
            raise InvalidInput(name, f"{name} must be between 0 and {side - 1} at zoom {z}")
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
