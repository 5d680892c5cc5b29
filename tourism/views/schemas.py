"""The answers the views compose: an eatery in full, a dish with the eateries serving it."""

from pydantic import ConfigDict, Field

from tourism.bikeshare.schemas import StationPublic
from tourism.dishes.schemas import DISH_EXAMPLE, DishPublic
from tourism.eateries.schemas import (
    CARD_EXAMPLE,
    WEEK_EXAMPLE,
    DaySchedulePublic,
    EateryPublic,
    MenuItemPublic,
)
from tourism.schemas import LocalDatetime


class EateryDetail(EateryPublic):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **CARD_EXAMPLE,
                    "phone": "+84 225 3842 123",
                    "description_vi": "Quán bánh đa cua lâu đời gần chợ Cầu Đất.",
                    "description_en": "An old crab noodle soup shop near Cau Dat market.",
                    "description": "An old crab noodle soup shop near Cau Dat market.",
                    "status": "active",
                    "opening_hours": "Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00",
                    "opening_hours_unparsed": None,
                    "website": None,
                    "cuisine": "vietnamese;noodle",
                    "schedule": WEEK_EXAMPLE,
                    "menu": [
                        {
                            "dish_slug": "banh-da-cua",
                            "name_vi": "Bánh đa cua",
                            "name_en": "Crab noodle soup",
                            "name": "Crab noodle soup",
                            "category": "noodle_soup",
                            "price_vnd": 35000,
                            "is_available": True,
                            "updated_at": "2026-11-20T09:30:00+07:00",
                            "rating": 4.6,
                            "rating_count": 9,
                        }
                    ],
                    "nearby_stations": [],
                    "updated_at": "2026-11-20T09:30:00+07:00",
                    "verified": True,
                    "rating_histogram": {"1": 0, "2": 1, "3": 2, "4": 5, "5": 10},
                }
            ]
        }
    )

    phone: str | None
    description_vi: str | None
    description_en: str | None
    description: str | None = Field(
        description="The description in the request's language, else in the other one"
    )
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
    """A dish and a page of the eateries serving it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **DISH_EXAMPLE,
                    "eateries": [{**CARD_EXAMPLE, "price_vnd": 30000, "is_available": True}],
                    "next_cursor": "eyJrIjpbMzAwMDAsMTJdLCJmIjoiYjFmMiJ9.q1Vd9mZ0mK3n",
                    "total": 14,
                }
            ]
        }
    )

    eateries: list[DishEatery] = Field(
        description="Cheapest first (then by eatery id), at most `limit`; the page after it "
        "with `cursor`"
    )
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page of `eateries`; null on the last. "
        'Also in the `Link: <...>; rel="next"` header.'
    )
    total: int = Field(description="Eateries serving the dish, all pages (= `eatery_count`)")
