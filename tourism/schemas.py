"""Schema pieces shared by the domains."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from tourism.config import LOCAL_TZ

Lat = Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude")]
Lon = Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude")]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID = 2**63 - 1  # bigint
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=SLUG_PATTERN)]
# Instants leave the API in Hai Phong time (+07:00), whatever zone the database used.
LocalDatetime = Annotated[
    datetime, PlainSerializer(lambda d: d.astimezone(ZoneInfo(LOCAL_TZ)).isoformat())
]
PriceVnd = Annotated[int, Field(gt=0, le=100_000_000, description="Price in whole VND")]


class StrictModel(BaseModel):
    """Input models reject unknown fields instead of ignoring them (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[lon, lat]")
