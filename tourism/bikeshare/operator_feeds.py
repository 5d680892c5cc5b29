"""Reading an operator's GBFS feeds (v2.3 and v3.0): untrusted input, checked station by station.

Nothing here touches the database or the network. A document that cannot be used at all (not
JSON, another version, no station list, too large) raises `FeedError`; a bad station is left
out and reported as `Skipped`, so one broken entry never costs the others.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from tourism.bikeshare.schemas import StationCreate, StationStatusUpdate
from tourism.languages import say

SUPPORTED_VERSIONS = ("2.3", "3.0")
MAX_FEED_BYTES = 5_000_000  # per file; a city of 10 000 stations is about 3 MB
MAX_STATIONS = 10_000
MAX_FEEDS = 50  # entries in a discovery file
# A report this far ahead of our clock is a broken clock, not a fresh status.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# POSIX times GBFS 2.x may carry: 2000-01-01 .. 2100-01-01.
POSIX_RANGE = (946_684_800, 4_102_444_800)
# Preferred language of a v2.3 feed (v2.3 publishes one set of files per language).
LANGUAGES = ("vi", "en")

# Our field names, as each version spells them.
STATUS_FIELDS = {
    "2.3": {
        "station_id": "station_id",
        "num_bikes_available": "num_bikes_available",
        "num_docks_available": "num_docks_available",
        "is_installed": "is_installed",
        "is_renting": "is_renting",
        "is_returning": "is_returning",
        "last_reported": "last_reported",
    },
    "3.0": {
        "station_id": "station_id",
        "num_bikes_available": "num_vehicles_available",
        "num_docks_available": "num_docks_available",
        "is_installed": "is_installed",
        "is_renting": "is_renting",
        "is_returning": "is_returning",
        "last_reported": "last_reported",
    },
}
INFORMATION_FIELDS = {
    "station_id": "station_id",
    "lat": "lat",
    "lon": "lon",
    "address": "address",
    "capacity": "capacity",
}


T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class FeedError(Exception):
    """A feed that cannot be used at all; nothing of it is applied."""


@dataclass
class Skipped:
    """A station entry left out, and why."""

    file: str
    index: int
    station_id: str | None
    reason: str

    def __str__(self) -> str:
        who = f" ({self.station_id})" if self.station_id else ""
        return f"{self.file}[{self.index}]{who}: {self.reason}"


@dataclass
class Discovery:
    version: str
    # feed name -> URL, e.g. "station_status" -> "https://…/station_status.json"
    feeds: dict[str, str]
    language: str | None = None  # v2.3: which language's files were chosen


@dataclass
class Snapshot:
    """Everything one refresh would apply."""

    version: str
    stations: list[StationCreate] = field(default_factory=list)
    # (position in station_status, status): the position names it in reports.
    statuses: list[tuple[int, StationStatusUpdate]] = field(default_factory=list)
    # Every station_id station_information names, valid or not: the others have disappeared.
    listed: set[str] = field(default_factory=set)
    skipped: list[Skipped] = field(default_factory=list)


def load_json(raw: bytes, file: str) -> Any:
    """Parse one file; strict JSON (no NaN or Infinity), bounded in size."""
    if len(raw) > MAX_FEED_BYTES:
        raise FeedError(f"{file}: larger than {MAX_FEED_BYTES} bytes")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FeedError(f"{file}: not valid JSON ({exc})") from exc


def _version(doc: Any, file: str) -> str:
    if not isinstance(doc, dict):
        raise FeedError(f"{file}: not a JSON object")
    version = doc.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise FeedError(
            f"{file}: GBFS version {version!r} is not supported "
            f"(one of {', '.join(SUPPORTED_VERSIONS)})"
        )
    return version


def parse_discovery(doc: Any) -> Discovery:
    """The feeds a `gbfs.json` lists, with its version (v2.3: of one language)."""
    version = _version(doc, "gbfs.json")
    data = doc.get("data")
    if not isinstance(data, dict):
        raise FeedError("gbfs.json: `data` is not an object")
    language = None
    if version == "2.3":
        languages = [k for k, v in data.items() if isinstance(v, dict)]
        if not languages:
            raise FeedError("gbfs.json: `data` has no language")
        language = next((lang for lang in LANGUAGES if lang in languages), languages[0])
        data = data[language]
    entries = data.get("feeds")
    if not isinstance(entries, list) or not 0 < len(entries) <= MAX_FEEDS:
        raise FeedError(f"gbfs.json: `feeds` must be a list of 1 to {MAX_FEEDS} entries")
    feeds = {}
    for entry in entries:
        if (
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and isinstance(entry.get("url"), str)
        ):
            feeds[entry["name"]] = entry["url"]
    for name in ("station_information", "station_status"):
        if name not in feeds:
            raise FeedError(f"gbfs.json: no `{name}` feed (only docked systems are imported)")
    return Discovery(version=version, feeds=feeds, language=language)


def _stations(doc: Any, file: str, version: str) -> list[Any]:
    if _version(doc, file) != version:
        raise FeedError(f"{file}: version {doc.get('version')} but gbfs.json says {version}")
    data = doc.get("data")
    stations = data.get("stations") if isinstance(data, dict) else None
    if not isinstance(stations, list):
        raise FeedError(f"{file}: `data.stations` is not a list")
    if len(stations) > MAX_STATIONS:
        raise FeedError(f"{file}: more than {MAX_STATIONS} stations")
    return stations


def _id_of(item: Any) -> str | None:
    station_id = item.get("station_id") if isinstance(item, dict) else None
    # Stripped as the schema strips it, so " a" and "a" are caught as the same station.
    return station_id.strip() if isinstance(station_id, str) else None


def _reason(exc: ValidationError, names: dict[str, str]) -> str:
    """The first problem, named as the feed names the field."""
    error = exc.errors()[0]
    loc = [str(p) for p in error.get("loc", ())]
    if loc:
        loc[0] = names.get(loc[0], loc[0])
    message = "missing" if error.get("type") == "missing" else error.get("msg", "invalid")
    return f"{'.'.join(loc) or 'entry'}: {message}"


NOT_LOCALIZED = say(
    "expected a non-empty list of {text, language}",
    "cần một danh sách không rỗng gồm {text, language}",
)
NOT_RFC3339 = say("expected an RFC 3339 date-time", "cần một thời điểm RFC 3339")


def _localized(value: Any) -> dict[str, str]:
    """A v3 localized string (`[{"text", "language"}]`) as language -> text, in feed order."""
    if not isinstance(value, list) or not value:
        raise ValueError(NOT_LOCALIZED)
    texts: dict[str, str] = {}
    for entry in value:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("text"), str)
            and isinstance(entry.get("language"), str)
        ):
            raise ValueError(NOT_LOCALIZED)
        texts.setdefault(entry["language"].split("-")[0].lower(), entry["text"])
    return texts


def _names(item: dict, version: str, language: str | None) -> dict[str, str]:
    """`name_vi` (the local name: Vietnamese, else the first given) and `name_en` if given."""
    if "name" not in item:
        return {}
    if version == "2.3":
        name = item["name"]
        if not isinstance(name, str):
            raise ValueError(say("expected a string", "cần một chuỗi"))
        return {"name_vi": name, **({"name_en": name} if language == "en" else {})}
    texts = _localized(item["name"])
    names = {"name_vi": texts.get("vi") or next(iter(texts.values()))}
    if "en" in texts:
        names["name_en"] = texts["en"]
    return names


def _duplicates(items: list[Any]) -> set[str]:
    counts = Counter(_id_of(item) for item in items)
    return {station_id for station_id, n in counts.items() if station_id is not None and n > 1}


class _Bad(Exception):
    """What is wrong with one entry."""


def _each(
    items: list[Any], file: str, check: Callable[[dict], T]
) -> tuple[list[tuple[int, T]], list[Skipped]]:
    """`check` every entry on its own: (position, result) of the good, Skipped for the others.
    Every copy of a duplicated station_id is skipped: which one is right cannot be known."""
    duplicates = _duplicates(items)
    good, skipped = [], []
    for index, item in enumerate(items):
        station_id = _id_of(item)
        try:
            if not isinstance(item, dict):
                raise _Bad("not an object")
            if station_id in duplicates:
                raise _Bad("duplicate station_id")
            good.append((index, check(item)))
        except _Bad as exc:
            skipped.append(Skipped(file, index, station_id, str(exc)))
    return good, skipped


def _validate(model: type[M], values: dict[str, Any], names: dict[str, str]) -> M:
    """Strictly: a feed's "12" is not 12, nor 1 true."""
    try:
        return model.model_validate(values, strict=True)
    except ValidationError as exc:
        raise _Bad(_reason(exc, names)) from exc


def parse_station_information(
    doc: Any, *, version: str, language: str | None = None, file: str = "station_information"
) -> tuple[list[StationCreate], set[str], list[Skipped]]:
    """Valid stations, every station_id named (valid or not), and the entries skipped."""
    items = _stations(doc, file, version)

    def check(item: dict) -> StationCreate:
        values = {
            ours: item[theirs] for ours, theirs in INFORMATION_FIELDS.items() if theirs in item
        }
        try:
            values.update(_names(item, version, language))
        except ValueError as exc:
            raise _Bad(f"name: {exc}") from exc
        station = _validate(StationCreate, values, {"name_vi": "name", "name_en": "name"})
        if station.lat == 0 and station.lon == 0:
            raise _Bad("lat/lon: 0,0 is not a station's place (unset coordinates)")
        return station

    good, skipped = _each(items, file, check)
    listed = {station_id for station_id in map(_id_of, items) if station_id is not None}
    return [station for _, station in good], listed, skipped


def _timestamp(value: Any, version: str) -> datetime:
    if version == "2.3":
        if type(value) is not int or not POSIX_RANGE[0] <= value <= POSIX_RANGE[1]:
            raise ValueError(
                say(
                    "expected POSIX seconds (an integer) between 2000 and 2100",
                    "cần số giây POSIX (số nguyên) trong khoảng năm 2000 đến 2100",
                )
            )
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or "T" not in value:
        raise ValueError(NOT_RFC3339)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(NOT_RFC3339) from exc
    if parsed.tzinfo is None:
        raise ValueError(
            say(
                "an RFC 3339 date-time needs an offset (Z or +07:00)",
                "thời điểm RFC 3339 cần có múi giờ (Z hoặc +07:00)",
            )
        )
    return parsed


def parse_status_entries(
    items: list[Any], *, version: str, now: datetime, file: str = "station_status"
) -> tuple[list[tuple[int, StationStatusUpdate]], list[Skipped]]:
    """Station status entries of one version, each checked on its own."""
    names = STATUS_FIELDS[version]

    def check(item: dict) -> StationStatusUpdate:
        values = {ours: item[theirs] for ours, theirs in names.items() if theirs in item}
        if "last_reported" in values:
            try:
                values["last_reported"] = _timestamp(values["last_reported"], version)
            except ValueError as exc:
                raise _Bad(f"last_reported: {exc}") from exc
        status = _validate(StationStatusUpdate, values, names)
        if status.last_reported > now + MAX_CLOCK_SKEW:
            raise _Bad("last_reported: in the future")
        return status

    return _each(items, file, check)


def parse_station_status(
    doc: Any, *, version: str, now: datetime, file: str = "station_status"
) -> tuple[list[tuple[int, StationStatusUpdate]], list[Skipped]]:
    return parse_status_entries(_stations(doc, file, version), version=version, now=now, file=file)
