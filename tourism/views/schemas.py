"""The answers the views compose: an eatery in full, a dish with the eateries serving it."""

from pydantic import Field

from tourism.bikeshare.schemas import StationPublic
from tourism.dishes.schemas import DishPublic
from tourism.eateries.schemas import DaySchedulePublic, EateryPublic, MenuItemPublic
from tourism.schemas import LocalDatetime


class EateryDetail(EateryPublic):
    phone: str | None
    description_vi: str | None
    description_en: str | None
    status: str
    opening_hours: str | None
    opening_hours_unparsed: str | None = Field(
        default=None,
        description="Hours from an import that could not be read, as given; open_now is then null",
    )
    website: str | None = None
    cuisine: str | None = Field(default=None, description="OpenStreetMap cuisine values, ';'")
    next_change: LocalDatetime | None = Field(description="When open_now next flips")
    schedule: list[DaySchedulePublic]
    menu: list[MenuItemPublic]
    nearby_stations: list[StationPublic]
    updated_at: LocalDatetime
    verified: bool = Field(description="Checked by the tourism department")
    rating_histogram: dict[str, int] = Field(description="Approved reviews per star, '1'..'5'")


class DishEatery(EateryPublic):
    price_vnd: int
    is_available: bool


class DishDetail(DishPublic):
    eateries: list[DishEatery] = Field(description="Cheapest first, at most `limit`")
