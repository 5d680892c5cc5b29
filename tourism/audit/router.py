from typing import Annotated

from fastapi import APIRouter, Query

from tourism.accounts.dependencies import AdminUser
from tourism.audit import service
from tourism.audit.schemas import AuditLog
from tourism.dependencies import IdQuery, LimitQuery, SessionDep
from tourism.schemas import Instant

router = APIRouter(prefix="/admin", tags=["administration"])


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
    items = await service.entries(
        session, limit=limit, entity=entity, entity_id=entity_id, actor_id=actor_id, before=before
    )
    return {"items": items, "count": len(items)}
