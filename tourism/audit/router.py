from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from tourism.accounts.dependencies import AdminUser
from tourism.audit.models import AuditEntry
from tourism.dependencies import IdQuery, LimitQuery, SessionDep
from tourism.schemas import Instant, LocalDatetime

router = APIRouter(prefix="/admin", tags=["administration"])


class AuditEntryPublic(BaseModel):
    id: int
    at: LocalDatetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditLog(BaseModel):
    items: list[AuditEntryPublic]
    count: int


@router.get("/audit", response_model=AuditLog, summary="Who changed what, newest first")
async def audit_log(
    session: SessionDep,
    _: AdminUser,
    entity: Annotated[str | None, Query(max_length=40, pattern="^[a-z_]+$")] = None,
    entity_id: Annotated[str | None, Query(max_length=60, pattern="^[0-9A-Za-z_-]+$")] = None,
    actor_id: IdQuery = None,
    before: Annotated[Instant | None, Query(description="Entries before this instant")] = None,
    limit: LimitQuery = 50,
) -> dict:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if before:
        query = query.where(AuditEntry.at < before)
    items = (await session.scalars(query)).all()
    return {"items": items, "count": len(items)}
