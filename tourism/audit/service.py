"""The audit log, and the rate limits that keep review bombing out."""

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.audit.models import AuditEntry, RateEvent
from tourism.exceptions import RateLimited

RATE_WINDOW = timedelta(hours=1)


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an entry in the caller's transaction: it lands exactly when the change does."""
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )


def address_bucket(action: str, address: str, secret: str) -> str:
    """A bucket for a client address, keyed by a keyed hash: no raw address is stored."""
    digest = hashlib.sha256(f"{secret}:{address}".encode()).hexdigest()[:32]
    return f"{action}:addr:{digest}"


async def spend(session: AsyncSession, *, buckets: dict[str, int], now: datetime) -> None:
    """Count one action in every bucket, or raise RateLimited if any is full (limit per hour).

    Concurrent requests for the same bucket queue on an advisory lock, so limits are exact.
    """
    for bucket in sorted(buckets):
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:b))"), {"b": bucket})
    since = now - RATE_WINDOW
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
            retry_after = max(1, int((oldest + RATE_WINDOW - now).total_seconds()) + 1)
            raise RateLimited(f"too many reviews: at most {limit} an hour", retry_after=retry_after)
    session.add_all(RateEvent(bucket=bucket, at=now) for bucket in buckets)
