import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tourism.dependencies import PRINTABLE
from tourism.paging import Page, page_example
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
    """What the code leads to, the campaign it counts for, and where it will hang."""

    model_config = ConfigDict(
        **StrictModel.model_config,
        json_schema_extra={
            "examples": [
                {
                    "target": {"kind": "dish", "slug": "banh-da-cua"},
                    "campaign": "tet-2027",
                    "placement": "Nhà hát Lớn poster",
                },
                {"target": {"kind": "eatery", "id": 12}, "campaign": "tet-2027"},
                {"target": {"kind": "tour", "dishes": ["banh-da-cua", "che"]}, "campaign": "hue"},
            ]
        },
    )

    target: Target
    campaign: Campaign
    placement: Placement | None = None


class QrCodeUpdate(StrictModel):
    model_config = ConfigDict(
        **StrictModel.model_config, json_schema_extra={"examples": [{"active": False}]}
    )

    active: bool = Field(description="False turns the code off: scans answer 410 Gone")


class TargetPublic(BaseModel):
    kind: str
    query: str | None = None
    slug: str | None = None
    id: int | str | None = None
    dishes: list[str] | None = Field(default=None, description="A tour's dishes (slugs)")
    minutes: int | None = None
    mode: str | None = None
    name: str = Field(description="What the code leads to, as printed on its poster")


QR_EXAMPLE = {
    "code": "Ab3dE9xQ",
    "short_url": "https://api.haiphong-food.example/q/Ab3dE9xQ",
    "deep_link": "https://haiphong-food.example/dishes/banh-da-cua?utm_source=poster"
    "&utm_medium=qr&utm_campaign=tet-2027",
    "target": {"kind": "dish", "slug": "banh-da-cua", "name": "Bánh đa cua"},
    "campaign": "tet-2027",
    "placement": "Nhà hát Lớn poster",
    "active": True,
    "origin": "api",
    "created_by": 3,
    "created_at": "2026-12-01T09:30:00+07:00",
    "scans": 42,
}


class QrCodePublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [QR_EXAMPLE]})

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


class QrCodesPublic(Page[QrCodePublic]):
    """A page of QR codes, newest first."""

    model_config = page_example(QR_EXAMPLE, total=37)


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


STATS_EXAMPLE = {
    "total": 120,
    "from": "2026-11-29",
    "to": "2026-12-01",
    "in_range": 9,
    "by_day": [
        {"date": "2026-11-29", "scans": 2},
        {"date": "2026-11-30", "scans": 0},
        {"date": "2026-12-01", "scans": 7},
    ],
    "by_client": {"ios": 5, "android": 4},
}


class CodeStats(ScanStats):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"code": "Ab3dE9xQ", **STATS_EXAMPLE}]}
    )

    code: str


class CodeScans(BaseModel):
    code: str
    placement: str | None
    active: bool
    total: int = Field(description="Every scan of this code ever counted")


class CampaignStats(ScanStats):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "campaign": "tet-2027",
                    **STATS_EXAMPLE,
                    "codes": [
                        {
                            "code": "Ab3dE9xQ",
                            "placement": "Nhà hát Lớn poster",
                            "active": True,
                            "total": 120,
                        }
                    ],
                }
            ]
        }
    )

    campaign: str
    codes: list[CodeScans] = Field(description="Each code's total, most scanned first")
