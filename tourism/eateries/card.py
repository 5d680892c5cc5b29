"""The eatery card: the public fields of an eatery in every list answer, defined once.

Each field has its Core columns, how the Python card reads it from a row of them, and its SQL
text. The Core select list (`public_columns`), the Python card (`public_fields`) and the card
PostgreSQL builds as JSON (`PUBLIC_JSON`) come from `FIELDS`; `EateryPublic` is checked against
it on import, and a test holds the two cards equal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Float, cast, func
from sqlalchemy.sql.elements import ColumnElement

from geo.geojson import point
from tourism.eateries import opening
from tourism.eateries.models import Eatery
from tourism.hours import TZ
from tourism.languages import current_language


@dataclass(frozen=True)
class CardField:
    name: str
    columns: tuple[ColumnElement, ...]  # labelled: the row's attributes
    read: Callable[[Any], Any]  # the field's value, from a row of `columns`
    sql: str  # the field's value as SQL text, for the eatery aliased {e}


def _column(name: str, column: ColumnElement, sql: str) -> CardField:
    """A field that is one column, read as is."""
    return CardField(name, (column.label(name),), attrgetter(name), sql)


def _attribute(name: str) -> CardField:
    return _column(name, getattr(Eatery, name), f"{{e}}.{name}")


def _name(row: Any) -> str:
    return (row.name_en or row.name_vi) if current_language() == "en" else row.name_vi


FIELDS: tuple[CardField, ...] = (
    *map(_attribute, ("id", "slug", "name_vi", "name_en")),
    # In the request's language (tourism.languages): Python reads the language where it builds
    # the card; SQL takes it as the statement's `:lang` parameter.
    CardField(
        "name",
        (),
        _name,
        "CASE WHEN CAST(:lang AS text) = 'en' THEN coalesce({e}.name_en, {e}.name_vi) "
        "ELSE {e}.name_vi END",
    ),
    *map(_attribute, ("kind", "address", "ward", "district")),
    CardField(
        "location",
        (func.ST_X(Eatery.location).label("lon"), func.ST_Y(Eatery.location).label("lat")),
        lambda row: point(row.lon, row.lat),
        "ST_AsGeoJSON({e}.location, 7)::json",
    ),
    # float8 in both forms: the same value, and no conversion per row in Python.
    _column("rating", cast(Eatery.rating_avg, Float), "{e}.rating_avg::float8"),
    _attribute("rating_count"),
    _column(
        "open_now",
        opening.open_now(Eatery.opening_hours, opening.open_at(Eatery.id)),
        opening.open_now_sql("{e}.opening_hours", opening.open_at_sql("{e}.id")),
    ),
    CardField(
        "next_change",
        (opening.next_change(Eatery.id).label("next_change"),),
        lambda row: row.next_change and row.next_change.astimezone(TZ),
        opening.next_change_sql("{e}.id"),
    ),
)
NAMES = tuple(f.name for f in FIELDS)
COLUMNS = tuple(column for f in FIELDS for column in f.columns)
_READERS = tuple((f.name, f.read) for f in FIELDS)


def public_columns() -> list[ColumnElement]:
    """The columns every public eatery listing selects (binds :now); `lon` and `lat` among
    them."""
    return list(COLUMNS)


def public_fields(row: Any) -> dict[str, Any]:
    """The public card of an eatery, from a row of `public_columns()`."""
    return {name: read(row) for name, read in _READERS}


# The same card built by PostgreSQL, as compact JSON text, for the eatery aliased {e}: the
# search's hot path sends it on without decoding it. Its statement binds `:lang`.
PUBLIC_JSON = f"""(SELECT row_to_json(card)::text FROM (
    SELECT {", ".join(f"{f.sql} AS {f.name}" for f in FIELDS)}) AS card)"""
