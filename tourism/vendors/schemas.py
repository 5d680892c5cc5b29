from datetime import date

from pydantic import BaseModel, Field

from tourism.eateries.schemas import ClosedUntil, OpeningHoursText, Status
from tourism.schemas import MultilineText, StrictModel


class EateryVendorUpdate(StrictModel):
    """What a vendor may change. Anything else (rating, votes, owner, verified) is a 422."""

    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ().-]{6,31}$")
    description_vi: MultilineText | None = Field(default=None, max_length=1000)
    description_en: MultilineText | None = Field(default=None, max_length=1000)
    opening_hours: OpeningHoursText = None
    status: Status | None = None
    closed_until: ClosedUntil = None


class VendorEatery(BaseModel):
    id: int
    slug: str
    name_vi: str
    name_en: str | None
    status: str
    closed_until: date | None = Field(
        description="With temporarily_closed: the last day it is closed; it reopens the day after"
    )
    phone: str | None
    description_vi: str | None
    description_en: str | None
    opening_hours: str | None
    verified: bool
    rating: float | None
    rating_count: int


class VendorEateries(BaseModel):
    items: list[VendorEatery]
