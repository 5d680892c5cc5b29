from pydantic import BaseModel, Field

from tourism.schemas import LocalDatetime, PriceVnd, Slug, StrictModel


class MenuItemCreate(StrictModel):
    dish: Slug = Field(description="The dish's slug")
    price_vnd: PriceVnd
    available: bool = True


class MenuItemUpdate(StrictModel):
    price_vnd: PriceVnd | None = None
    available: bool | None = None


class MenuUpdate(StrictModel):
    items: list[MenuItemCreate] = Field(max_length=200)


class VendorMenuItem(BaseModel):
    dish: str
    name_vi: str
    price_vnd: int
    available: bool
    updated_at: LocalDatetime


class VendorMenu(BaseModel):
    items: list[VendorMenuItem]


class PricePoint(BaseModel):
    price_vnd: int
    valid_from: LocalDatetime


class PriceHistory(BaseModel):
    dish: str
    items: list[PricePoint]
