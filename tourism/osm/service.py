"""Import OpenStreetMap eateries: one upsert per batch, keyed by (osm_type, osm_id)."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism import locks
from tourism.accounts.ownership import MANAGED_BY_A_VENDOR
from tourism.eateries.service import ensure_open_window, refresh_open_intervals
from tourism.osm.elements import Place, Skipped, read

BATCH_SIZE = 500

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
ARRAY_TYPES = {"osm_id": "bigint[]", "lon": "float8[]", "lat": "float8[]"}


def _new_value(column: str) -> str:
    if column in VENDOR_OWNED:
        managed = MANAGED_BY_A_VENDOR.format(eatery_id="eateries.id")
        return f"CASE WHEN {managed} THEN eateries.{column} ELSE excluded.{column} END"
    return f"excluded.{column}"


def _upsert_sql() -> str:
    inputs = ("slug", "osm_type", "osm_id", "lon", "lat", *COLUMNS)
    unnest = ", ".join(f"CAST(:{c} AS {ARRAY_TYPES.get(c, 'text[]')})" for c in inputs)
    targets = (*COLUMNS, "location")
    new = [_new_value(c) for c in COLUMNS] + ["excluded.location"]
    return f"""
INSERT INTO eateries (slug, osm_type, osm_id, {", ".join(COLUMNS)}, location)
SELECT slug, osm_type, osm_id, {", ".join(COLUMNS)},
       ST_SetSRID(ST_MakePoint(lon, lat), 4326)
  FROM unnest({unnest}) AS i({", ".join(inputs)})
ON CONFLICT (osm_type, osm_id) DO UPDATE
   SET {", ".join(f"{c} = {v}" for c, v in zip(targets, new, strict=True))}, updated_at = now()
 WHERE ({", ".join(f"eateries.{c}" for c in targets)})
       IS DISTINCT FROM ({", ".join(new)})
RETURNING id, (xmax = 0) AS created
"""


UPSERT = text(_upsert_sql())


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    # (element, raw value) of every opening_hours kept unparsed: open_now is unknown for them.
    invalid_hours: list[tuple[str, str]] = field(default_factory=list)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def places(elements: Iterable[dict[str, Any]], summary: ImportSummary) -> list[Place]:
    """The importable elements, the last of each (osm_type, osm_id); the others counted."""
    by_ref: dict[str, Place] = {}
    for element in elements:
        place = read(element) if isinstance(element, dict) else Skipped("?", "not an object")
        if isinstance(place, Skipped):
            summary.skipped[place.reason] += 1
            continue
        if place.ref in by_ref:
            summary.skipped["listed twice in the file (the last one counts)"] += 1
        by_ref[place.ref] = place
    return list(by_ref.values())


async def upsert_places(session: AsyncSession, batch: list[Place], summary: ImportSummary) -> None:
    """Create or update one batch in one statement; their opening intervals follow."""
    params: dict[str, list] = {f.name: [getattr(p, f.name) for p in batch] for f in fields(Place)}
    params["slug"] = [p.slug for p in batch]
    rows = (await session.execute(UPSERT, params)).all()
    created = sum(1 for r in rows if r.created)
    summary.created += created
    summary.updated += len(rows) - created
    summary.unchanged += len(batch) - len(rows)
    summary.invalid_hours.extend(
        (p.ref, p.opening_hours_unparsed) for p in batch if p.opening_hours_unparsed
    )
    if rows:
        await refresh_open_intervals(session, eatery_ids=[r.id for r in rows])


async def import_elements(
    session: AsyncSession,
    elements: list[dict[str, Any]],
    *,
    now: datetime,
    window_days: int,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] = lambda n: None,
) -> ImportSummary:
    """Import an Overpass `elements` list in the session's transaction; the caller commits."""
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await locks.hold(session, locks.Advisory.OSM_IMPORT)  # one import at a time
    # The imported hours become opening intervals at once (open_now in listings and tiles).
    await ensure_open_window(session, now=now, days=window_days)
    summary = ImportSummary()
    todo = places(elements, summary)
    progress(len(elements) - len(todo))
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        await upsert_places(session, batch, summary)
        progress(len(batch))
    return summary
