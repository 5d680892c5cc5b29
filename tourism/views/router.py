"""The routes whose answers compose several domains (tourism.views)."""

from typing import Annotated

from fastapi import APIRouter, Query

from tourism.dependencies import IdPath, LimitQuery, NowDep, OffsetQuery, ReadSessionDep, SlugPath
from tourism.dishes.models import CATEGORIES
from tourism.dishes.schemas import DishCategories, DishesPublic
from tourism.eateries.schemas import HoursPreview, HoursPreviewRequest
from tourism.views import dishes
from tourism.views.eateries import eatery_detail as compose_eatery_detail
from tourism.views.hours import preview as preview_hours
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
    "/dishes/categories",
    response_model=DishCategories,
    tags=["dishes"],
    summary="The categories a dish is filed under",
)
async def dish_categories() -> dict:
    return {"items": list(CATEGORIES)}


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


@router.post(
    "/hours/preview",
    response_model=HoursPreview,
    tags=["eateries"],
    summary="How opening hours read: open now, the next change, this week",
    responses={422: {"description": "Not valid opening hours: one readable sentence"}},
)
async def hours_preview(now: NowDep, body: HoursPreviewRequest) -> dict:
    """For the week editor, as the hours are typed; nothing is stored."""
    return preview_hours(body.opening_hours, now=now)
