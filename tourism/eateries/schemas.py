from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from tourism import hours
from tourism.eateries import card
from tourism.eateries.models import KINDS, STATUSES
from tourism.exceptions import InvalidInput
from tourism.schemas import (
    Lat,
    LocalDatetime,
    Lon,
    MultilineText,
    PointGeometry,
    Slug,
    StrictModel,
)

Kind = Literal[KINDS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]


def _valid_hours(value: str | None) -> str | None:
    try:
        return hours.validate(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc


# An OpenStreetMap opening_hours value, checked by the same parser that evaluates it.
OpeningHoursText = Annotated[
    str | None, Field(max_length=hours.MAX_LENGTH), AfterValidator(_valid_hours)
]


class EateryCreate(StrictModel):
    slug: Slug
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: Kind
    address: str = Field(min_length=1, max_length=300)
    ward: str | None = Field(default=None, max_length=120)
    district: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ().-]{6,31}$")
    lat: Lat
    lon: Lon
    opening_hours: OpeningHoursText = None
    description_vi: MultilineText | None = Field(default=None, max_length=1000)
    description_en: MultilineText | None = Field(default=None, max_length=1000)
    status: Status = "active"


class DishPrice(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    price_vnd: int
    is_available: bool


class EateryPublic(BaseModel):
    id: int
    slug: str
    name_vi: str
    name_en: str | None
    kind: str
    address: str
    ward: str | None
    district: str | None
    location: PointGeometry
    rating: float | None = Field(description="Average stars of approved reviews; null until one")
    rating_count: int
    open_now: bool | None = Field(description="Null when the opening hours are unknown")


# The card's fields are defined in tourism.eateries.card; this schema documents them.
if tuple(EateryPublic.model_fields) != card.NAMES:
    raise RuntimeError(f"EateryPublic's fields are not the card's: {card.NAMES}")


class EateryNearby(EateryPublic):
    distance_m: float
    dish: DishPrice | None = None


class EateriesNearbyPublic(BaseModel):
    items: list[EateryNearby]
    count: int


class OpeningSpan(BaseModel):
    opens: str = Field(examples=["18:00"])
    closes: str = Field(examples=["02:00"], description="May be past midnight (next day)")


class DaySchedulePublic(BaseModel):
    date: date
    weekday: str
    weekday_vi: str
    is_today: bool
    intervals: list[OpeningSpan]


class MenuItemPublic(BaseModel):
    dish_slug: str
    name_vi: str
    name_en: str
    category: str
    price_vnd: int
    is_available: bool
    updated_at: LocalDatetime
    rating: float | None = Field(description="Average stars for this dish here, approved reviews")
    rating_count: int
