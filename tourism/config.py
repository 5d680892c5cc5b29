"""Settings read from the environment (prefix ``TOURISM_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_TZ = "Asia/Ho_Chi_Minh"
# Development only: anything else refuses to start without TOURISM_SECRET_KEY.
DEVELOPMENT_SECRET = "development-only-secret-not-for-any-deployment"


class Settings(BaseSettings):
    """Application settings; every field can be set as ``TOURISM_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TOURISM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # Any PostGIS; when unset, the embedded cluster managed by `foodtour db up` is used.
    database_url: str | None = None
    data_dir: Path | None = None
    embedded_port: int = Field(default=54329, ge=1024, le=65535)
    embedded_database: str = "foodtour"
    # Per engine (writes, reads: pool_size + overflow each) and per bare pool (search, QR scans:
    # pool_size each); README, "Configuration", for the budget. Above pool_size, an engine opens
    # and closes connections per request: each new one costs PostgreSQL a fork, a SCRAM
    # handshake and fresh caches and plans, so the pool should cover a worker's usual load.
    pool_size: int = Field(default=20, ge=1, le=100)
    pool_max_overflow: int = Field(default=10, ge=0, le=100)
    statement_timeout_ms: int = Field(default=5000, ge=100)
    # Opening hours are precomputed as intervals for this many days ahead (see README).
    open_window_days: int = Field(default=8, ge=2, le=60)
    public_web_url: str = "http://127.0.0.1:8000"
    public_api_url: str = "http://127.0.0.1:8000"
    # The web page's base map: a MapLibre style URL (absolute, or a path on this server). Empty:
    # no base map; the page shows its markers on a plain background.
    map_style_url: str = Field(
        default="", max_length=500, pattern=r"^(|https?://[^\s\"'<>]+|/[^\s\"'<>]*)$"
    )
    # Signs access tokens (HS256). No working default outside development.
    secret_key: SecretStr | None = None
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # Review bombing: reviews (new or edited) an hour, per account and per client address.
    reviews_per_account_hour: int = Field(default=10, ge=1)
    reviews_per_address_hour: int = Field(default=100, ge=1)
    # Vector tiles: rendered layers kept in memory per worker, features per layer per tile, and
    # the HTTP max-age (0: clients revalidate every time with If-None-Match, never stale).
    tile_cache_mb: int = Field(default=64, ge=0, le=4096)
    # Query strings whose matches, and texts whose completions, each worker remembers (0: none).
    search_cache_entries: int = Field(default=4096, ge=0, le=1_000_000)
    tile_max_features: int = Field(default=2048, ge=1, le=50_000)
    tile_max_age_s: int = Field(default=0, ge=0, le=86_400)
    # Open data: the licence of the city's own data sets. Eatery data sets that contain
    # OpenStreetMap-derived rows are ODbL whatever this says (see README).
    open_data_licence: Literal["CC-BY-4.0", "CC0-1.0", "ODbL-1.0"] = "CC-BY-4.0"
    open_data_publisher: str = "Hai Phong Department of Tourism"

    @model_validator(mode="after")
    def _secret_outside_development(self) -> "Settings":
        if self.secret_key is None:
            if self.environment != "development":
                raise ValueError(
                    "TOURISM_SECRET_KEY must be set (32+ random characters) outside development"
                )
            self.secret_key = SecretStr(DEVELOPMENT_SECRET)
        elif len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("TOURISM_SECRET_KEY must be at least 32 characters")
        return self

    def resolved_database_url(self) -> str:
        """The URL of the configured database, or of the embedded cluster."""
        if self.database_url:
            return self.database_url
        from tourism.embedded import EmbeddedPostgres

        return EmbeddedPostgres(self).url(self.embedded_database)


@lru_cache
def get_settings() -> Settings:
    return Settings()
