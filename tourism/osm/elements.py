"""OpenStreetMap elements (Overpass API JSON) read as eateries, or the reason they are not."""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tourism import hours
from tourism.exceptions import InvalidInput

AMENITY_KINDS = {
    "restaurant": "restaurant",
    "fast_food": "street_food",
    "cafe": "cafe",
    "food_court": "market_stall",
    "ice_cream": "dessert_shop",
}
SHOP_KINDS = {"bakery": "bakery"}
ELEMENT_TYPES = ("node", "way", "relation")
PHONE = re.compile(r"^\+?[0-9 ().-]{6,31}$")


@dataclass(frozen=True)
class Place:
    """One OSM element as the columns of an eatery."""

    osm_type: str
    osm_id: int
    name_vi: str
    name_en: str | None
    kind: str
    address: str
    ward: str | None
    district: str | None
    phone: str | None
    website: str | None
    cuisine: str | None
    lon: float
    lat: float
    opening_hours: str | None
    # A value the parser did not understand, kept verbatim (opening_hours is then unknown).
    opening_hours_unparsed: str | None

    @property
    def ref(self) -> str:
        return f"{self.osm_type}/{self.osm_id}"

    @property
    def slug(self) -> str:
        return f"osm-{self.osm_type}-{self.osm_id}"


@dataclass(frozen=True)
class Skipped:
    ref: str
    reason: str


def _text(tags: dict[str, Any], *keys: str, limit: int) -> str | None:
    """The first non-blank value among `keys`, cut to `limit` characters."""
    for key in keys:
        value = tags.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:limit]
    return None


def _kind(tags: dict[str, Any]) -> str | None:
    kind = AMENITY_KINDS.get(tags.get("amenity")) or SHOP_KINDS.get(tags.get("shop"))
    if kind == "restaurant" and "seafood" in str(tags.get("cuisine", "")).split(";"):
        return "seafood_restaurant"
    return kind


def _address(tags: dict[str, Any]) -> str:
    if full := _text(tags, "addr:full", limit=300):
        return full
    street = " ".join(
        part
        for part in (
            _text(tags, "addr:housenumber", limit=40),
            _text(tags, "addr:street", limit=200),
        )
        if part
    )
    return (street or _text(tags, "addr:place", "addr:hamlet", limit=300) or "")[:300]


def _phone(tags: dict[str, Any]) -> str | None:
    """The first number of `phone` (OSM separates several with ';'), if it looks like one."""
    value = _text(tags, "phone", "contact:phone", "contact:mobile", limit=200)
    first = value.split(";")[0].strip() if value else None
    return first if first and PHONE.match(first) else None


def _hours(tags: dict[str, Any]) -> tuple[str | None, str | None]:
    """(opening_hours, opening_hours_unparsed): one of them, or neither."""
    raw = tags.get("opening_hours")
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    return _checked_hours(raw)


# An export repeats the same few hundred values; a value no parser understands is not kept in
# hours.parse's cache (it raises), and finding out costs a parse and a message each time.
@lru_cache(maxsize=8192)
def _checked_hours(raw: str) -> tuple[str | None, str | None]:
    try:
        return hours.validate(raw), None
    except InvalidInput:
        return None, raw.strip()[: hours.MAX_LENGTH]


def read(element: dict[str, Any]) -> Place | Skipped:
    """An Overpass element as a Place, or why it is skipped."""
    osm_type, osm_id = element.get("type"), element.get("id")
    ref = f"{osm_type}/{osm_id}"
    if osm_type not in ELEMENT_TYPES or not isinstance(osm_id, int) or osm_id <= 0:
        return Skipped(ref, "not an OSM node, way or relation with an id")
    tags = element.get("tags") or {}
    kind = _kind(tags)
    if kind is None:
        return Skipped(ref, "not an eatery (amenity or shop tag)")
    name_vi = _text(tags, "name:vi", "name", limit=200)
    if name_vi is None:
        return Skipped(ref, "no name")
    point = element if osm_type == "node" else element.get("center") or {}
    lat, lon = point.get("lat"), point.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return Skipped(ref, "no coordinates (ways and relations need `out center`)")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Skipped(ref, "coordinates out of range")
    opening_hours, unparsed = _hours(tags)
    return Place(
        osm_type=osm_type,
        osm_id=osm_id,
        name_vi=name_vi,
        name_en=_text(tags, "name:en", limit=200),
        kind=kind,
        address=_address(tags),
        ward=_text(tags, "addr:subdistrict", "addr:ward", "addr:quarter", limit=120),
        district=_text(tags, "addr:district", limit=120),
        phone=_phone(tags),
        website=_text(tags, "website", "contact:website", "url", limit=300),
        cuisine=_text(tags, "cuisine", limit=255),
        lon=float(lon),
        lat=float(lat),
        opening_hours=opening_hours,
        opening_hours_unparsed=unparsed,
    )
