from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from tourism.schemas import Lat, LocalDatetime, Lon, PointGeometry, StrictModel

# Operators' feeds are untrusted: no control characters (a NUL byte cannot even be stored).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
StationId = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]
Count = Annotated[int, Field(ge=0, le=10_000)]
# Status updates one request may carry (PUT /operator/stations/status).
MAX_STATUS_BATCH = 1000


class StationStatusIn(StrictModel):
    num_bikes_available: Count
    num_docks_available: Count
    is_renting: bool = True
    is_returning: bool = True
    last_reported: datetime | None = None


class StationStatusUpdate(StationStatusIn):
    """One station's status as an operator reports it (GBFS station_status, any version)."""

    station_id: StationId
    is_installed: bool
    is_renting: bool
    is_returning: bool
    last_reported: AwareDatetime


class StationCreate(StrictModel):
    station_id: StationId
    name_vi: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    name_en: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    address: str | None = Field(default=None, max_length=300, pattern=NO_CONTROL)
    lat: Lat
    lon: Lon
    capacity: Count | None = None
    is_installed: bool = True
    status: StationStatusIn | None = None


class StationPublic(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    address: str | None
    location: PointGeometry
    capacity: int | None
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


class StationStatusBatch(StrictModel):
    """Entries shaped as GBFS v3.0 `station_status` stations; each is checked on its own."""

    stations: list[Any] = Field(
        min_length=1,
        max_length=MAX_STATUS_BATCH,
        description="`station_id`, `num_vehicles_available`, `num_docks_available`, "
        "`is_installed`, `is_renting`, `is_returning`, `last_reported` (RFC 3339)",
    )


class SkippedItem(BaseModel):
    index: int = Field(description="Position in the list it came in")
    station_id: str | None
    reason: str


class StationStatusReport(BaseModel):
    updated: int = Field(description="Statuses stored")
    unchanged: int = Field(description="Statuses no newer than the one already stored")
    skipped: list[SkippedItem]


# A station's health for its operator, worst first (the order `sort=state` lists them in).
STATION_STATES = ("never_reported", "stale", "empty", "full", "ok")
StationState = Literal[STATION_STATES]  # type: ignore[valid-type]
STATION_SORTS = ("name", "bikes", "docks", "last_reported", "state")
StationSort = Literal[STATION_SORTS]  # type: ignore[valid-type]


class StationHealth(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    num_bikes_available: int | None
    num_docks_available: int | None
    capacity: int | None
    is_installed: bool
    is_renting: bool
    is_returning: bool
    last_reported: LocalDatetime | None
    state: StationState = Field(
        description="never_reported; stale: no report for 5 minutes; empty: no bike; full: no "
        "free dock; else ok"
    )


class StationsHealth(BaseModel):
    items: list[StationHealth]
    count: int
    counts: dict[StationState, int] = Field(description="Stations in each state")
    now: LocalDatetime = Field(description="The instant the states are for")
