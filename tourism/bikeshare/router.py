from typing import Annotated

from fastapi import APIRouter, Path

from tourism.bikeshare import service
from tourism.bikeshare.schemas import StationPublic, StationsPublic
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


# The operator's (GBFS) station id: what QR codes on a station carry.
StationIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.get("/{station_id}", response_model=StationPublic, summary="One bike station")
async def station_detail(session: SessionDep, now: NowDep, station_id: StationIdPath) -> dict:
    return await service.station(session, station_id=station_id, now=now)
