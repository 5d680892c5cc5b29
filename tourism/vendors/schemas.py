from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from tourism.eateries.schemas import ClosedUntil, OpeningHoursText, Phone, Status
from tourism.paging import Page, page_example
from tourism.schemas import MultilineText, StrictModel

# Examples give every field a value: FastAPI leaves nulls out of the OpenAPI document.
EATERY = {
    "id": 12,
    "slug": "banh-da-cua-ba-cu",
    "name_vi": "Bánh đa cua bà Cụ",
    "name_en": "Grandma's crab noodle soup",
    "name": "Grandma's crab noodle soup",
    "status": "temporarily_closed",
    "closed_until": "2026-02-20",
    "phone": "+84 225 384 1234",
    "description_vi": "Bánh đa cua gia truyền từ năm 1985.",
    "description_en": "Family crab noodle soup since 1985.",
    "description": "Family crab noodle soup since 1985.",
    "opening_hours": "Mo-Su 06:00-11:00",
    "verified": True,
    "rating": 4.6,
    "rating_count": 27,
}


class EateryVendorUpdate(StrictModel):
    """What a vendor may change. Anything else (rating, votes, owner, verified) is a 422."""

    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {"opening_hours": "Mo-Su 06:00-11:00", "phone": "+84 225 384 1234"},
                {"status": "temporarily_closed", "closed_until": "2026-02-20"},
            ]
        },
    )

    phone: Phone | None = Field(default=None, description="The eatery's phone number")
    description_vi: MultilineText | None = Field(
        default=None, max_length=1000, description="The description in Vietnamese"
    )
    description_en: MultilineText | None = Field(
        default=None, max_length=1000, description="The description in English"
    )
    opening_hours: OpeningHoursText = None
    status: Status | None = Field(default=None, description="null or left out: unchanged")
    closed_until: ClosedUntil = None


class VendorEatery(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EATERY]})

    id: int
    slug: str
    name_vi: str
    name_en: str | None
    name: str = Field(
        description="The name in the request's language: `name_en` in English when there is "
        "one, else `name_vi`"
    )
    status: str
    closed_until: date | None = Field(
        description="With temporarily_closed: the last day it is closed; it reopens the day after"
    )
    phone: str | None
    description_vi: str | None
    description_en: str | None
    description: str | None = Field(
        description="The description in the request's language: `description_en` in English "
        "when there is one, else `description_vi`"
    )
    opening_hours: str | None
    verified: bool
    rating: float | None
    rating_count: int


class VendorEateries(Page[VendorEatery]):
    """A page of the eateries the vendor manages, by id."""

    model_config = page_example(EATERY, total=31)
