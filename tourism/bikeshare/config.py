"""What the published GBFS feeds say about the system (prefix ``TOURISM_GBFS_``).

The defaults describe the development city; a deployment sets its operator's real values.
Read once per app, by `create_app`, which hands them to the app's resources.
"""

from pydantic import EmailStr, Field, HttpUrl, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tourism import hours
from tourism.exceptions import InvalidInput
from tourism.languages import say

# Published in every system_information.json: a deployment must say who answers.
PLACEHOLDER_CONTACT = "gbfs@foodtour.example.com"


class GbfsSettings(BaseSettings):
    """System metadata of `/gbfs/v3/system_information.json`; every field is TOURISM_GBFS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TOURISM_GBFS_", extra="ignore")

    # Globally unique, stable across versions of the feed.
    system_id: str = Field(default="vn-haiphong-bikeshare", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    name_vi: str = Field(default="Xe đạp công cộng Hải Phòng", min_length=1, max_length=200)
    name_en: str = Field(default="Hai Phong Public Bike Share", min_length=1, max_length=200)
    operator_vi: str = Field(default="TNGo Hải Phòng", min_length=1, max_length=200)
    operator_en: str = Field(default="TNGo Hai Phong", min_length=1, max_length=200)
    # OpenStreetMap opening_hours syntax, as GBFS v3 requires.
    opening_hours: str = "24/7"
    feed_contact_email: EmailStr = PLACEHOLDER_CONTACT
    # An SPDX identifier (the GBFS schema's list), or the URL of other terms, which wins.
    license_id: str | None = Field(default="CC-BY-4.0", pattern=r"^[A-Za-z0-9.+-]{1,64}$")
    license_url: HttpUrl | None = None
    attribution_vi: str | None = Field(default="Sở Du lịch Hải Phòng", max_length=200)
    attribution_en: str | None = Field(default="Hai Phong Department of Tourism", max_length=200)
    # The system's own web site, if it has one.
    url: HttpUrl | None = None
    # Seconds a consumer may keep station_information and station_status.
    ttl_seconds: int = Field(default=60, ge=0, le=3600)
    # An import or push that would mark more than this share of the installed stations as not
    # installed changes nothing (`--allow-shrink`, `?allow_shrink=true`): an operator's partial
    # outage must not empty the map.
    max_shrink: float = Field(default=0.2, ge=0, le=1)

    @field_validator("opening_hours")
    @classmethod
    def _osm_syntax(cls, value: str) -> str:
        try:
            checked = hours.validate(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
        if checked is None:
            raise ValueError(say("must not be empty", "không được để trống"))
        return checked

    def refuse_placeholders(self) -> None:
        """In production: the feeds must not publish the development contact address."""
        if self.feed_contact_email == PLACEHOLDER_CONTACT:
            raise ValueError(
                say(
                    "TOURISM_GBFS_FEED_CONTACT_EMAIL must be set in production: every feed "
                    "publishes it",
                    "phải đặt TOURISM_GBFS_FEED_CONTACT_EMAIL khi chạy thật: mọi tệp GBFS đều "
                    "công bố địa chỉ này",
                )
            )
