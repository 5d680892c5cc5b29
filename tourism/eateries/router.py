from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from geo import geojson
from tourism.dependencies import (
    BBoxDep,
    DishQuery,
    LatQuery,
    LonQuery,
    NowDep,
    RadiusQuery,
    ReadSessionDep,
)
from tourism.eateries import service
from tourism.eateries.dependencies import ReadPoolDep
from tourism.eateries.schemas import EateriesGeoJSON, EateriesNearbyPublic
from tourism.openapi import errors
from tourism.paging import Paging, paged
from tourism.responses import model_json

router = APIRouter(prefix="/eateries", tags=["eateries"])

OpenNowQuery = Annotated[
    bool,
    Query(
        description="Only eateries open at this instant: inside one of their opening intervals "
        "(OpenStreetMap opening_hours, Hai Phong time). Eateries with unknown hours are left out.",
        examples=[True],
    ),
]


class GeoJSONResponse(JSONResponse):
    """GeoJSON bytes made by orjson (a JSONResponse for the docs: its schema is JSON's)."""

    media_type = geojson.MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else orjson.dumps(content)


@router.get(
    "",
    response_class=GeoJSONResponse,
    responses={
        **errors(404),
        200: {"model": EateriesGeoJSON, "description": "A GeoJSON FeatureCollection"},
    },
    summary="Eateries in a bounding box, as GeoJSON",
    description="Active eateries inside `bbox`, for a map: a GeoJSON FeatureCollection "
    "(`application/geo+json`, RFC 7946) whose features carry the eatery card as flat "
    "properties; with `dish`, only eateries serving it, its `price_vnd` beside the name. Most "
    "reviewed first (rating_count descending, then id), a page at a time: `next_cursor` and "
    "`total` are foreign members of the collection, and the next page is also in the `Link` "
    "header. `open_now` means inside an opening interval at the time of the request.",
    response_model=None,
)
async def eateries_in_bbox(
    session: ReadSessionDep,
    now: NowDep,
    bbox: BBoxDep,
    paging: Annotated[Paging, Depends(paged(int, int))],
    dish: DishQuery = None,
    open_now: OpenNowQuery = False,
) -> Response:
    page = await service.in_bbox(
        session,
        bbox=bbox,
        limit=paging.limit,
        now=now,
        open_now=open_now,
        dish_slug=dish,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.cursor(page.last_key) if page.last_key else None
    features = [geojson.feature(r["id"], r["location"], _properties(r)) for r in page.items]
    body = geojson.feature_collection(
        features,
        numberReturned=len(features),
        limit=paging.limit,
        next_cursor=next_cursor,
        total=page.total,
        total_exact=page.total_exact,
    )
    return GeoJSONResponse(orjson.dumps(body), headers=paging.headers(next_cursor))


def _properties(row: dict) -> dict:
    """Flat properties, as map styles expect: the dish's price sits beside the name."""
    props = {k: v for k, v in row.items() if k not in ("id", "location", "dish")}
    if row["dish"]:
        props["dish_slug"] = row["dish"]["slug"]
        props["price_vnd"] = row["dish"]["price_vnd"]
    return props


@router.get(
    "/nearby",
    response_model=EateriesNearbyPublic,
    responses=errors(404),
    summary="Eateries nearest first",
    description="Active eateries within `radius_m` metres of (`lat`, `lon`), nearest first, "
    "each with its distance in metres; with `dish`, only eateries serving it, with its price "
    "there (an unknown dish is a 404 naming `dish`); with `open_now`, only eateries inside an "
    "opening interval now. Paged by distance then id: follow `next_cursor` (or the `Link` "
    "header) for the next nearest. `total` counts the circle with these filters up to the "
    "100 nearest; past that it is a lower bound and `total_exact` is false.",
)
async def eateries_nearby(
    pool: ReadPoolDep,
    now: NowDep,
    lat: LatQuery,
    lon: LonQuery,
    response: Response,
    paging: Annotated[Paging, Depends(paged(float, int))],
    radius_m: RadiusQuery = 1500,
    open_now: OpenNowQuery = False,
    dish: DishQuery = None,
) -> Response:
    page = await service.nearby(
        pool,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        limit=paging.limit,
        now=now,
        open_now=open_now,
        dish_slug=dish,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.cursor(page.last_key) if page.last_key else None
    body = paging.answer(
        response,
        page.items,
        next_cursor=next_cursor,
        total=page.total,
        total_exact=page.total_exact,
    )
    # The items are JSON PostgreSQL wrote in the shape of EateryNearby: sent as they are.
    answer = model_json(body)
    answer.headers.update(response.headers)
    return answer
