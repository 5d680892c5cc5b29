import orjson
from fastapi import APIRouter, Response

from geo import geojson
from tourism.dependencies import (
    BBoxDep,
    DishQuery,
    LatQuery,
    LimitQuery,
    LonQuery,
    NowDep,
    RadiusQuery,
    ReadSessionDep,
)
from tourism.eateries import service
from tourism.eateries.schemas import EateriesNearbyPublic

router = APIRouter(prefix="/eateries", tags=["eateries"])


@router.get(
    "",
    response_class=Response,
    responses={200: {"content": {geojson.MEDIA_TYPE: {}}, "description": "FeatureCollection"}},
    summary="Eateries in a bounding box, as GeoJSON",
)
async def eateries_in_bbox(
    session: ReadSessionDep,
    now: NowDep,
    bbox: BBoxDep,
    dish: DishQuery = None,
    open_now: bool = False,
    limit: LimitQuery = 100,
) -> Response:
    rows = await service.in_bbox(
        session, bbox=bbox, limit=limit, now=now, open_now=open_now, dish_slug=dish
    )
    features = [geojson.feature(r["id"], r["location"], _properties(r)) for r in rows]
    body = geojson.feature_collection(features, numberReturned=len(features), limit=limit)
    return Response(orjson.dumps(body), media_type=geojson.MEDIA_TYPE)


def _properties(row: dict) -> dict:
    """Flat properties, as map styles expect: the dish's price sits beside the name."""
    props = {k: v for k, v in row.items() if k not in ("id", "location", "dish")}
    if row["dish"]:
        props["dish_slug"] = row["dish"]["slug"]
        props["price_vnd"] = row["dish"]["price_vnd"]
    return props


@router.get("/nearby", response_model=EateriesNearbyPublic, summary="Eateries nearest first")
async def eateries_nearby(
    session: ReadSessionDep,
    now: NowDep,
    lat: LatQuery,
    lon: LonQuery,
    radius_m: RadiusQuery = 1500,
    limit: LimitQuery = 20,
    open_now: bool = False,
    dish: DishQuery = None,
) -> dict:
    items = await service.nearby(
        session,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        limit=limit,
        now=now,
        open_now=open_now,
        dish_slug=dish,
    )
    return {"items": items, "count": len(items)}
