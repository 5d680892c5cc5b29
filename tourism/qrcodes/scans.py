"""The scan hot path: one round trip that finds the code and counts the scan.

Scans go through a bare asyncpg pool of their own (`tourism.database.create_pool`) rather than
the ORM's engine: the engine pings every checkout and wraps each statement in BEGIN/COMMIT
(four round trips), while a scan is one statement in autocommit: a CTE that looks the code up
and inserts the scan row when the code is active. Nothing is locked across the request: a scan
only appends a row, so concurrent scans of one code never wait on each other, and counts are
exact. A database that cannot answer is a 503, like everywhere (tourism.exceptions).
The pool's sessions commit without waiting for the WAL flush (`synchronous_commit = off`):
a crash can lose the last fraction of a second of scans, never corrupt them, and every other
write of the application keeps the default.
"""

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from qr.links import deep_link, is_code
from tourism.config import Settings
from tourism.database import create_pool
from tourism.exceptions import Gone, NotFound
from tourism.qrcodes.service import PublicUrls, link_target

SCAN = """
WITH code AS (
    SELECT q.id, q.active, q.target_kind, q.target_query, d.slug AS dish_slug,
           d.name_vi AS dish_name, q.eatery_id, s.station_id AS station_code,
           q.campaign, q.placement, q.utm_source
    FROM qr_codes q
    LEFT JOIN dishes d ON d.id = q.dish_id
    LEFT JOIN bike_stations s ON s.id = q.station_id
    WHERE q.code = $1
), counted AS (
    INSERT INTO qr_scans (code_id, scanned_at, client)
    SELECT id, $2, $3 FROM code WHERE active
)
SELECT * FROM code
"""

BOT_WORDS = ("bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "headless")


def client_kind(user_agent: str) -> str:
    """A coarse kind of client from the User-Agent: ios, android, desktop, bot or other."""
    ua = user_agent.lower()
    if any(word in ua for word in BOT_WORDS):
        return "bot"
    if "android" in ua:  # before desktop: Android agents say "Linux" too
        return "android"
    if any(word in ua for word in ("iphone", "ipad", "ipod", "cfnetwork")):
        return "ios"
    if any(word in ua for word in ("windows nt", "macintosh", "x11", "cros")):
        return "desktop"
    return "other"


@dataclass
class ScanRecorder:
    """Counts scans and answers where they lead; made in the app's lifespan."""

    pool: asyncpg.Pool
    urls: PublicUrls

    @classmethod
    async def open(cls, settings: Settings) -> "ScanRecorder":
        pool = await create_pool(
            settings, application_name="foodtour-scans", synchronous_commit="off"
        )
        return cls(pool=pool, urls=PublicUrls.of(settings))

    async def close(self) -> None:
        await self.pool.close()

    async def scan(self, code: str, *, at: datetime, user_agent: str) -> str:
        """Count a scan of `code` at `at` and return its deep link; NotFound or Gone."""
        if not is_code(code):
            raise NotFound(f"no QR code {code!r}")
        row = await self.pool.fetchrow(SCAN, code, at, client_kind(user_agent))
        if row is None:
            raise NotFound(f"no QR code {code!r}")
        if not row["active"]:
            raise Gone(f"QR code {code!r} is no longer in use")
        target = link_target(
            row["target_kind"],
            query=row["target_query"],
            dish_slug=row["dish_slug"],
            dish_name=row["dish_name"],
            eatery_id=row["eatery_id"],
            station_code=row["station_code"],
        )
        return deep_link(
            self.urls.web,
            target,
            campaign=row["campaign"],
            placement=row["placement"],
            source=row["utm_source"],
        )
