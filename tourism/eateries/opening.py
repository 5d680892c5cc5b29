"""Open at an instant, read from the precomputed opening intervals (`eatery_open_intervals`).

Each idea is written once, in SQLAlchemy Core, for the statements SQLAlchemy builds; the
hand-written SQL of the hot paths (search, tiles) takes the same expressions compiled to text.
Every form binds the instant as :now.
"""

from datetime import datetime

from sqlalchemy import DateTime, bindparam, case, exists, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.elements import ColumnElement

from tourism.eateries.models import Eatery, EateryOpenInterval, OpenHoursWindow
from tourism.hours import LOCAL_TZ, TZ

NOW = bindparam("now", type_=DateTime(timezone=True))
_SQL_NOW = literal_column(":now")


def open_at(eatery_id: ColumnElement = Eatery.id, at: ColumnElement = NOW) -> ColumnElement:
    """Open at `at` (:now): one of the eatery's intervals holds it (an index range scan)."""
    return exists().where(
        EateryOpenInterval.eatery_id == eatery_id,
        EateryOpenInterval.opens_at <= at,
        EateryOpenInterval.closes_at > at,
    )


def open_now(opening_hours: ColumnElement, is_open: ColumnElement) -> ColumnElement:
    """The public `open_now` flag: null when the eatery's opening hours are unknown."""
    return case((opening_hours.is_(None), None), else_=is_open)


def next_change(eatery_id: ColumnElement = Eatery.id, at: ColumnElement = NOW) -> ColumnElement:
    """When the eatery's open-now flag next flips after `at` (:now): the end of the interval it
    is in, or the start of the next one; null when the hours are unknown or it does not flip
    within the precomputed window (an interval cut by the window's end is not a closing)."""
    interval = EateryOpenInterval
    change = case((interval.opens_at <= at, interval.closes_at), else_=interval.opens_at)
    window_end = select(OpenHoursWindow.ends_at).where(OpenHoursWindow.id == 1).scalar_subquery()
    return (
        select(change)
        .where(interval.eatery_id == eatery_id, interval.closes_at > at, change < window_end)
        .order_by(interval.closes_at)
        .limit(1)
        .scalar_subquery()
    )


def _text(expression: ColumnElement) -> str:
    # Literal binds: a value left to bind would fail here, not in a statement built from it.
    return str(
        expression.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )


def open_at_sql(eatery_id: str) -> str:
    """`open_at` as SQL text, for the eatery whose id is the SQL `eatery_id`."""
    return _text(open_at(literal_column(eatery_id), _SQL_NOW))


def next_change_sql(eatery_id: str) -> str:
    """`next_change` as RFC 3339 text in Hai Phong time (+07:00 all year), as the API writes
    it, for the eatery whose id is the SQL `eatery_id`."""
    instant = _text(next_change(literal_column(eatery_id), _SQL_NOW))
    offset = datetime(2000, 1, 1, tzinfo=TZ).isoformat()[-6:]  # no summer time in Vietnam
    return (
        f"to_char(({instant}) AT TIME ZONE '{LOCAL_TZ}', 'YYYY-MM-DD\"T\"HH24:MI:SS\"{offset}\"')"
    )


def open_now_sql(opening_hours: str, is_open: str) -> str:
    """`open_now` as SQL text, over SQL expressions."""
    return _text(open_now(literal_column(opening_hours), literal_column(is_open)))


# The next interval of an eatery that has not ended yet, joined as `nx`: the eatery is open at
# :now when it has begun (the same as `open_at`, as intervals do not overlap), and its open-now
# flips at the interval's end (open) or start (closed). The first to close is the first to
# open; one index-only probe of ix_eatery_open_intervals_next.
NEXT_INTERVAL = """
LEFT JOIN LATERAL (
    SELECT i.opens_at, i.closes_at FROM eatery_open_intervals AS i
     WHERE i.eatery_id = {eatery} AND i.closes_at > :now
     ORDER BY i.closes_at LIMIT 1
) AS nx ON true"""
