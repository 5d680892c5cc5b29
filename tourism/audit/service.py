"""The audit log: who changed what, written in the changer's own transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.audit.models import AuditEntry
from tourism.paging import after as keyset_after


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


async def entries(
    session: AsyncSession,
    *,
    limit: int,
    after: tuple[datetime, int] | None = None,
    offset: int = 0,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_id: int | None = None,
    before: datetime | None = None,
) -> list[AuditEntry]:
    """The newest entries first ((at, id) descending), filtered by what the caller names:
    `limit` of them and one more, to know whether a page follows; after the keyset `after`
    (tourism.paging) or the old `offset`; before the instant `before` (deprecated paging)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if before:
        query = query.where(AuditEntry.at < before)
    if after is not None:
        query = query.where(keyset_after([(AuditEntry.at, True), (AuditEntry.id, True)], after))
    elif offset:
        query = query.offset(offset)
    return list(await session.scalars(query))
