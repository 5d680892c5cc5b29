"""Open data: the catalogue, and every data set streamed from a server-side cursor.

Nothing is built whole in memory: rows leave in chunks as the cursor yields them, so a city of
200,000 eateries costs one chunk of memory, not the file.
"""

import csv
import io
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from geo.geojson import point
from tourism import changes
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.changes import Versioned
from tourism.dishes.models import Dish
from tourism.eateries.models import Eatery
from tourism.hours import TZ
from tourism.menus.models import MenuItem

CHUNK_ROWS = 1000
UTF8_BOM = "\ufeff"  # spreadsheets (Excel) then read the file as UTF-8: Vietnamese stays intact

LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}
OSM_ATTRIBUTION = "© OpenStreetMap contributors"

MEDIA = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    description: str
    formats: tuple[str, ...]
    tables: tuple[Versioned, ...]  # what its `updated_at` follows
    # Rows may come from OpenStreetMap (eatery names, places): then the data set is ODbL.
    osm_derived: bool = False


DATASETS = (
    Dataset(
        "eateries",
        "Eateries of Hai Phong",
        "Every active eatery: names (Vietnamese, English), kind, address, position, phone, "
        "website, cuisine, OpenStreetMap opening hours, rating from approved reviews; rows "
        "imported from OpenStreetMap carry their osm_ref.",
        ("geojson", "csv"),
        (Versioned.EATERIES,),
        osm_derived=True,
    ),
    Dataset(
        "dishes",
        "Hai Phong dishes",
        "The dish catalogue: slug, Vietnamese and English names, category, descriptions and the "
        "other names people use.",
        ("csv",),
        (Versioned.DISHES,),
    ),
    Dataset(
        "menu",
        "Dish prices",
        "Which active eatery serves which dish, at what price in whole VND, and whether it is "
        "available now.",
        ("csv",),
        (Versioned.MENU_ITEMS, Versioned.EATERIES, Versioned.DISHES),
        osm_derived=True,
    ),
    Dataset(
        "stations",
        "Public bike-share stations",
        "Bike-share stations: position, capacity and the latest reported bikes and free docks.",
        ("geojson",),
        (Versioned.BIKE_STATIONS, Versioned.BIKE_STATION_STATUS),
    ),
)
BY_FILE = {f"{d.id}.{fmt}": d for d in DATASETS for fmt in d.formats}


def licence(dataset: Dataset, *, default: str, publisher: str, has_osm_rows: bool) -> dict:
    """ODbL with OpenStreetMap attribution when OSM-derived rows are in it; else the default."""
    licence_id = "ODbL-1.0" if dataset.osm_derived and has_osm_rows else default
    name, url = LICENCES[licence_id]
    attribution = publisher
    if licence_id == "ODbL-1.0" and dataset.osm_derived and has_osm_rows:
        attribution = f"{publisher}; {OSM_ATTRIBUTION}"
    return {"id": licence_id, "name": name, "url": url, "attribution": attribution}


async def has_osm_rows(session: AsyncSession) -> bool:
    """Does any active eatery come from OpenStreetMap?"""
    query = select(
        select(Eatery.id).where(Eatery.osm_id.is_not(None), Eatery.status == "active").exists()
    )
    return bool(await session.scalar(query))


async def catalogue(
    session: AsyncSession, *, base_url: str, default_licence: str, publisher: str
) -> dict[str, Any]:
    changed = await changes.changed_at(session)
    osm = await has_osm_rows(session)
    return {
        "publisher": publisher,
        "datasets": [
            {
                "id": d.id,
                "title": d.title,
                "description": d.description,
                "licence": licence(
                    d, default=default_licence, publisher=publisher, has_osm_rows=osm
                ),
                "updated_at": max(changed[t] for t in d.tables),
                "formats": [
                    {
                        "format": fmt,
                        "media_type": MEDIA[fmt],
                        "url": f"{base_url}/{d.id}.{fmt}",
                    }
                    for fmt in d.formats
                ],
            }
            for d in DATASETS
        ],
    }


# -- the rows of each data set ---------------------------------------------------------------


def _osm_ref():
    return func.nullif(func.concat(Eatery.osm_type, literal("/"), Eatery.osm_id), "/")


def _names(columns: tuple) -> tuple[str, ...]:
    """The header of a data set: its columns' names, in order (one list says both)."""
    return tuple(column.key for column in columns)


def _position(location) -> tuple:
    return func.ST_X(location).label("lon"), func.ST_Y(location).label("lat")


EATERY_COLUMNS = (
    Eatery.id, Eatery.slug, Eatery.name_vi, Eatery.name_en, Eatery.kind, Eatery.address,
    Eatery.ward, Eatery.district, Eatery.phone, Eatery.website, Eatery.cuisine,
    Eatery.opening_hours, Eatery.rating_avg.label("rating"), Eatery.rating_count,
    Eatery.verified, _osm_ref().label("osm_ref"), Eatery.updated_at,
)  # fmt: skip
EATERY_FIELDS = _names(EATERY_COLUMNS)


def eateries_query() -> Select:
    return (
        select(*EATERY_COLUMNS, *_position(Eatery.location))
        .where(Eatery.status == "active")
        .order_by(Eatery.id)
    )


DISH_COLUMNS = (
    Dish.slug, Dish.name_vi, Dish.name_en, Dish.category, Dish.description_vi,
    Dish.description_en, func.array_to_string(Dish.aliases, "; ").label("aliases"),
)  # fmt: skip
DISH_FIELDS = _names(DISH_COLUMNS)


def dishes_query() -> Select:
    return select(*DISH_COLUMNS).order_by(Dish.slug)


MENU_COLUMNS = (
    Eatery.id.label("eatery_id"), Eatery.slug.label("eatery_slug"),
    Eatery.name_vi.label("eatery_name"), Dish.slug.label("dish_slug"),
    Dish.name_vi.label("dish_name_vi"), Dish.name_en.label("dish_name_en"),
    MenuItem.price_vnd, MenuItem.is_available, MenuItem.updated_at,
)  # fmt: skip
MENU_FIELDS = _names(MENU_COLUMNS)


def menu_query() -> Select:
    return (
        select(*MENU_COLUMNS)
        .join(Eatery, Eatery.id == MenuItem.eatery_id)
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(Eatery.status == "active")
        .order_by(MenuItem.eatery_id, Dish.slug)
    )


STATION_COLUMNS = (
    BikeStation.station_id, BikeStation.name_vi, BikeStation.name_en, BikeStation.address,
    BikeStation.capacity, BikeStation.is_installed, BikeStationStatus.num_bikes_available,
    BikeStationStatus.num_docks_available, BikeStationStatus.is_renting,
    BikeStationStatus.is_returning, BikeStationStatus.last_reported,
)  # fmt: skip
STATION_FIELDS = _names(STATION_COLUMNS)


def stations_query() -> Select:
    return (
        select(*STATION_COLUMNS, *_position(BikeStation.location))
        .outerjoin(BikeStationStatus, BikeStationStatus.station_pk == BikeStation.id)
        .order_by(BikeStation.station_id)
    )


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(TZ).isoformat()
    if hasattr(value, "as_integer_ratio") and not isinstance(value, int | float):
        return float(value)  # Decimal ratings
    return value


async def _chunks(
    sessions: async_sessionmaker[AsyncSession], query: Select
) -> AsyncIterator[Sequence]:
    """Rows in chunks from a server-side cursor, on a session of the stream's own."""
    async with sessions() as session:
        result = await session.stream(query.execution_options(yield_per=CHUNK_ROWS))
        async for chunk in result.partitions():
            yield chunk


async def csv_stream(
    sessions: async_sessionmaker[AsyncSession], query: Select, columns: Sequence[str]
) -> AsyncIterator[bytes]:
    """RFC 4180 CSV (quoted where needed, CRLF) in UTF-8 with a byte-order mark and a header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow(columns)
    async for chunk in _chunks(sessions, query):
        for row in chunk:
            mapping = row._mapping
            writer.writerow(["" if mapping[c] is None else _value(mapping[c]) for c in columns])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


async def geojson_stream(
    sessions: async_sessionmaker[AsyncSession],
    query: Select,
    columns: Sequence[str],
    *,
    key: str,
    members: dict[str, Any],
) -> AsyncIterator[bytes]:
    """A FeatureCollection written feature by feature; `members` go before the features."""
    head = {"type": "FeatureCollection", **members}
    yield orjson.dumps(head)[:-1] + b',"features":['
    first = True
    async for chunk in _chunks(sessions, query):
        parts = []
        for row in chunk:
            m = row._mapping
            feature = {
                "type": "Feature",
                "id": m[key],
                "geometry": point(m["lon"], m["lat"]),
                "properties": {c: _value(m[c]) for c in columns},
            }
            parts.append(orjson.dumps(feature))
        if parts:
            yield (b"" if first else b",") + b",".join(parts)
            first = False
    yield b"]}"


@dataclass(frozen=True)
class Export:
    query: Callable[[], Select]
    columns: tuple[str, ...]  # GeoJSON properties
    key: str
    located: bool = False  # rows have lon, lat: CSV columns, GeoJSON geometry

    @property
    def csv_columns(self) -> tuple[str, ...]:
        return (*self.columns, "lon", "lat") if self.located else self.columns


EXPORTS = {
    "eateries": Export(eateries_query, EATERY_FIELDS, "id", located=True),
    "dishes": Export(dishes_query, DISH_FIELDS, "slug"),
    "menu": Export(menu_query, MENU_FIELDS, "eatery_id"),
    "stations": Export(stations_query, STATION_FIELDS, "station_id", located=True),
}
