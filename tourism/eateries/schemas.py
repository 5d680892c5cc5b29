import re
from datetime import date
from typing import Annotated, Any, Literal

from geojson_pydantic import Feature, FeatureCollection, Point
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from geo.bbox import BBox
from tourism import hours
from tourism.eateries import card
from tourism.eateries.models import KINDS, STATUSES
from tourism.exceptions import InvalidInput
from tourism.languages import say
from tourism.paging import Page
from tourism.schemas import (
    CONTROL,
    CONTROL_ERROR,
    Day,
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
        # The readable sentence in the request's language (tourism.languages reads a Message
        # raised in a ValueError as it is, without pydantic's "Value error, " prefix).
        raise ValueError(exc.message) from exc


# An OpenStreetMap opening_hours value, checked by the same parser that evaluates it.
OpeningHoursText = Annotated[
    str | None, Field(max_length=hours.MAX_LENGTH), AfterValidator(_valid_hours)
]


def _no_control_characters(value: Any) -> Any:
    # A date is typed text too: the same answer as any text field's (StrictModel checks only
    # fields declared as str), before the date parser says something else.
    if isinstance(value, str) and CONTROL.search(value):
        raise CONTROL_ERROR
    return value


# The last day a temporarily closed eatery stays closed (Hai Phong date); it reopens the day after.
ClosedUntil = Annotated[
    Day | None,
    BeforeValidator(_no_control_characters),
    Field(
        description="Only with status temporarily_closed: the last day it is closed (today or "
        "later); it reopens the day after. Null: not known yet"
    ),
]
PHONE_PATTERN = r"^\+?[0-9 ().-]{6,31}$"
PHONE_RULE = say(
    "a phone number: 6 to 32 digits, spaces and ( ) . -, with + only first",
    "số điện thoại: 6 đến 32 chữ số, khoảng trắng và ( ) . -, dấu + chỉ ở đầu",
)


def _phone(value: str) -> str:
    # Checked here, not by `pattern`: the rule is said in words, not as a regular expression.
    if not re.fullmatch(PHONE_PATTERN, value):
        raise ValueError(PHONE_RULE)
    return value


Phone = Annotated[
    str,
    Field(max_length=32, json_schema_extra={"pattern": PHONE_PATTERN}),
    AfterValidator(_phone),
]
Description = Annotated[MultilineText, Field(max_length=1000)]

# Where an eatery the department places may be: Vietnam's bounding box.
VIETNAM = BBox(min_lon=102.14, min_lat=8.38, max_lon=109.47, max_lat=23.39)
OUTSIDE_VIETNAM = PydanticCustomError(
    "outside_vietnam",
    "must be in Vietnam: longitude {min_lon} to {max_lon}, latitude {min_lat} to {max_lat}",
    {k: getattr(VIETNAM, k) for k in ("min_lon", "max_lon", "min_lat", "max_lat")},
)


class PointInVietnam(StrictModel):
    """A GeoJSON Point, `[lon, lat]`, inside Vietnam's bounding box."""

    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat]")

    @model_validator(mode="after")
    def _in_vietnam(self) -> "PointInVietnam":
        lon, lat = self.coordinates
        # Written so that NaN is outside too.
        if not (
            VIETNAM.min_lon <= lon <= VIETNAM.max_lon and VIETNAM.min_lat <= lat <= VIETNAM.max_lat
        ):
            raise OUTSIDE_VIETNAM
        return self

    @property
    def lon(self) -> float:
        return self.coordinates[0]

    @property
    def lat(self) -> float:
        return self.coordinates[1]


class EateryCreate(StrictModel):
    slug: Slug
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: Kind
    address: str = Field(min_length=1, max_length=300)
    ward: str | None = Field(default=None, max_length=120)
    district: str | None = Field(default=None, max_length=120)
    phone: Phone | None = None
    lat: Lat
    lon: Lon
    opening_hours: OpeningHoursText = None
    description_vi: MultilineText | None = Field(default=None, max_length=1000)
    description_en: MultilineText | None = Field(default=None, max_length=1000)
    status: Status = "active"


class EateryAdminCreate(StrictModel):
    """An eatery the tourism department adds."""

    slug: Slug | None = Field(
        default=None,
        description="Made from name_vi when absent (a number added if that one is taken); a "
        "slug sent that is taken is a 409",
    )
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: Kind
    address: str = Field(min_length=1, max_length=300)
    ward: str | None = Field(default=None, max_length=120)
    district: str | None = Field(default=None, max_length=120)
    phone: Phone | None = None
    description_vi: Description | None = None
    description_en: Description | None = None
    opening_hours: OpeningHoursText = None
    status: Status = "active"
    closed_until: ClosedUntil = None
    location: PointInVietnam


class EateryAdminUpdate(StrictModel):
    """The fields to change; those left out stay. Leaving temporarily_closed forgets
    closed_until."""

    # Not-null fields default to None only to mean "unchanged": a null sent is a 422.
    slug: Slug = Field(default=None)
    name_vi: str = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: Kind = Field(default=None)
    address: str = Field(default=None, min_length=1, max_length=300)
    ward: str | None = Field(default=None, max_length=120)
    district: str | None = Field(default=None, max_length=120)
    phone: Phone | None = None
    description_vi: Description | None = None
    description_en: Description | None = None
    opening_hours: OpeningHoursText = None
    status: Status = Field(default=None)
    closed_until: ClosedUntil = None
    location: PointInVietnam = Field(default=None)

    def changes(self) -> dict[str, Any]:
        """What was sent, the location as the point it names."""
        changes = self.model_dump(exclude_unset=True, exclude={"location"})
        if "location" in self.model_fields_set:
            changes["location"] = self.location
        return changes


class EateryAdminItem(BaseModel):
    id: int
    slug: str
    name_vi: str
    name_en: str | None
    status: str
    address: str


class EateriesAdmin(BaseModel):
    items: list[EateryAdminItem]
    count: int = Field(description="Eateries matching `q`, all pages")


class HoursPreviewRequest(StrictModel):
    """Opening hours as typed in the week editor."""

    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={"examples": [{"opening_hours": hours.EXAMPLE}]},
    )

    opening_hours: str = Field(
        min_length=1,
        max_length=hours.MAX_LENGTH,
        description="An OpenStreetMap `opening_hours` value",
        examples=[hours.EXAMPLE],
    )


NAME_IN_LANGUAGE = (
    "The name in the request's language: `name_en` in English when there is one, else `name_vi`"
)


class DishPrice(BaseModel):
    slug: str
    name_vi: str
    name_en: str
    name: str = Field(description=NAME_IN_LANGUAGE)
    price_vnd: int
    is_available: bool


class EateryPublic(BaseModel):
    id: int
    slug: str
    name_vi: str
    name_en: str | None
    name: str = Field(
        description="The name in the request's language: `name_en` in English when there is "
        "one, else `name_vi`"
    )
    kind: str
    address: str
    ward: str | None
    district: str | None
    location: PointGeometry
    rating: float | None = Field(description="Average stars of approved reviews; null until one")
    rating_count: int
    open_now: bool | None = Field(description="Null when the opening hours are unknown")
    next_change: LocalDatetime | None = Field(
        description="When open_now next flips (for a closed eatery, when it next opens), in Hai"
        " Phong time; null when the hours are unknown or it does not flip within a week"
    )


# The card's fields are defined in tourism.eateries.card; this schema documents them.
if tuple(EateryPublic.model_fields) != card.NAMES:
    raise RuntimeError(f"EateryPublic's fields are not the card's: {card.NAMES}")


class EateryNearby(EateryPublic):
    distance_m: float = Field(description="Metres from the point asked about, on the sphere")
    dish: DishPrice | None = Field(
        default=None, description="With `dish`: its price here; else null"
    )


# One eatery card as the examples show it.
CARD_EXAMPLE: dict[str, Any] = {
    "id": 12,
    "slug": "banh-da-cua-ba-cu",
    "name_vi": "Bánh đa cua Bà Cụ",
    "name_en": "Grandma's crab noodle soup",
    "name": "Grandma's crab noodle soup",
    "kind": "street_stall",
    "address": "179 Cầu Đất, Ngô Quyền",
    "ward": "Cầu Đất",
    "district": "Ngô Quyền",
    "location": {"type": "Point", "coordinates": [106.6839, 20.8577]},
    "rating": 4.5,
    "rating_count": 18,
    "open_now": True,
    "next_change": "2026-12-01T14:00:00+07:00",
}
PROPERTIES_EXAMPLE = {k: v for k, v in CARD_EXAMPLE.items() if k not in ("id", "location")}
NEXT_CURSOR_EXAMPLE = "eyJrIjpbMzEyLjQsMTJdLCJmIjoiYjFmMiJ9.q1Vd9mZ0mK3n"


class EateriesNearbyPublic(Page[EateryNearby]):
    """Eateries nearest first, a page at a time (`cursor`: the last distance and id)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            **CARD_EXAMPLE,
                            "distance_m": 312.4,
                            "dish": {
                                "slug": "banh-da-cua",
                                "name_vi": "Bánh đa cua",
                                "name_en": "Crab noodle soup",
                                "name": "Crab noodle soup",
                                "price_vnd": 35000,
                                "is_available": True,
                            },
                        }
                    ],
                    "count": 1,
                    "next_cursor": NEXT_CURSOR_EXAMPLE,
                    "total": 42,
                    "total_exact": True,
                }
            ]
        }
    )


class EateryProperties(BaseModel):
    """A GeoJSON feature's properties: the eatery card without its location (the geometry),
    and with `dish`, the dish's slug and price here flat beside the name, as map styles read
    them. The eatery's id is the feature's."""

    slug: str
    name_vi: str
    name_en: str | None
    name: str = Field(description=NAME_IN_LANGUAGE)
    kind: str
    address: str
    ward: str | None
    district: str | None
    rating: float | None = Field(description="Average stars of approved reviews; null until one")
    rating_count: int
    open_now: bool | None = Field(description="Null when the opening hours are unknown")
    next_change: LocalDatetime | None = Field(
        description="When open_now next flips, in Hai Phong time; null when unknown"
    )
    dish_slug: str | None = Field(default=None, description="With `dish`: the dish's slug")
    price_vnd: int | None = Field(default=None, description="With `dish`: its price here")


class EateriesGeoJSON(FeatureCollection[Feature[Point, EateryProperties]]):
    """Eateries in a box as a GeoJSON FeatureCollection (RFC 7946), most reviewed first; the
    page's members (`next_cursor`, `total`, `numberReturned`, `limit`) are foreign members."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "id": 12,
                            "geometry": CARD_EXAMPLE["location"],
                            "properties": {
                                **PROPERTIES_EXAMPLE,
                                "dish_slug": "banh-da-cua",
                                "price_vnd": 35000,
                            },
                        }
                    ],
                    "numberReturned": 1,
                    "limit": 20,
                    "next_cursor": NEXT_CURSOR_EXAMPLE,
                    "total": 57,
                    "total_exact": True,
                }
            ]
        }
    )

    numberReturned: int = Field(description="Features in this page")  # noqa: N815 (OGC name)
    limit: int = Field(description="The page size asked for")
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page. Also in "
        'the `Link: <...>; rel="next"` header.'
    )
    total: int | None = Field(
        description="Eateries in the box with these filters, all pages, counted up to 1,000; "
        "past that a lower bound"
    )
    total_exact: bool = Field(description="Whether `total` is exact (false: a lower bound)")


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
    name: str = Field(description=NAME_IN_LANGUAGE)
    category: str
    price_vnd: int
    is_available: bool
    updated_at: LocalDatetime
    rating: float | None = Field(description="Average stars for this dish here, approved reviews")
    rating_count: int


WEEK_EXAMPLE = [
    {
        "date": f"2026-11-{day:02d}",
        "weekday": weekday,
        "weekday_vi": weekday_vi,
        "is_today": day == 25,
        "intervals": [{"opens": "06:00", "closes": "14:00"}]
        if day < 28
        else [{"opens": "07:00", "closes": "22:00"}],
    }
    for day, weekday, weekday_vi in zip(
        range(23, 30), hours.WEEKDAYS_EN, hours.WEEKDAYS_VI, strict=True
    )
]


class HoursPreview(BaseModel):
    """How an opening_hours value reads: open now, when that changes, and this week."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": True,
                    "open_now": True,
                    "next_change": "2026-11-25T14:00:00+07:00",
                    "schedule": WEEK_EXAMPLE,
                }
            ]
        }
    )

    valid: bool
    open_now: bool
    next_change: LocalDatetime | None = Field(description="When open_now next flips")
    schedule: list[DaySchedulePublic]
