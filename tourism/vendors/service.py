"""What vendors do to their own eateries; every change lands in the audit log.

Every change first locks the eatery's row (tourism.locks; tourism.menus.service says in what
order): changes to one eatery run one after the other, and each audit entry's
"before" is what the previous change left. The eatery's own fields are edited the one way the
department edits them too (tourism.eateries.service.edit_eatery).
"""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import User
from tourism.accounts.ownership import manages
from tourism.eateries.models import Eatery
from tourism.eateries.service import edit_eatery
from tourism.exceptions import NotFound
from tourism.languages import current_language, say
from tourism.vendors.schemas import EateryVendorUpdate

EDITABLE = ("phone", "description_vi", "description_en", "opening_hours", "status", "closed_until")


async def owned_eatery(session: AsyncSession, *, vendor: User, eatery_id: int) -> Eatery:
    """The eatery if this vendor may edit it; the same 404 as a missing one otherwise (API1)."""
    eatery = await session.scalar(
        select(Eatery).where(Eatery.id == eatery_id, manages(vendor.id, Eatery.id))
    )
    if eatery is None:
        raise NotFound(
            say(f"no eatery with id {eatery_id}", f"không tìm thấy quán ăn có mã {eatery_id}")
        )
    return eatery


def eatery_view(eatery: Eatery) -> dict[str, Any]:
    english = current_language() == "en"
    return {
        "id": eatery.id,
        "slug": eatery.slug,
        "name_vi": eatery.name_vi,
        "name_en": eatery.name_en,
        "name": (eatery.name_en or eatery.name_vi) if english else eatery.name_vi,
        "status": eatery.status,
        "closed_until": eatery.closed_until,
        "phone": eatery.phone,
        "description_vi": eatery.description_vi,
        "description_en": eatery.description_en,
        "description": (eatery.description_en or eatery.description_vi)
        if english
        else eatery.description_vi,
        "opening_hours": eatery.opening_hours,
        "verified": eatery.verified,
        "rating": float(eatery.rating_avg) if eatery.rating_avg is not None else None,
        "rating_count": eatery.rating_count,
    }


async def own_eateries(
    session: AsyncSession,
    *,
    vendor: User,
    limit: int,
    after: tuple[Any, ...] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the vendor's eateries by id (one more than `limit` when there is a next
    page), and how many the vendor manages."""
    query = select(Eatery).where(manages(vendor.id, Eatery.id)).order_by(Eatery.id)
    if after is not None:
        query = query.where(Eatery.id > after[0])
    elif offset:
        query = query.offset(offset)
    eateries = await session.scalars(query.limit(limit + 1))
    total = await session.scalar(
        select(func.count()).select_from(Eatery).where(manages(vendor.id, Eatery.id))
    )
    return [eatery_view(e) for e in eateries], total or 0


async def update_eatery(
    session: AsyncSession, *, eatery: Eatery, vendor: User, data: EateryVendorUpdate, today: date
) -> dict[str, Any]:
    """The vendor's changes, as every eatery edit goes (eateries.service.edit_eatery): under the
    eatery's row lock, so `before` is what the previous edit left, and audited."""
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes and changes["status"] is None:
        del changes["status"]  # null: unchanged (the column cannot be null)
    edited = await edit_eatery(
        session, eatery_id=eatery.id, changes=changes, actor_id=vendor.id, today=today
    )
    return eatery_view(edited)
