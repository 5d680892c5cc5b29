"""Rate limits kept in the database: review bombing, password guessing, mass registration.

A bucket counts events in a sliding window; buckets of client addresses and e-mails are named
by a keyed hash, so no address or e-mail is stored.
"""

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism import locks
from tourism.exceptions import RateLimited
from tourism.languages import Message, say
from tourism.limits.models import RateEvent

RATE_WINDOW = timedelta(hours=1)  # the default window: reviews count by the hour


def keyed_bucket(action: str, kind: str, value: str, secret: str) -> str:
    """A bucket named by a keyed hash of `value`: no address or e-mail is stored."""
    digest = hashlib.sha256(f"{secret}:{value}".encode()).hexdigest()[:32]
    return f"{action}:{kind}:{digest}"


def address_bucket(action: str, address: str, secret: str) -> str:
    """A bucket for a client address, keyed by a keyed hash: no raw address is stored."""
    return keyed_bucket(action, "addr", address, secret)


TOO_MANY_REVIEWS = say("too many reviews", "gửi quá nhiều đánh giá")


def _per(window: timedelta) -> tuple[str, str]:
    """How a window reads after "at most 10", in English and Vietnamese: "an hour" / "mỗi
    giờ", "in 15 minutes" / "trong 15 phút"."""
    if window == timedelta(hours=1):
        return "an hour", "mỗi giờ"
    minutes = window // timedelta(minutes=1)
    return f"in {minutes} minutes", f"trong {minutes} phút"


def limit_message(message: Message, limit: int, window: timedelta) -> Message:
    """`message` with the limit and its window, in both languages."""
    per_en, per_vi = _per(window)
    return say(
        f"{message.en}: at most {limit} {per_en}", f"{message.vi}: tối đa {limit} lần {per_vi}"
    )


async def spend(
    session: AsyncSession,
    *,
    buckets: dict[str, int],
    now: datetime,
    window: timedelta = RATE_WINDOW,
    message: Message = TOO_MANY_REVIEWS,
) -> list[int]:
    """Count one action in every bucket, or raise RateLimited if any is full.

    A bucket is full when it holds its limit of events younger than `window`; the error says
    `message` and the limit, and when to retry. Returns the ids of the events counted, for
    `refund`. Concurrent requests for the same bucket queue on an advisory lock, so limits are
    exact.
    """
    for bucket in sorted(buckets):
        await locks.hold_named(session, bucket)
    since = now - window
    # Events older than the window count for nothing: drop them as the bucket is used.
    await session.execute(
        delete(RateEvent).where(RateEvent.bucket.in_(list(buckets)), RateEvent.at <= since)
    )
    for bucket, limit in buckets.items():
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(RateEvent.at)).where(
                    RateEvent.bucket == bucket, RateEvent.at > since
                )
            )
        ).one()
        if count >= limit:
            retry_after = max(1, int((oldest + window - now).total_seconds()) + 1)
            raise RateLimited(limit_message(message, limit, window), retry_after=retry_after)
    counted = await session.scalars(
        insert(RateEvent).returning(RateEvent.id),
        [{"bucket": bucket, "at": now} for bucket in buckets],
    )
    return list(counted)


async def refund(session: AsyncSession, event_ids: list[int]) -> None:
    """Take back events `spend` counted: the action turned out not to count."""
    if event_ids:
        await session.execute(delete(RateEvent).where(RateEvent.id.in_(event_ids)))


async def note(session: AsyncSession, *, bucket: str, now: datetime) -> None:
    """Remember that something happened at `now` (only the latest time is kept)."""
    await session.execute(delete(RateEvent).where(RateEvent.bucket == bucket))
    session.add(RateEvent(bucket=bucket, at=now))


async def noted_since(session: AsyncSession, *, bucket: str, since: datetime) -> bool:
    noted = select(RateEvent.id).where(RateEvent.bucket == bucket, RateEvent.at > since)
    return await session.scalar(noted.limit(1)) is not None
