"""Settings read from the environment (prefix ``TOURISM_``)."""

import hashlib
import os
import re
import secrets
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_LENGTH = 32


def running_as_root() -> bool:
    return os.geteuid() == 0


Network = IPv4Network | IPv6Network


@lru_cache(maxsize=16)
def parse_networks(text: str, setting: str = "TOURISM_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """A comma-separated list of addresses and CIDR networks (`10.0.0.1, 10.1.0.0/16, ::1`), as
    networks; ValueError names `setting` and the entry that is not one."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {entry!r} is not an IP address or CIDR network") from None
    return tuple(networks)


def default_data_dir() -> Path:
    """Where the embedded cluster and this checkout's generated secrets live.

    In the project, or under /var/lib as root: the project may then live under /root, which the
    ``postgres`` user cannot traverse.
    """
    if not running_as_root():
        return PROJECT_ROOT / ".data"
    digest = hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:10]
    return Path("/var/lib/foodtour") / f"{PROJECT_ROOT.name}-{digest}"


def local_secret_key(data_dir: Path) -> str:
    """This installation's own random key, made once and kept in `data_dir` (mode 0600).

    Like the embedded database's password: no two installations share it and nobody can know it
    from the source. Two processes starting at once agree: the file appears whole or not at all.
    """
    path = data_dir / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    draft = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)  # fails if another process made the key first: theirs wins
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


class ConfigurationError(ValueError):
    """A setting that cannot be used; the message names it and says what to do."""


# Settings that may instead be read from a file named by TOURISM_<NAME>_FILE (Docker secrets,
# systemd credentials, Kubernetes volumes): never in the environment, where `ps e` and crash
# reports show them.
SECRET_SETTINGS = (
    "secret_key",
    "previous_secret_keys",
    "database_password",
    "database_read_urls",  # URLs that may carry a password
    "metrics_token",
)


class SecretFiles(PydanticBaseSettingsSource):
    """TOURISM_<NAME>_FILE for each of SECRET_SETTINGS: the file's content, stripped."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is read in __call__

    def __call__(self) -> dict[str, Any]:
        environ = {name.upper(): value for name, value in os.environ.items()}
        prefix = self.config.get("env_prefix", "").upper()
        found: dict[str, Any] = {}
        for name in SECRET_SETTINGS:
            variable = f"{prefix}{name.upper()}"
            path = environ.get(f"{variable}_FILE")
            if not path:
                continue
            if variable in environ:
                raise ConfigurationError(
                    f"{variable} and {variable}_FILE are both set: keep one of them"
                )
            try:
                found[name] = Path(path).read_text().strip()
            except OSError as exc:
                raise ConfigurationError(
                    f"{variable}_FILE: cannot read {path} ({exc.strerror}); "
                    "it must name a file this user can read"
                ) from exc
        return found


# What TOURISM_DATABASE_URL may start with; all mean the same PostgreSQL, reached with asyncpg.
DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


def normalise_database_url(url: str, password: str | None = None) -> str:
    """`url` as `postgresql+asyncpg://...`, with `password` put in when the URL has none.

    Managed providers hand out `postgres://` URLs; SQLAlchemy knows only `postgresql`.
    """
    example = "postgresql://user:password@host:5432/database"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"TOURISM_DATABASE_URL is not a URL: write it as {example}"
        ) from None
    if parsed.drivername not in DATABASE_SCHEMES:
        raise ConfigurationError(
            f"TOURISM_DATABASE_URL starts with {parsed.drivername}://, not a PostgreSQL URL: "
            f"write it as {example}"
        )
    if password is not None:
        if parsed.password is not None:
            raise ConfigurationError(
                "TOURISM_DATABASE_URL has a password and TOURISM_DATABASE_PASSWORD(_FILE) "
                "gives one too: keep one of them"
            )
        parsed = parsed.set(password=password)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _read_url(url: str, password: str | None) -> str:
    """A replica's URL as asyncpg takes it, with database_password if it has no password."""
    normalised = normalise_database_url(url)
    if password is None or make_url(normalised).password is not None:
        return normalised
    return normalise_database_url(normalised, password)


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
    # Requests: a body over this is a 413 before it is read (JSON bodies here are small; the
    # largest, an operator's station status push, is about 200 bytes a station); a request head
    # (request line and headers) over max_header_bytes is refused by the server with a 431.
    max_body_bytes: int = Field(default=2**20, ge=1024, le=64 * 2**20)
    max_header_bytes: int = Field(default=64 * 1024, ge=8 * 1024, le=2**20)
    # QR scans counted per client per code per minute (each worker); more still redirect.
    qr_scans_per_client_minute: int = Field(default=3, ge=1, le=1_000_000)
    # Opening hours are precomputed as intervals for this many days ahead (see README).
    open_window_days: int = Field(default=8, ge=2, le=60)
    public_web_url: str = "http://127.0.0.1:8000"
    public_api_url: str = "http://127.0.0.1:8000"
    # The web page's base map: a MapLibre style URL (absolute, or a path on this server). Empty:
    # no base map; the page shows its markers on a plain background. The default is OpenFreeMap's
    # public style (OpenStreetMap data, no key); the page falls back to the plain background
    # when it cannot load.
    map_style_url: str = Field(
        default="https://tiles.openfreemap.org/styles/liberty",
        max_length=500,
        pattern=r"^(|https?://[^\s\"'<>]+|/[^\s\"'<>]*)$",
    )
    # A self-hosted base map: one PMTiles archive (Protomaps schema), served by this server at
    # /basemap.pmtiles in byte ranges. When set it wins over map_style_url.
    basemap_pmtiles: Path | None = None
    # Signs access tokens (HS256), search cursors, and keys the hashes of client addresses. Unset:
    # development and test make a random key once and keep it in the data directory; production
    # refuses to start (every server of a deployment must share one key).
    secret_key: SecretStr | None = None
    # Keys of a rotation window (README, "Rotating the secret key"), comma-separated: tokens and
    # search cursors they signed are still accepted; everything new is signed with secret_key.
    previous_secret_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    # Put into TOURISM_DATABASE_URL when that has no password (TOURISM_DATABASE_PASSWORD_FILE).
    database_password: SecretStr | None = None
    # Streaming replicas of the primary, comma-separated URLs (a password-less one takes
    # database_password): the read-only paths read there (tourism.replicas). Empty: the primary.
    database_read_urls: Annotated[tuple[str, ...], NoDecode] = ()
    # After a successful write a client reads on the primary for this long (0: never).
    read_your_writes_s: int = Field(default=5, ge=0, le=300)
    # A replica that failed to connect is skipped for this long (per worker).
    replica_retry_s: float = Field(default=10, gt=0, le=3600)
    access_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # Review bombing: reviews (new or edited) an hour, per account and per client address.
    reviews_per_account_hour: int = Field(default=10, ge=1)
    reviews_per_address_hour: int = Field(default=100, ge=1)
    # Password guessing: failed logins per client address and per account (e-mail) in a sliding
    # window, so a lock lifts by itself; an address the account logged in from within
    # login_known_address_days is not held by the account's lock (tourism.accounts.service).
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_failures_per_address: int = Field(default=30, ge=1)
    login_failures_per_account: int = Field(default=10, ge=1)
    login_known_address_days: int = Field(default=30, ge=0, le=365)
    # Mass registration: accounts registered an hour per client address.
    registrations_per_address_hour: int = Field(default=10, ge=1)
    # Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For names
    # the client; empty: the peer is the client and the header is ignored (tourism.proxies).
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_parse(cls, value: str) -> str:
        parse_networks(value)  # said at startup, not as a wrong address on every request
        return value

    @property
    def trusted_networks(self) -> tuple[Network, ...]:
        """TOURISM_TRUSTED_PROXIES parsed (cached per text)."""
        return parse_networks(self.trusted_proxies)

    # Logs (tourism.observability): `text`, or `json` (one object per line, access lines too).
    log_format: Literal["text", "json"] = "text"
    # /metrics answers a Bearer token equal to metrics_token, or a client address in
    # metrics_allow (addresses or CIDR networks, comma-separated; empty: the token only).
    metrics_token: SecretStr | None = None
    metrics_allow: str = "127.0.0.1,::1"
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

    @field_validator("basemap_pmtiles", mode="before")
    @classmethod
    def _unset_if_empty(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("basemap_pmtiles")
    @classmethod
    def _basemap_exists(cls, value: Path | None) -> Path | None:
        # Said at startup, not as a 404 on the first tourist's map.
        if value is not None and not value.is_file():
            raise ValueError(f"TOURISM_BASEMAP_PMTILES: {value} is not a file")
        return value

    # The tour planner: candidates weighed per dish, the search's time cap, and the bike fare
    # it estimates per ride (the first half hour, then each half hour begun).
    tour_candidates: int = Field(default=10, ge=1, le=100)
    tour_solve_ms: int = Field(default=300, ge=10, le=10_000)
    bike_fare_first_30_min_vnd: int = Field(default=5_000, ge=0, le=1_000_000)
    bike_fare_next_30_min_vnd: int = Field(default=5_000, ge=0, le=1_000_000)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFiles(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    @field_validator("previous_secret_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment or a file: commas or lines
            return tuple(key for key in re.split(r"[,\s]+", value) if key)
        return value

    @field_validator("database_read_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment or a file: commas or lines
            return tuple(url for url in re.split(r"[,\s]+", value) if url)
        return value

    @model_validator(mode="after")
    def _database_url(self) -> "Settings":
        password = self.database_password
        plain = password.get_secret_value() if password else None
        self.database_read_urls = tuple(_read_url(url, plain) for url in self.database_read_urls)
        if self.database_url:
            self.database_url = normalise_database_url(self.database_url, plain)
        elif password is not None:
            raise ConfigurationError(
                "TOURISM_DATABASE_PASSWORD(_FILE) is set without TOURISM_DATABASE_URL: "
                "set the URL too (the embedded database has a password of its own)"
            )
        return self

    @model_validator(mode="after")
    def _secret_key(self) -> "Settings":
        for previous in self.previous_secret_keys:
            if len(previous.get_secret_value()) < MIN_SECRET_LENGTH:
                raise ValueError(
                    f"TOURISM_PREVIOUS_SECRET_KEYS: each key must be at least "
                    f"{MIN_SECRET_LENGTH} characters"
                )
        if self.secret_key is None:
            if self.environment == "production":
                raise ValueError(
                    "TOURISM_SECRET_KEY (or TOURISM_SECRET_KEY_FILE) must be set in production: "
                    "32+ random characters, e.g. from `openssl rand -base64 48`"
                )
            self.secret_key = SecretStr(local_secret_key(self.data_root))
        elif len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"TOURISM_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return self

    @property
    def verification_keys(self) -> tuple[str, ...]:
        """The keys a signature is checked against: the current one first, then the previous."""
        assert self.secret_key is not None  # set by _secret_key
        previous = (key.get_secret_value() for key in self.previous_secret_keys)
        return (self.secret_key.get_secret_value(), *previous)

    @property
    def data_root(self) -> Path:
        return self.data_dir or default_data_dir()


@lru_cache
def get_settings() -> Settings:
    return Settings()
