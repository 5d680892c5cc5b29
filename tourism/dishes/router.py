from typing import Annotated

from fastapi import APIRouter, Query

from tourism.dependencies import LimitQuery, NowDep, OffsetQuery, SessionDep, SlugPath
from tourism.dishes import service
from tourism.dishes.schemas import DishDetail, DishesPublic

router = APIRouter(prefix="/dishes", tags=["dishes"])


@router.get("", response_model=DishesPublic, summary="The dish catalogue")
async def list_dishes(
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> dict:
    items = await service.list_dishes(session, category=category, limit=limit, offset=offset)
    return {"items": items, "count": len(items)}


@router.get("/{slug}", response_model=DishDetail, summary="A dish and the eateries serving it")
async def dish_detail(
    session: SessionDep, now: NowDep, slug: SlugPath, limit: LimitQuery = 50
) -> dict:
    return await service.dish_detail(session, slug=slug, now=now, limit=limit)
