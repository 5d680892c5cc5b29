from pydantic import Field

from tourism.schemas import PriceVnd, Slug, StrictModel


class MenuItemIn(StrictModel):
    dish: Slug = Field(description="The dish's slug")
    price_vnd: PriceVnd
    available: bool = True
