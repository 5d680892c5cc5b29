from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tourism.paging import Page
from tourism.schemas import LocalDatetime

ENTRY = {
    "id": 812,
    "at": "2026-03-14T10:05:12+07:00",
    "actor_id": 1,
    "action": "eatery.update",
    "entity": "eatery",
    "entity_id": "12",
    "before": {"status": "active"},
    "after": {"status": "temporarily_closed", "closed_until": "2026-03-20"},
}


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY]})

    id: int
    at: LocalDatetime = Field(description="When the change was saved (Asia/Ho_Chi_Minh)")
    actor_id: int | None = Field(
        description="The account that made it; null for the system or a deleted account"
    )
    action: str = Field(description="What was done, `entity.verb`: `user.disable`, ...")
    entity: str = Field(description="The kind of thing changed: `user`, `eatery`, `dish`, ...")
    entity_id: str = Field(description="Its id or slug")
    before: dict[str, Any] | None = Field(description="The fields changed, as they were")
    after: dict[str, Any] | None = Field(description="The fields changed, as they became")


class AuditLog(Page[AuditEntryPublic]):
    """A page of the audit log, newest first."""

    # Not required in the schema only because the OpenAPI document drops nulls from examples.
    total: int | None = Field(
        default=None, description="Always null: the log only grows and counting it is not cheap"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [ENTRY],
                    "count": 1,
                    "next_cursor": "eyJrIjpbIjIwMjYtMDMtMTRUMDM6MDU6MTJaIiw4MTJdfQ.q1Vd9mZ0mK3n",
                    "total_exact": False,
                }
            ]
        }
    )
