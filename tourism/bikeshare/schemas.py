from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tourism.languages import Message, say
from tourism.paging import Page, page_example
from tourism.schemas import Lat, LocalDatetime, Lon, PointGeometry, StrictModel


def no_station(station_id: str) -> Message:
    return say(
        f"no bike station with id {station_id!r}",
        f"không tìm thấy trạm xe đạp có mã {station_id!r}",
    )


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


STATION_EXAMPLE = {
    "station_id": "hp-001",
    "name": "Hai Phong Opera House",
    "name_vi": "Nhà hát Lớn Hải Phòng",
    "name_en": "Hai Phong Opera House",
    "address": "Quảng trường Nhà hát Lớn, Hoàng Văn Thụ",
    "location": {"type": "Point", "coordinates": [106.6835, 20.8579]},
    "capacity": 20,
    "is_installed": True,
    "num_bikes_available": 12,
    "num_docks_available": 8,
    "is_renting": True,
    "is_returning": True,
    "last_reported": "2026-12-02T03:15:00+07:00",
    "is_stale": False,
    "distance_m": 184.3,
}
NAME = Field(
    description="The name in the request's language (`lang`, `Accept-Language`): `name_en` "
    "or else `name_vi` in English, `name_vi` in Vietnamese"
)


class StationPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [STATION_EXAMPLE]})

    station_id: str = Field(description="The operator's (GBFS) id")
    name: str = NAME
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
    distance_m: float | None = Field(
        default=None, description="Metres from the point asked about (nearby lists only)"
    )


class StationsPublic(Page[StationPublic]):
    """A page of stations, nearest first."""

    model_config = page_example(STATION_EXAMPLE, total=6)


class StationStatusBatch(StrictModel):
    """Entries shaped as GBFS v3.0 `station_status` stations; each is checked on its own."""

    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {
                    "stations": [
                        {
                            "station_id": "hp-001",
                            "num_vehicles_available": 11,
                            "num_docks_available": 9,
                            "is_installed": True,
                            "is_renting": True,
                            "is_returning": True,
                            "last_reported": "2026-12-02T09:05:00+07:00",
                        }
                    ]
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "updated": 41,
                    "unchanged": 2,
                    "skipped": [
                        {
                            "index": 7,
                            "station_id": "hp-999",
                            "reason": "unknown station_id",
                        }
                    ],
                }
            ]
        }
    )

    updated: int = Field(description="Statuses stored")
    unchanged: int = Field(description="Statuses no newer than the one already stored")
    skipped: list[SkippedItem]


# A station's health for its operator, worst first (the order `sort=state` lists them in).
STATION_STATES = ("never_reported", "stale", "empty", "full", "ok")
StationState = Literal[STATION_STATES]  # type: ignore[valid-type]
STATION_SORTS = ("name", "bikes", "docks", "last_reported", "state")
StationSort = Literal[STATION_SORTS]  # type: ignore[valid-type]


HEALTH_EXAMPLE = {
    "station_id": "hp-004",
    "name": "Sat Market",
    "name_vi": "Chợ Sắt",
    "name_en": "Sat Market",
    "num_bikes_available": 0,
    "num_docks_available": 12,
    "capacity": 12,
    "is_installed": True,
    "is_renting": True,
    "is_returning": True,
    "last_reported": "2026-12-02T09:01:00+07:00",
    "state": "empty",
}


class StationHealth(BaseModel):
    station_id: str
    name: str = NAME
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


class StationsHealth(Page[StationHealth]):
    """A page of the operator's stations in the order `sort` asks, with every station's
    states counted."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [HEALTH_EXAMPLE],
                    "count": 1,
                    "next_cursor": "eyJrIjpbMCwiaHAtMDA0Il0sImYiOiJiMWYyIn0.q1Vd9mZ0mK3n",
                    "total": 14,
                    "total_exact": True,
                    "counts": {"never_reported": 0, "stale": 1, "empty": 1, "full": 0, "ok": 12},
                    "now": "2026-12-02T09:05:00+07:00",
                }
            ]
        }
    )

    counts: dict[StationState, int] = Field(description="Stations in each state")
    now: LocalDatetime = Field(description="The instant the states are for")
