from datetime import datetime

from pydantic import BaseModel, Field

from tourism.schemas import Lat, LocalDatetime, Lon, PointGeometry, StrictModel


class StationStatusIn(StrictModel):
    num_bikes_available: int = Field(ge=0, le=10_000)
    num_docks_available: int = Field(ge=0, le=10_000)
    is_renting: bool = True
    is_returning: bool = True
    last_reported: datetime | None = None


class StationCreate(StrictModel):
    station_id: str = Field(min_length=1, max_length=64)
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    lat: Lat
    lon: Lon
    capacity: int = Field(ge=0, le=10_000)
    is_installed: bool = True
    status: StationStatusIn | None = None


class StationPublic(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    address: str | None
    location: PointGeometry
    capacity: int
    is_installed: bool
    num_bikes_available: int | None
    num_docks_available: int | None
    is_renting: bool
    is_returning: bool
    last_reported: LocalDatetime | None
    is_stale: bool = Field(description="True when last reported more than 5 minutes ago")
    distance_m: float | None = None


class StationsPublic(BaseModel):
    items: list[StationPublic]
    count: int
