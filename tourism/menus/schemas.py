from pydantic import BaseModel, ConfigDict, Field

from tourism.paging import Page
from tourism.schemas import LocalDatetime, PriceVnd, Slug, StrictModel

ITEM = {
    "dish": "banh-da-cua",
    "name_vi": "Bánh đa cua",
    "name_en": "Crab noodle soup",
    "name": "Crab noodle soup",
    "price_vnd": 35000,
    "available": True,
    "updated_at": "2026-03-14T08:05:00+07:00",
}
NEXT = "eyJrIjpbImJhbmgtZGEtY3VhIl19.q1Vd9mZ0mK3nQ2Vx"


class MenuItemCreate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={"examples": [{"dish": "banh-da-cua", "price_vnd": 35000}]},
    )

    dish: Slug = Field(description="The dish's slug (GET /api/v1/dishes)")
    price_vnd: PriceVnd
    available: bool = Field(default=True, description="false: on the menu but sold out")


class MenuItemUpdate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={"examples": [{"price_vnd": 40000}, {"available": False}]},
    )

    price_vnd: PriceVnd | None = Field(default=None, description="The new price; null: unchanged")
    available: bool | None = Field(default=None, description="Sold out or back; null: unchanged")


class MenuUpdate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"dish": "banh-da-cua", "price_vnd": 35000},
                        {"dish": "nem-cua-be", "price_vnd": 50000, "available": False},
                    ]
                }
            ]
        },
    )

    items: list[MenuItemCreate] = Field(
        max_length=200, description="The whole menu: each dish once; dishes left out are removed"
    )


class VendorMenuItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM]})

    dish: str = Field(description="The dish's slug")
    name_vi: str
    name_en: str
    name: str = Field(description="The dish's name in the request's language")
    price_vnd: int
    available: bool
    updated_at: LocalDatetime


class VendorMenu(BaseModel):
    """The whole menu, by dish slug: what a write left."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [ITEM]}]})

    items: list[VendorMenuItem]


class VendorMenuPage(Page[VendorMenuItem]):
    """A page of the menu, by dish slug."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"items": [ITEM], "count": 1, "next_cursor": NEXT, "total": 24, "total_exact": True}
            ]
        }
    )


class PricePoint(BaseModel):
    price_vnd: int
    valid_from: LocalDatetime = Field(description="From when the dish had this price")


class PriceHistory(Page[PricePoint]):
    """A page of the prices a dish had at an eatery, oldest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dish": "banh-da-cua",
                    "items": [
                        {"price_vnd": 30000, "valid_from": "2025-06-01T09:00:00+07:00"},
                        {"price_vnd": 35000, "valid_from": "2026-01-02T08:00:00+07:00"},
                    ],
                    "count": 2,
                    "next_cursor": NEXT,
                    "total": 5,
                    "total_exact": True,
                }
            ]
        }
    )

    dish: str = Field(description="The dish's slug")
