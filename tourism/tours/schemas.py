from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tourism.eateries.schemas import CARD_EXAMPLE, EateryPublic
from tourism.languages import say
from tourism.schemas import Instant, Lat, LocalDatetime, Lon, Slug, StrictModel

Mode = Literal["walk", "bike", "auto"]
MAX_DISHES = 8
NAME = "The name in the request's language: `name_en` in English when there is one, else `name_vi`"
Reason = Literal["not_served", "not_open", "too_far", "over_budget", "no_time"]


class Position(StrictModel):
    lat: Lat
    lon: Lon


class Start(StrictModel):
    """Where the tour starts: a position, or a bike station by its `station_id`."""

    lat: Lat | None = None
    lon: Lon | None = None
    station_id: str | None = Field(default=None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _one_place(self) -> "Start":
        has_position = self.lat is not None or self.lon is not None
        if (self.lat is None) != (self.lon is None):
            raise ValueError(say("give lat and lon together", "hãy cho cả lat và lon"))
        if has_position == (self.station_id is not None):
            raise ValueError(
                say(
                    "give either lat and lon, or station_id",
                    "hãy cho hoặc lat và lon, hoặc station_id",
                )
            )
        return self


class TourRequest(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {
                    "start": {"lat": 20.8561, "lon": 106.6822},
                    "start_at": "2026-12-02T16:00:00+07:00",
                    "minutes": 180,
                    "dishes": ["banh-da-cua", "nem-cua-be", "che-thap-cam"],
                    "mode": "auto",
                    "eat_minutes": 25,
                    "max_total_vnd": 200000,
                }
            ]
        },
    )

    start: Start
    start_at: Instant | None = Field(
        default=None, description="When the tour starts (default: now); at most 7 days ahead"
    )
    minutes: int = Field(default=180, ge=30, le=720, description="How long the tour may take")
    dishes: list[Slug] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_DISHES,
        description="The dishes to taste, in no particular order (or `surprise`)",
        examples=[["banh-da-cua", "nem-cua-be", "che-thap-cam"]],
    )
    surprise: int | None = Field(
        default=None, ge=1, le=MAX_DISHES, description="Instead of `dishes`: N popular dishes"
    )
    mode: Mode = Field(default="walk", description="auto: bike a leg when it saves time")
    eat_minutes: int = Field(default=25, ge=5, le=120, description="Minutes per dish eaten")
    max_total_vnd: int | None = Field(
        default=None, ge=0, le=100_000_000, description="Budget for the food, VND"
    )
    avoid_dishes: list[Slug] = Field(default=[], max_length=40, description="Never chosen")
    end: Position | None = Field(default=None, description="Be there when the time is up")


class TourDish(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    name: str = Field(description=NAME)
    price_vnd: int


class TourStop(BaseModel):
    eatery: EateryPublic
    dishes: list[TourDish]
    arrive_at: LocalDatetime
    meal_at: LocalDatetime = Field(
        description="When the meal starts: later than arrive_at when the eatery opens after it"
    )
    leave_at: LocalDatetime
    closes_at: LocalDatetime = Field(description="The end of the opening the meal is in")
    slack_minutes: int = Field(description="Minutes between leaving and closing")


class Place(BaseModel):
    kind: Literal["start", "eatery", "station", "end"]
    lat: float
    lon: float
    id: int | None = None
    station_id: str | None = None
    name: str | None = Field(
        default=None,
        description="The start station's, eatery's or station's name, in the request's language",
    )


class PickUp(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    name: str = Field(description=NAME)
    lat: float
    lon: float
    num_bikes_available: int
    is_renting: bool


class DropOff(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    name: str = Field(description=NAME)
    lat: float
    lon: float
    num_docks_available: int
    is_returning: bool


class Leg(BaseModel):
    mode: Literal["walk", "bike"]
    to: Place
    from_: Place = Field(alias="from")
    distance_m: int
    minutes: int
    pick_up: PickUp | None = None
    drop_off: DropOff | None = None


class Uncovered(BaseModel):
    slug: str
    reason: Reason


class Totals(BaseModel):
    minutes: int = Field(description="From the start to leaving the last stop (or the end)")
    travel_minutes: int
    distance_m: int
    food_vnd: int
    bike_fare_vnd: int


class StartPublic(BaseModel):
    lat: float
    lon: float
    station_id: str | None
    name: str | None = Field(description="The start station's name in the request's language")


class Objective(BaseModel):
    """What the search maximised, in order (README, "The tour planner")."""

    dishes: int = Field(description="Wanted dishes covered")
    score: float = Field(description="Sum over covered dishes of their eatery's rating score")
    travel_minutes: float = Field(description="Minutes travelled (fewer is better)")


PLAN_EXAMPLE: dict[str, Any] = {
    "start": {
        "lat": 20.8561,
        "lon": 106.6822,
        "station_id": "hp-001",
        "name": "Opera House",
    },
    "start_at": "2026-12-02T16:00:00+07:00",
    "ends_by": "2026-12-02T19:00:00+07:00",
    "mode": "walk",
    "stops": [
        {
            "eatery": CARD_EXAMPLE,
            "dishes": [
                {
                    "slug": "banh-da-cua",
                    "name_vi": "Bánh đa cua",
                    "name_en": "Crab noodle soup",
                    "name": "Crab noodle soup",
                    "price_vnd": 35000,
                }
            ],
            "arrive_at": "2026-12-02T16:06:00+07:00",
            "meal_at": "2026-12-02T16:06:00+07:00",
            "leave_at": "2026-12-02T16:31:00+07:00",
            "closes_at": "2026-12-02T21:00:00+07:00",
            "slack_minutes": 269,
        }
    ],
    "legs": [
        {
            "mode": "walk",
            "from": {"kind": "start", "lat": 20.8561, "lon": 106.6822, "name": "Opera House"},
            "to": {
                "kind": "eatery",
                "lat": 20.8561,
                "lon": 106.6858,
                "id": 12,
                "name": "Grandma's crab noodle soup",
            },
            "distance_m": 410,
            "minutes": 6,
        }
    ],
    "uncovered": [{"slug": "nem-cua-be", "reason": "not_open"}],
    "totals": {
        "minutes": 31,
        "travel_minutes": 6,
        "distance_m": 410,
        "food_vnd": 35000,
        "bike_fare_vnd": 0,
    },
    "objective": {"dishes": 1, "score": 4.312, "travel_minutes": 5.9},
    "optimal": True,
    "distance_source": "estimate",
}


class TourPlan(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PLAN_EXAMPLE]})

    start: StartPublic
    start_at: LocalDatetime
    ends_by: LocalDatetime
    mode: Mode
    stops: list[TourStop]
    legs: list[Leg]
    uncovered: list[Uncovered]
    totals: Totals
    objective: Objective
    optimal: bool = Field(description="True when the search proved no better tour exists")
    distance_source: Literal["estimate", "streets"]
