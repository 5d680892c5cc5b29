"""The one way writes serialize on an eatery: its row, locked until the transaction ends.

Menu writes, vendor edits, review submissions, decisions and replies all take it first, before
any row that belongs to the eatery, so concurrent writes to one eatery queue in one order and
never deadlock each other.
"""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.eateries.models import Eatery
from tourism.exceptions import NotFound


async def lock_eatery(session: AsyncSession, eatery_id: int) -> Eatery:
    """The eatery, re-read under its row lock; NotFound if it is gone.

    FOR NO KEY UPDATE: it queues every other writer of the eatery, but not the foreign-key
    checks of rows added for it meanwhile (price history, reviews, opening intervals). Taking
    it again in the same transaction is one cheap round trip.
    """
    eatery = await session.scalar(
        select(Eatery)
        .where(Eatery.id == eatery_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    if eatery is None:
        raise NotFound(f"no eatery with id {eatery_id}")
    return eatery
