import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tourism.dependencies import PRINTABLE
from tourism.schemas import MAX_ID, SLUG_PATTERN, LocalDatetime, Slug, StrictModel

CAMPAIGN_PATTERN = SLUG_PATTERN  # it travels as utm_campaign and in /campaigns/{name}/stats
Campaign = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=CAMPAIGN_PATTERN, examples=["tet-2027"]),
]
Placement = Annotated[
    str,
    Field(min_length=1, max_length=120, pattern=PRINTABLE, examples=["Nhà hát Lớn poster"]),
]


class SearchTarget(StrictModel):
    kind: Literal["search"]
    query: str = Field(min_length=1, max_length=100, pattern=PRINTABLE, examples=["bánh đa cua"])


class DishTarget(StrictModel):
    kind: Literal["dish"]
    slug: Slug


class EateryTarget(StrictModel):
    kind: Literal["eatery"]
    id: int = Field(gt=0, le=MAX_ID)


class StationTarget(StrictModel):
    kind: Literal["station"]
    id: str = Field(min_length=1, max_length=64, description="The station's `station_id`")


class TourTarget(StrictModel):
    """A food tour of these dishes, planned from where the code is scanned."""

    kind: Literal["tour"]
    dishes: list[Slug] = Field(min_length=1, max_length=8, examples=[["banh-da-cua", "che"]])
    minutes: int = Field(default=180, ge=30, le=720)
    mode: Literal["walk", "bike", "auto"] = "walk"


Target = Annotated[
    SearchTarget | DishTarget | EateryTarget | StationTarget | TourTarget,
    Field(discriminator="kind"),
]


class QrCodeCreate(StrictModel):
    target: Target
    campaign: Campaign
    placement: Placement | None = None


class QrCodeUpdate(StrictModel):
    active: bool


class TargetPublic(BaseModel):
    kind: str
    query: str | None = None
    slug: str | None = None
    id: int | str | None = None
    dishes: list[str] | None = Field(default=None, description="A tour's dishes (slugs)")
    minutes: int | None = None
    mode: str | None = None
    name: str = Field(description="What the code leads to, as printed on its poster")


class QrCodePublic(BaseModel):
    code: str
    short_url: str = Field(description="What the QR image encodes")
    deep_link: str = Field(description="Where a scan lands")
    target: TargetPublic
    campaign: str
    placement: str | None
    active: bool
    origin: str
    created_by: int | None
    created_at: LocalDatetime
    scans: int


class QrCodesPublic(BaseModel):
    items: list[QrCodePublic]
    count: int


class DayScans(BaseModel):
    date: dt.date
    scans: int


class ScanStats(BaseModel):
    total: int = Field(description="Every scan ever counted")
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date
    in_range: int = Field(description="Scans from `from` to `to`, both days included")
    by_day: list[DayScans] = Field(description="Every day of the range, Asia/Ho_Chi_Minh")
    by_client: dict[str, int] = Field(description="Scans in the range per kind of client")


class CodeStats(ScanStats):
    code: str


class CodeScans(BaseModel):
    code: str
    placement: str | None
    active: bool
    total: int = Field(description="Every scan of this code ever counted")


class CampaignStats(ScanStats):
    campaign: str
    codes: list[CodeScans] = Field(description="Each code's total, most scanned first")
