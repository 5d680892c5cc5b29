"""The routes whose answers compose several domains (tourism.views)."""

from typing import Annotated

from fastapi import APIRouter, Query

from tourism.dependencies import IdPath, LimitQuery, NowDep, OffsetQuery, ReadSessionDep, SlugPath
from tourism.dishes.schemas import DishesPublic
from tourism.views import dishes
from tourism.views.eateries import eatery_detail as compose_eatery_detail
from tourism.views.schemas import DishDetail, EateryDetail

router = APIRouter()


@router.get(
    "/eateries/{eatery_id}",
    response_model=EateryDetail,
    tags=["eateries"],
    summary="One eatery in full",
)
async def eatery_detail(session: ReadSessionDep, now: NowDep, eatery_id: IdPath) -> dict:
    return await compose_eatery_detail(session, eatery_id=eatery_id, now=now)


@router.get("/dishes", response_model=DishesPublic, tags=["dishes"], summary="The dish catalogue")
async def list_dishes(
    session: ReadSessionDep,
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> dict:
    items = await dishes.list_dishes(session, category=category, limit=limit, offset=offset)
    return {"items": items, "count": len(items)}


@router.get(
    "/dishes/{slug}",
    response_model=DishDetail,
    tags=["dishes"],
    summary="A dish and the eateries serving it",
)
async def dish_detail(
    session: ReadSessionDep, now: NowDep, slug: SlugPath, limit: LimitQuery = 50
) -> dict:
    return await dishes.dish_detail(session, slug=slug, now=now, limit=limit)
