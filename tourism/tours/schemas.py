from typing import Literal

from pydantic import BaseModel, Field, model_validator

from tourism.eateries.schemas import EateryPublic
from tourism.schemas import Instant, Lat, LocalDatetime, Lon, Slug, StrictModel

Mode = Literal["walk", "bike", "auto"]
MAX_DISHES = 8
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
            raise ValueError("give lat and lon together")
        if has_position == (self.station_id is not None):
            raise ValueError("give either lat and lon, or station_id")
        return self


class TourRequest(StrictModel):
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
    name: str | None = None


class PickUp(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
    lat: float
    lon: float
    num_bikes_available: int
    is_renting: bool


class DropOff(BaseModel):
    station_id: str
    name_vi: str
    name_en: str | None
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
    name: str | None


class Objective(BaseModel):
    """What the search maximised, in order (README, "The tour planner")."""

    dishes: int = Field(description="Wanted dishes covered")
    score: float = Field(description="Sum over covered dishes of their eatery's rating score")
    travel_minutes: float = Field(description="Minutes travelled (fewer is better)")


class TourPlan(BaseModel):
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
