"""Import OpenStreetMap eateries in bulk, keyed by (osm_type, osm_id), in one transaction.

Two phases, with memory that does not grow with the file:

1. *Staging.* A thread reads the elements (a stream), checks each one in Python (elements.py)
   and hands batches of rows to the event loop, which COPYs them into a temporary table while
   the thread reads on (PostgreSQL and Python work at the same time). The opening intervals
   of every distinct valid `opening_hours` are computed once and COPYed beside them.
2. *Writing.* Elements listed twice are resolved in SQL (the last one counts, in the place of
   the first), then one INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE changed per
   batch, in file order, and the batch's opening intervals as one INSERT ... SELECT.

Measured in bench/osm_import.py (docs/benchmarks.md): per-row statements spent their time in
round trips and in computing the same week of opening hours again for every eatery.
"""

import asyncio
import contextlib
import queue
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism import hours, locks
from tourism.accounts.ownership import MANAGED_BY_A_VENDOR
from tourism.eateries.service import ensure_open_window, refresh_open_intervals
from tourism.osm.elements import Place, Skipped, read

BATCH_SIZE = 10_000
# Batches read ahead of the database at most (with the one being read and the one written).
READ_AHEAD = 2
# Unreadable opening_hours kept to show; all of them are counted.
INVALID_HOURS_KEPT = 20
LISTED_TWICE = "listed twice in the file (the last one counts)"

# Columns an eatery's vendor owns once they manage it: a re-import leaves them alone.
VENDOR_OWNED = ("phone", "opening_hours", "opening_hours_unparsed")
COLUMNS = (
    "name_vi",
    "name_en",
    "kind",
    "address",
    "ward",
    "district",
    "phone",
    "website",
    "cuisine",
    "opening_hours",
    "opening_hours_unparsed",
)
STAGING = "osm_import_staging"
HOURS = "osm_import_hours"
STAGED = ("seq", "slug", "osm_type", "osm_id", "lon", "lat", *COLUMNS)
STAGED_TYPES = {"seq": "integer", "osm_id": "bigint", "lon": "float8", "lat": "float8"}
HOURS_COLUMNS = ("expression", "opens_at", "closes_at")


def _new_value(column: str) -> str:
    if column in VENDOR_OWNED:
        managed = MANAGED_BY_A_VENDOR.format(eatery_id="eateries.id")
        return f"CASE WHEN {managed} THEN eateries.{column} ELSE excluded.{column} END"
    return f"excluded.{column}"


def _upsert_sql() -> str:
    targets = (*COLUMNS, "location")
    new = [_new_value(c) for c in COLUMNS] + ["excluded.location"]
    return f"""
INSERT INTO eateries (slug, osm_type, osm_id, {", ".join(COLUMNS)}, location)
SELECT slug, osm_type, osm_id, {", ".join(COLUMNS)}, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
  FROM {STAGING}
 WHERE seq >= :first AND seq < :stop
 ORDER BY seq
ON CONFLICT (osm_type, osm_id) DO UPDATE
   SET {", ".join(f"{c} = {v}" for c, v in zip(targets, new, strict=True))}, updated_at = now()
 WHERE ({", ".join(f"eateries.{c}" for c in targets)})
       IS DISTINCT FROM ({", ".join(new)})
RETURNING id, (xmax = 0) AS created
"""


UPSERT = text(_upsert_sql())
CREATE_STAGING = [
    f"DROP TABLE IF EXISTS {STAGING}, {HOURS}",
    f"CREATE TEMP TABLE {STAGING} ("
    + ", ".join(f"{c} {STAGED_TYPES.get(c, 'text')}" for c in STAGED)
    + ") ON COMMIT DROP",
    # opens_at is NULL for an expression that is never open in the window (known, no interval).
    f"CREATE TEMP TABLE {HOURS} (expression text, opens_at timestamptz, closes_at timestamptz)"
    " ON COMMIT DROP",
]
# Elements listed more than once: the last one counts, in the place of the first.
TWICE = f"""
WITH twice AS (
    SELECT osm_type, osm_id, min(seq) AS first, max(seq) AS last, count(*) AS n
      FROM {STAGING} GROUP BY osm_type, osm_id HAVING count(*) > 1
), dropped AS (
    DELETE FROM {STAGING} AS s USING twice AS t
     WHERE (s.osm_type, s.osm_id) = (t.osm_type, t.osm_id) AND s.seq <> t.last
), moved AS (
    UPDATE {STAGING} AS s SET seq = t.first FROM twice AS t WHERE s.seq = t.last
)
SELECT CAST(coalesce(sum(n - 1), 0) AS integer) AS extra FROM twice
"""
INVALID_HOURS = text(
    f"SELECT osm_type || '/' || osm_id AS ref, opening_hours_unparsed AS raw, count(*) OVER () AS n"
    f"  FROM {STAGING} WHERE opening_hours_unparsed IS NOT NULL ORDER BY seq LIMIT :kept"
)
STALE_INTERVALS = text("DELETE FROM eatery_open_intervals WHERE eatery_id = ANY(:ids)")
NEW_INTERVALS = text(f"""
INSERT INTO eatery_open_intervals (eatery_id, opens_at, closes_at)
SELECT e.id, h.opens_at, h.closes_at
  FROM eateries AS e JOIN {HOURS} AS h ON h.expression = e.opening_hours
 WHERE e.id = ANY(:ids) AND e.status = 'active' AND h.opens_at IS NOT NULL
""")
# Hours the file did not have (a vendor's, kept over the import): the one general path.
OTHER_HOURS = text(f"""
SELECT e.id FROM eateries AS e
 WHERE e.id = ANY(:ids) AND e.status = 'active' AND e.opening_hours IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM {HOURS} AS h WHERE h.expression = e.opening_hours)
""")
WINDOW = text("SELECT starts_at, ends_at FROM open_hours_window WHERE id = 1")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    # The first (element, raw value) of the opening_hours kept unparsed (open_now is unknown
    # for them), in file order; invalid_hours_total counts them all.
    invalid_hours: list[tuple[str, str]] = field(default_factory=list)
    invalid_hours_total: int = 0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


class Progress:
    """What an import reports as it goes (the command draws bars); does nothing by default."""

    def staged(self, elements: int) -> None:
        """`elements` more were read and staged (or skipped)."""

    def writing(self, total: int) -> None:
        """Staging is done; `total` distinct places are to be written."""

    def written(self, places: int) -> None:
        """`places` more were written (created, updated or found unchanged)."""


@dataclass
class _Batch:
    rows: list[tuple]
    hours: list[tuple]
    elements: int


class _Reader(threading.Thread):
    """Reads and checks elements into batches of staging rows, READ_AHEAD batches ahead."""

    def __init__(self, elements: Iterable[Any], *, batch_size: int, window: tuple) -> None:
        super().__init__(name="osm-import-reader", daemon=True)
        self.elements, self.batch_size, self.window = elements, batch_size, window
        self.batches: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
        self.skipped: Counter = Counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            for batch in self._batches():
                self._put(batch)
            self._put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the event loop, raised there
            self._put(exc)

    def _put(self, item: Any) -> None:
        while not self.stopped.is_set():
            try:
                self.batches.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _batches(self) -> Iterator[_Batch]:
        seen_hours: set[str] = set()
        start, end = self.window
        rows: list[tuple] = []
        spans: list[tuple] = []
        count = seq = 0
        for element in self.elements:
            if self.stopped.is_set():
                return
            count += 1
            place = read(element) if isinstance(element, dict) else Skipped("?", "not an object")
            if isinstance(place, Skipped):
                self.skipped[place.reason] += 1
            else:
                rows.append(_row(seq, place))
                seq += 1
                if (expression := place.opening_hours) and expression not in seen_hours:
                    seen_hours.add(expression)
                    found = hours.open_intervals(expression, start, end)
                    spans.extend((expression, o, c) for o, c in found)
                    if not found:
                        spans.append((expression, None, None))
            if len(rows) >= self.batch_size:
                yield _Batch(rows, spans, count)
                rows, spans, count = [], [], 0
        if rows or count:
            yield _Batch(rows, spans, count)


def _row(seq: int, p: Place) -> tuple:
    return (
        seq,
        p.slug,
        p.osm_type,
        p.osm_id,
        p.lon,
        p.lat,
        p.name_vi,
        p.name_en,
        p.kind,
        p.address,
        p.ward,
        p.district,
        p.phone,
        p.website,
        p.cuisine,
        p.opening_hours,
        p.opening_hours_unparsed,
    )


async def _copy(session: AsyncSession, table: str, columns: tuple[str, ...], rows: list) -> None:
    if rows:
        raw = await (await session.connection()).get_raw_connection()
        await raw.driver_connection.copy_records_to_table(table, records=rows, columns=columns)


async def _stage(
    session: AsyncSession, reader: _Reader, progress: Progress, summary: ImportSummary
) -> int:
    """Phase 1: COPY the reader's batches as they come; returns how many rows were staged."""
    staged = 0
    reader.start()
    try:
        while (batch := await asyncio.to_thread(reader.batches.get)) is not None:
            if isinstance(batch, BaseException):
                raise batch
            await _copy(session, STAGING, STAGED, batch.rows)
            await _copy(session, HOURS, HOURS_COLUMNS, batch.hours)
            staged += len(batch.rows)
            progress.staged(batch.elements)
    finally:
        reader.stopped.set()
        await asyncio.to_thread(reader.join)
        with contextlib.suppress(queue.Full):  # a get() left waiting (cancelled) ends too
            reader.batches.put_nowait(None)
    summary.skipped.update(reader.skipped)
    return staged


async def _write(
    session: AsyncSession, *, staged: int, batch_size: int, summary: ImportSummary, progress
) -> None:
    """Phase 2: one upsert per batch of staged rows (file order), then their intervals."""
    for first in range(0, staged, batch_size):
        params = {"first": first, "stop": first + batch_size}
        rows = (await session.execute(UPSERT, params)).all()
        in_batch = await session.scalar(
            text(f"SELECT count(*) FROM {STAGING} WHERE seq >= :first AND seq < :stop"), params
        )
        created = [r.id for r in rows if r.created]
        updated = [r.id for r in rows if not r.created]
        summary.created += len(created)
        summary.updated += len(updated)
        summary.unchanged += in_batch - len(rows)
        if updated:
            await session.execute(STALE_INTERVALS, {"ids": updated})
        if rows:
            ids = created + updated
            await session.execute(NEW_INTERVALS, {"ids": ids})
            if others := list(await session.scalars(OTHER_HOURS, {"ids": ids})):
                await refresh_open_intervals(session, eatery_ids=others)
        progress.written(in_batch)


async def import_elements(
    session: AsyncSession,
    elements: Iterable[Any],
    *,
    now: datetime,
    window_days: int,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    rebuild_indexes: bool | None = None,
) -> ImportSummary:
    """Import Overpass elements (a list or a stream) in the session's transaction; the caller
    commits. Nothing is written to eateries before the whole stream was read and checked.

    `rebuild_indexes`: drop and rebuild the indexes (see REBUILD_AT); None decides by size.
    """
    progress = progress or Progress()
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await locks.hold(session, locks.Advisory.OSM_IMPORT)  # one import at a time
    # The imported hours become opening intervals at once (open_now in listings and tiles).
    await ensure_open_window(session, now=now, days=window_days)
    window = tuple((await session.execute(WINDOW)).one())
    for statement in CREATE_STAGING:
        await session.execute(text(statement))

    summary = ImportSummary()
    reader = _Reader(elements, batch_size=batch_size, window=window)
    staged = await _stage(session, reader, progress, summary)
    twice = 0
    if staged:
        if twice := await session.scalar(text(TWICE)):
            summary.skipped[LISTED_TWICE] += twice
        await session.execute(text(f"CREATE INDEX ON {STAGING} (seq)"))
        await session.execute(text(f"ANALYZE {STAGING}, {HOURS}"))
        invalid = (await session.execute(INVALID_HOURS, {"kept": INVALID_HOURS_KEPT})).all()
        summary.invalid_hours = [(r.ref, r.raw) for r in invalid]
        summary.invalid_hours_total = invalid[0].n if invalid else 0
    progress.writing(staged - twice)
    if rebuild_indexes is None:
        rebuild_indexes = await _worth_rebuilding(session)
    rebuilt = await _drop_indexes(session) if rebuild_indexes else []
    await _write(session, staged=staged, batch_size=batch_size, summary=summary, progress=progress)
    for statement in rebuilt:
        await session.execute(text(statement))
    return summary


# A large import into a small table is written the way PostgreSQL's manual advises for
# populating a database ("Populating a Database": remove indexes and foreign keys, load, add
# them back): an index built once is ~10x cheaper than one grown row by row (the trigram GiST
# on names: ~340 µs a row grown, ~35 µs built, docs/benchmarks.md), and a foreign key checked
# by one join beats a check per interval. The price: DROP INDEX holds eateries' ACCESS
# EXCLUSIVE lock until commit, so the API's reads of eateries wait for the import. Hence
# only when the import creates many rows compared with those already there.
REBUILD_AT = 50_000
REBUILT_TABLES = ("eateries", "eatery_open_intervals")
NEW_ROWS = text(f"""
SELECT count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM eateries AS e WHERE (e.osm_type, e.osm_id) = (s.osm_type, s.osm_id)))
       AS new, (SELECT count(*) FROM eateries) AS existing
  FROM {STAGING} AS s
""")
# Plain indexes only: the unique ones check the upsert (ON CONFLICT needs one).
PLAIN_INDEXES = text("""
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
  FROM pg_index AS i
 WHERE i.indrelid = CAST(:table AS regclass) AND NOT i.indisunique
 ORDER BY 1
""")
FOREIGN_KEYS = text("""
SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
 WHERE conrelid = 'eatery_open_intervals'::regclass AND contype = 'f'
   AND confrelid = 'eateries'::regclass
""")


async def _worth_rebuilding(session: AsyncSession) -> bool:
    counts = (await session.execute(NEW_ROWS)).one()
    return counts.new >= REBUILD_AT and counts.new * 4 >= counts.existing


async def _drop_indexes(session: AsyncSession) -> list[str]:
    """Drop the plain indexes of eateries and of their intervals and the intervals' foreign key;
    returns the statements that make them again, as they were (the catalogue's own text)."""
    again: list[str] = []
    for table in REBUILT_TABLES:
        for index in (await session.execute(PLAIN_INDEXES, {"table": table})).all():
            await session.execute(text(f"DROP INDEX {index.name}"))
            again.append(index.definition)
    intervals = "ALTER TABLE eatery_open_intervals"
    for key in (await session.execute(FOREIGN_KEYS)).all():
        await session.execute(text(f"{intervals} DROP CONSTRAINT {key.name}"))
        again.append(f"{intervals} ADD CONSTRAINT {key.name} {key.definition}")
    if again:  # a sorted GiST or B-tree build in memory rather than in passes over the disk
        again.insert(0, "SET LOCAL maintenance_work_mem = '256MB'")
    return again
