from typing import Any

from pydantic import BaseModel

from tourism.schemas import LocalDatetime


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
