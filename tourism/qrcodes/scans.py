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

A scan counts only if its client has had fewer than `limit` (3) scans of that code counted in
the last minute (`ScanLimiter`); every scan still redirects. The decision is made in memory
before the statement and passed to it as a parameter: still one prepared statement, one round
trip, and a refused count costs the same as a counted one minus the insert.
"""

import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import orjson

from qr.links import deep_link, is_code, page_path
from tourism.config import Settings
from tourism.database import create_pool
from tourism.exceptions import Gone, NotFound
from tourism.languages import say
from tourism.qrcodes.service import PublicUrls, link_target, no_code

SCAN = """
WITH code AS (
    SELECT q.id, q.active, q.target_kind, q.target_query, d.slug AS dish_slug,
           d.name_vi AS dish_name, q.eatery_id, s.station_id AS station_code,
           q.target_tour, q.campaign, q.placement, q.utm_source
    FROM qr_codes q
    LEFT JOIN dishes d ON d.id = q.dish_id
    LEFT JOIN bike_stations s ON s.id = q.station_id
    WHERE q.code = $1
), counted AS (
    INSERT INTO qr_scans (code_id, scanned_at, client)
    SELECT id, $2, $3 FROM code WHERE active AND $4::bool
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


SCANS_PER_CLIENT_PER_MINUTE = 3
MAX_CLIENTS = 100_000


class ScanLimiter:
    """Which scans count: at most `limit` per client and code in any `window` (sliding).

    One per worker, in memory only: with several workers a client can be counted up to
    `limit` times in each. Keys are BLAKE2b hashes of (client address, code) under a random key
    drawn when the limiter is made and never stored, so not even the process's memory keeps an
    address. At most `max_keys` keys (~30 MB at 100,000), the least recently scanned dropped
    first: a client dropped early is only counted again sooner. Each key keeps the times of its
    last `limit` counted scans. Not thread-safe; the event loop calls it between awaits.
    """

    def __init__(
        self,
        *,
        limit: int = SCANS_PER_CLIENT_PER_MINUTE,
        window: timedelta = timedelta(minutes=1),
        max_keys: int = MAX_CLIENTS,
    ) -> None:
        if limit < 1 or max_keys < 1:
            raise ValueError(
                say(
                    "a scan limiter counts at least one scan of at least one client",
                    "bộ giới hạn lượt quét phải đếm ít nhất một lượt của ít nhất một máy",
                )
            )
        self.limit = limit
        self.window = window.total_seconds()
        self.max_keys = max_keys
        self._key = os.urandom(32)
        self._counted: OrderedDict[bytes, tuple[float, ...]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._counted)

    def admit(self, client: str, code: str, at: datetime) -> bool:
        """Whether the scan of `code` by `client` at `at` counts; remembered if it does."""
        key = hashlib.blake2b(
            f"{client}\x00{code}".encode(), key=self._key, digest_size=16
        ).digest()
        now = at.timestamp()
        # A time after `now` (a clock set back) no longer blocks: counting again is the lesser harm.
        recent = tuple(t for t in self._counted.get(key, ()) if now - self.window < t <= now)
        counted = len(recent) < self.limit
        if counted:
            recent = (*recent, now)
        self._counted[key] = recent
        self._counted.move_to_end(key)
        if len(self._counted) > self.max_keys:
            self._counted.popitem(last=False)
        return counted


class CodeOff(Gone):
    """A code turned off; `page` is the page it pointed to, to offer a browser instead."""

    def __init__(self, code: str, *, page: str) -> None:
        super().__init__(
            say(
                f"QR code {code!r} is no longer in use",
                f"mã QR {code!r} không còn được sử dụng",
            )
        )
        self.page = page


@dataclass
class ScanRecorder:
    """Counts scans and answers where they lead; made in the app's lifespan.

    `limit`: scans counted per client and code per minute (`ScanLimiter`).
    """

    pool: asyncpg.Pool
    urls: PublicUrls
    limit: int = SCANS_PER_CLIENT_PER_MINUTE
    limiter: ScanLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.limiter = ScanLimiter(limit=self.limit)

    @classmethod
    async def open(
        cls, settings: Settings, *, limit: int = SCANS_PER_CLIENT_PER_MINUTE
    ) -> "ScanRecorder":
        pool = await create_pool(
            settings, application_name="foodtour-scans", synchronous_commit="off"
        )
        return cls(pool=pool, urls=PublicUrls.of(settings), limit=limit)

    async def close(self) -> None:
        await self.pool.close()

    async def scan(self, code: str, *, at: datetime, user_agent: str, client: str) -> str:
        """Count a scan of `code` at `at` by the `client` address (unless it scanned the code
        too often lately) and return its deep link; NotFound or Gone."""
        if not is_code(code):
            raise NotFound(no_code(code))
        counts = self.limiter.admit(client, code, at)
        row = await self.pool.fetchrow(SCAN, code, at, client_kind(user_agent), counts)
        if row is None:
            raise NotFound(no_code(code))
        target = link_target(
            row["target_kind"],
            query=row["target_query"],
            dish_slug=row["dish_slug"],
            dish_name=row["dish_name"],
            eatery_id=row["eatery_id"],
            station_code=row["station_code"],
            tour=orjson.loads(row["target_tour"]) if row["target_tour"] else None,
        )
        if not row["active"]:
            raise CodeOff(code, page=page_path(target))
        return deep_link(
            self.urls.web,
            target,
            campaign=row["campaign"],
            placement=row["placement"],
            source=row["utm_source"],
        )
