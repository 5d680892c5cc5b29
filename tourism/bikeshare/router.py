from fastapi import APIRouter

from tourism.bikeshare import service
from tourism.bikeshare.schemas import StationsPublic
from tourism.dependencies import LatQuery, LimitQuery, LonQuery, NowDep, RadiusQuery, SessionDep

router = APIRouter(prefix="/stations", tags=["bike share"])


@router.get("/nearby", response_model=StationsPublic, summary="Bike stations nearest first")
async def stations_nearby(
    session: SessionDep,
    now: NowDep,
    lat: LatQuery,
    lon: LonQuery,
    radius_m: RadiusQuery = 1000,
    limit: LimitQuery = 10,
) -> dict:
    items = await service.nearby(session, lat=lat, lon=lon, radius_m=radius_m, limit=limit, now=now)
    return {"items": items, "count": len(items)}
