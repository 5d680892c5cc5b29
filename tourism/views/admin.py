"""The tourism department's catalogue: it adds and edits eateries and dishes (admin only).

Every write is one transaction, audited in it; search sees it at once (the catalogue's version
moves with names and status). The answers are what the public pages show: the eatery in full
(with `closed_until`), the dish with the eateries serving it.
"""

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.dependencies import AdminUser
from tourism.dependencies import (
    PRINTABLE,
    IdPath,
    LimitQuery,
    NowDep,
    OffsetQuery,
    SessionDep,
    SlugPath,
)
from tourism.dishes import service as dishes
from tourism.dishes.schemas import DishAdminCreate, DishAdminUpdate
from tourism.eateries import service as eateries
from tourism.eateries.schemas import EateriesAdmin, EateryAdminCreate, EateryAdminUpdate
from tourism.hours import TZ
from tourism.views.dishes import dish_detail
from tourism.views.eateries import eatery_detail
from tourism.views.schemas import DishDetail, EateryDetail

router = APIRouter(prefix="/admin", tags=["administration"])


class EateryAdminDetail(EateryDetail):
    closed_until: date | None = Field(
        description="With temporarily_closed: the last day it is closed; it reopens the day after"
    )


async def _eatery_answer(
    session: AsyncSession, *, eatery_id: int, closed_until: date | None, now: datetime
) -> dict:
    """The eatery in full, as its public page has it, and the day a closure ends."""
    detail = await eatery_detail(session, eatery_id=eatery_id, now=now)
    return {**detail, "closed_until": closed_until}


@router.get("/eateries", response_model=EateriesAdmin, summary="Find an eatery to edit")
async def list_eateries(
    session: SessionDep,
    _: AdminUser,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=PRINTABLE, description="In the name (any accents) or slug"),
    ] = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> dict:
    items, count = await eateries.admin_list(session, q=q, limit=limit, offset=offset)
    return {"items": items, "count": count}


@router.post(
    "/eateries",
    response_model=EateryAdminDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Add an eatery",
)
async def create_eatery(
    session: SessionDep, now: NowDep, admin: AdminUser, body: EateryAdminCreate
) -> dict:
    eatery = await eateries.create_eatery(
        session, data=body, actor_id=admin.id, today=now.astimezone(TZ).date()
    )
    await session.commit()
    return await _eatery_answer(
        session, eatery_id=eatery.id, closed_until=eatery.closed_until, now=now
    )


@router.patch("/eateries/{eatery_id}", response_model=EateryAdminDetail, summary="Edit an eatery")
async def edit_eatery(
    session: SessionDep, now: NowDep, admin: AdminUser, eatery_id: IdPath, body: EateryAdminUpdate
) -> dict:
    eatery = await eateries.edit_eatery(
        session,
        eatery_id=eatery_id,
        changes=body.changes(),
        actor_id=admin.id,
        today=now.astimezone(TZ).date(),
    )
    await session.commit()
    return await _eatery_answer(
        session, eatery_id=eatery.id, closed_until=eatery.closed_until, now=now
    )


@router.post(
    "/dishes",
    response_model=DishDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Add a dish to the catalogue",
)
async def create_dish(
    session: SessionDep, now: NowDep, admin: AdminUser, body: DishAdminCreate
) -> dict:
    dish = await dishes.create_dish(session, data=body, actor_id=admin.id)
    await session.commit()
    return await dish_detail(session, slug=dish.slug, now=now, limit=50)


@router.patch("/dishes/{slug}", response_model=DishDetail, summary="Edit a dish")
async def edit_dish(
    session: SessionDep, now: NowDep, admin: AdminUser, slug: SlugPath, body: DishAdminUpdate
) -> dict:
    dish = await dishes.update_dish(session, slug=slug, data=body, actor_id=admin.id)
    await session.commit()
    return await dish_detail(session, slug=dish.slug, now=now, limit=50)
