"""Every lock the application takes, in one place.

Advisory locks (held to the end of the transaction) serialize work that is not one row: one
opening-hours window refresh, one OSM import and one station refresh at a time, and each
rate-limit bucket. Row locks serialize writes to one thing: an eatery's row is locked first by
every write to it or to what belongs to it (menu, details, reviews, replies), so concurrent
writes to one eatery queue in one order and never deadlock each other.
"""

from enum import IntEnum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.exceptions import NotFound
from tourism.languages import say


class Advisory(IntEnum):
    """The keys of the application's advisory locks (values kept from the first releases)."""

    OPEN_WINDOW_REFRESH = 7_384_001
    OSM_IMPORT = 7_384_002
    STATION_REFRESH = 0x6B_66_73  # "gbfs"


_ADVISORY = text("SELECT pg_advisory_xact_lock(:key)")
_ADVISORY_NAMED = text("SELECT pg_advisory_xact_lock(hashtext(:name))")
# FOR NO KEY UPDATE: it queues every other writer of the eatery, but not the foreign-key checks
# of rows added for it meanwhile (price history, reviews, opening intervals).
_EATERY_ROW = text("SELECT id FROM eateries WHERE id = :id FOR NO KEY UPDATE")


async def hold(session: AsyncSession, lock: Advisory) -> None:
    """Wait for `lock` and hold it until the transaction ends."""
    await session.execute(_ADVISORY, {"key": int(lock)})


async def hold_named(session: AsyncSession, name: str) -> None:
    """The same for a lock named at run time (a rate-limit bucket)."""
    await session.execute(_ADVISORY_NAMED, {"name": name})


async def lock_eatery(session: AsyncSession, eatery_id: int) -> None:
    """Lock the eatery's row until the transaction ends; NotFound if there is none.

    Taking it again in the same transaction is one cheap round trip. Callers holding the eatery
    as an object re-read it after (`populate_existing`), since another writer may have changed it
    while they waited.
    """
    if await session.scalar(_EATERY_ROW, {"id": eatery_id}) is None:
        raise NotFound(
            say(f"no eatery with id {eatery_id}", f"không tìm thấy quán ăn có mã {eatery_id}")
        )
