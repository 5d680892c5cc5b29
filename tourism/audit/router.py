from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from tourism.accounts.dependencies import AdminUser
from tourism.audit import service
from tourism.audit.schemas import AuditLog
from tourism.dependencies import IdQuery, SessionDep
from tourism.paging import Paging, paged
from tourism.schemas import Instant

router = APIRouter(prefix="/admin", tags=["administration"])


@router.get(
    "/audit",
    response_model=AuditLog,
    summary="Who changed what, newest first",
    description=(
        "For admins: every audited change (accounts, eateries, dishes, reviews, QR codes, "
        "station pushes), newest first (by time, then id), filtered by entity, entity id and "
        "actor, paged with `limit` and `cursor`. `total` is null: the log only grows, and "
        "counting it is not cheap. `before` (an instant) is deprecated: it still works for one "
        "release, answering `Deprecation`."
    ),
)
async def audit_log(
    session: SessionDep,
    _: AdminUser,
    response: Response,
    paging: Annotated[Paging, Depends(paged(datetime, int, deprecated=("before",)))],
    entity: Annotated[
        str | None,
        Query(
            max_length=40,
            pattern="^[a-z_]+$",
            description="Only changes to this kind of thing: `user`, `eatery`, `dish`, ...",
            examples=["eatery"],
        ),
    ] = None,
    entity_id: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern="^[0-9A-Za-z_-]+$",
            description="Only changes to the thing with this id or slug (with `entity`)",
            examples=["12"],
        ),
    ] = None,
    actor_id: IdQuery = None,
    before: Annotated[
        Instant | None,
        Query(
            deprecated=True,
            description="Deprecated: use `cursor`. Entries before this instant (RFC 3339); "
            "answered with a `Deprecation` header until it is removed.",
            examples=["2026-03-14T10:00:00+07:00"],
        ),
    ] = None,
) -> dict:
    rows = await service.entries(
        session,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        before=before,
    )
    next_cursor = paging.next_cursor(rows, key_of=lambda e: (e.at, e.id))
    return paging.answer(response, paging.trim(rows), next_cursor=next_cursor)
