"""What vendors do to their own eateries; every change lands in the audit log.

Every change first locks the eatery's row (tourism.locks; tourism.menus.service says in what
order): changes to one eatery run one after the other, and each audit entry's
"before" is what the previous change left.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import User
from tourism.accounts.ownership import manages
from tourism.audit import service as audit
from tourism.eateries.models import Eatery
from tourism.eateries.service import refresh_open_intervals
from tourism.exceptions import NotFound
from tourism.locks import lock_eatery
from tourism.vendors.schemas import EateryVendorUpdate

EDITABLE = ("phone", "description_vi", "description_en", "opening_hours", "status")


async def owned_eatery(session: AsyncSession, *, vendor: User, eatery_id: int) -> Eatery:
    """The eatery if this vendor may edit it; the same 404 as a missing one otherwise (API1)."""
    eatery = await session.scalar(
        select(Eatery).where(Eatery.id == eatery_id, manages(vendor.id, Eatery.id))
    )
    if eatery is None:
        raise NotFound(f"no eatery with id {eatery_id}")
    return eatery


def eatery_view(eatery: Eatery) -> dict[str, Any]:
    return {
        "id": eatery.id,
        "slug": eatery.slug,
        "name_vi": eatery.name_vi,
        "name_en": eatery.name_en,
        "status": eatery.status,
        "phone": eatery.phone,
        "description_vi": eatery.description_vi,
        "description_en": eatery.description_en,
        "opening_hours": eatery.opening_hours,
        "verified": eatery.verified,
        "rating": float(eatery.rating_avg) if eatery.rating_avg is not None else None,
        "rating_count": eatery.rating_count,
    }


async def own_eateries(session: AsyncSession, *, vendor: User) -> list[dict[str, Any]]:
    eateries = await session.scalars(
        select(Eatery).where(manages(vendor.id, Eatery.id)).order_by(Eatery.id)
    )
    return [eatery_view(e) for e in eateries]


async def update_eatery(
    session: AsyncSession, *, eatery: Eatery, vendor: User, data: EateryVendorUpdate
) -> dict[str, Any]:
    # Re-read under the lock: `before` is what the previous edit left, and the intervals below
    # are written by one edit at a time (they are deleted and copied in again, not upserted).
    await lock_eatery(session, eatery.id)
    await session.refresh(eatery)
    changes = data.model_dump(exclude_unset=True)
    before = {k: getattr(eatery, k) for k in changes}
    for key, value in changes.items():
        setattr(eatery, key, value)
    if "opening_hours" in changes:
        eatery.opening_hours_unparsed = None  # the vendor's hours replace an unreadable import
    await session.flush()
    if {"opening_hours", "status"} & changes.keys():
        await refresh_open_intervals(session, eatery_ids=[eatery.id])
    await audit.record(
        session,
        actor_id=vendor.id,
        action="eatery.update",
        entity="eatery",
        entity_id=eatery.id,
        before=before,
        after=changes,
    )
    await session.refresh(eatery)
    return eatery_view(eatery)
