"""Schema pieces shared by the domains."""

import re
import types
import typing
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Literal

from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from tourism.hours import TZ

Lat = Annotated[float, Field(ge=-90, le=90, description="WGS84 latitude")]
Lon = Annotated[float, Field(ge=-180, le=180, description="WGS84 longitude")]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MAX_ID = 2**63 - 1  # bigint
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=SLUG_PATTERN)]
# Instants leave the API in Hai Phong time (+07:00), whatever zone the database used.
LocalDatetime = Annotated[datetime, PlainSerializer(lambda d: d.astimezone(TZ).isoformat())]
PriceVnd = Annotated[int, Field(gt=0, le=100_000_000, description="Price in whole VND")]

# -- dates and instants a request may name --------------------------------------------------
# Far enough either way for any real question, near enough that a day's arithmetic and
# PostgreSQL's timestamps never overflow (year 9999 plus an offset does).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
Day = Annotated[date, Ge(FIRST_DAY), Le(LAST_DAY)]


_FIRST_INSTANT = datetime.combine(FIRST_DAY, time(0), tzinfo=UTC)
_END_INSTANT = datetime.combine(LAST_DAY + timedelta(days=1), time(0), tzinfo=UTC)


def _supported_instant(value: datetime) -> datetime:
    # Compared, not converted: converting year 9999 at -12:00 to UTC overflows. A naive
    # instant is read as UTC, as the database reads it.
    if not _FIRST_INSTANT <= (value if value.tzinfo else value.replace(tzinfo=UTC)) < _END_INSTANT:
        raise PydanticCustomError(
            "instant_out_of_range",
            "must be between {first} and {last} (UTC)",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return value


Instant = Annotated[datetime, AfterValidator(_supported_instant)]

# -- text -------------------------------------------------------------------------------------
# C0 controls and DEL never make sense in typed text, and PostgreSQL cannot even store a NUL.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Text that may span lines keeps its tabs and line breaks.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NO_CONTROL_MESSAGE = "control characters are not allowed"
CONTROL_ERROR = PydanticCustomError("control_characters", NO_CONTROL_MESSAGE)


class _Multiline:
    """The marker of `MultilineText`."""

    def __repr__(self) -> str:
        return "MULTILINE"


MULTILINE = _Multiline()
# Free text that may span lines (a review, a reply, a description): tab, LF and CR allowed.
MultilineText = Annotated[str, MULTILINE]


def _control_check(annotation: Any, metadata: list[Any]) -> re.Pattern[str] | None:
    """The pattern a field's values must not match: None when the field holds no text."""
    has_text = multiline = False
    pending = [annotation]
    while pending:
        hint = pending.pop()
        if typing.get_origin(hint) is Annotated:
            hint, *marks = typing.get_args(hint)
            multiline = multiline or MULTILINE in marks
            pending.append(hint)
        elif isinstance(hint, type) and issubclass(hint, str):
            has_text = True
        elif isinstance(hint, type) and issubclass(hint, BaseModel):
            continue  # a nested model checks its own fields
        elif typing.get_origin(hint) is not None or isinstance(hint, types.UnionType):
            # list[str], dict[Slug, int], str | None...; `Any` is left to whoever reads it
            pending.extend(a for a in typing.get_args(hint) if a is not Ellipsis)
    if not has_text:
        return None
    return CONTROL_IN_TEXT if multiline or MULTILINE in metadata else CONTROL


def _control_locations(value: Any, pattern: re.Pattern[str]) -> Iterator[tuple[Any, ...]]:
    """Where, inside one field's raw value, text matches `pattern`."""
    if isinstance(value, str):
        if pattern.search(value):
            yield ()
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from ((index, *loc) for loc in _control_locations(item, pattern))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and pattern.search(key):
                yield ()
            else:
                yield from ((key, *loc) for loc in _control_locations(item, pattern))


class StrictModel(BaseModel):
    """Input models reject unknown fields instead of ignoring them (no mass assignment), and
    control characters in any text (tab and line breaks are allowed in `MultilineText`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    # field name -> the pattern its text must not match; filled in for each subclass
    _control_checks: ClassVar[dict[str, re.Pattern[str]]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._control_checks = {
            field.alias or name: pattern
            for name, field in cls.model_fields.items()
            if (pattern := _control_check(field.annotation, field.metadata)) is not None
        }

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        # Before any field's own rule (a pattern, a parser) and before whitespace is stripped,
        # so the answer is the same whatever the field and wherever the character is. One
        # error per field, at its location, so that the 422 names it. (A field validator
        # could not run first: pydantic refuses one on a union's discriminator, and "*" would
        # put it there.)
        if not isinstance(data, dict):
            return data
        errors = [
            InitErrorDetails(type=CONTROL_ERROR, loc=(name, *loc), input=value)
            for name, pattern in cls._control_checks.items()
            if (value := data.get(name)) is not None
            for loc in _control_locations(value, pattern)
        ]
        if errors:
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[lon, lat]")
