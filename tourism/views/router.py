"""The routes whose answers compose several domains (tourism.views)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from tourism.dependencies import NowDep, ReadSessionDep, SlugPath
from tourism.dishes.models import CATEGORIES
from tourism.dishes.schemas import DishCategories, DishesPublic
from tourism.eateries.schemas import HoursPreview, HoursPreviewRequest
from tourism.openapi import errors
from tourism.paging import Paging, paged
from tourism.schemas import MAX_ID
from tourism.views import dishes
from tourism.views.eateries import eatery_detail as compose_eatery_detail
from tourism.views.hours import preview as preview_hours
from tourism.views.schemas import DishDetail, EateryDetail

router = APIRouter()

CategoryQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=r"^[a-z_]+$",
        description="Only dishes filed under this category (GET /api/v1/dishes/categories)",
        examples=["noodle_soup"],
    ),
]


@router.get(
    "/eateries/{eatery_id}",
    response_model=EateryDetail,
    responses=errors(404),
    tags=["eateries"],
    summary="One eatery in full",
    description="An eatery's page: the card, contact, its opening hours read at this instant "
    "(`open_now`, `next_change`, and this week's `schedule` in Hai Phong time), its menu by "
    "category with prices, its reviews' stars per value and the three nearest bike stations "
    "with live bikes and docks. Eateries of every status are shown (a closed one is never "
    "open); an unknown id is a 404.",
)
async def eatery_detail(
    session: ReadSessionDep,
    now: NowDep,
    eatery_id: Annotated[int, Path(gt=0, le=MAX_ID, description="The eatery's id", examples=[12])],
) -> dict:
    return await compose_eatery_detail(session, eatery_id=eatery_id, now=now)


@router.get(
    "/dishes",
    response_model=DishesPublic,
    tags=["dishes"],
    summary="The dish catalogue",
    description="Every dish by slug, with how many active eateries serve it now and the price "
    "range there, a page at a time (`cursor`, `Link` header; `total` counts every dish with "
    "the filter). `name` and `description` follow the request's language. `offset` still "
    "works, answered with a `Deprecation` header.",
)
async def list_dishes(
    session: ReadSessionDep,
    response: Response,
    paging: Annotated[Paging, Depends(paged(str))],
    category: CategoryQuery = None,
) -> dict:
    items, last, total = await dishes.list_dishes(
        session,
        category=category,
        limit=paging.limit,
        after=paging.after[0] if paging.after else None,
        offset=paging.offset,
    )
    next_cursor = paging.cursor((last,)) if last is not None else None
    return paging.answer(response, items, next_cursor=next_cursor, total=total)


@router.get(
    "/dishes/categories",
    response_model=DishCategories,
    tags=["dishes"],
    summary="The categories a dish is filed under",
    description="The fixed list of category codes the department files a new dish under, for "
    "forms and filters (`GET /api/v1/dishes?category=`). Not paged: a dozen codes that change "
    "only with a release.",
)
async def dish_categories() -> dict:
    return {"items": list(CATEGORIES)}


@router.get(
    "/dishes/{slug}",
    response_model=DishDetail,
    responses=errors(404),
    tags=["dishes"],
    summary="A dish and the eateries serving it",
    description="One dish with its prices, and the active eateries serving it now, cheapest "
    "first (then by eatery id), a page at a time: `limit` and `cursor` page `eateries`, and "
    "the answer's `next_cursor` and `total` (and the `Link` header) say what is left. An "
    "unknown slug is a 404.",
)
async def dish_detail(
    session: ReadSessionDep,
    now: NowDep,
    slug: SlugPath,
    response: Response,
    paging: Annotated[Paging, Depends(paged(int, int))],
) -> dict:
    answer, last = await dishes.dish_detail(
        session, slug=slug, now=now, limit=paging.limit, after=paging.after, offset=paging.offset
    )
    next_cursor = paging.cursor(last) if last is not None else None
    response.headers.update(paging.headers(next_cursor))
    return {**answer, "next_cursor": next_cursor}


@router.post(
    "/hours/preview",
    response_model=HoursPreview,
    tags=["eateries"],
    summary="How opening hours read: open now, the next change, this week",
    description="For the week editor, as the hours are typed: reads an OpenStreetMap "
    "`opening_hours` value in Hai Phong time and says whether it is open at this instant, when "
    "that next changes and this week's openings. Nothing is stored. Hours that do not parse "
    "are a 422 naming `opening_hours`, with one readable sentence in the request's language.",
)
async def hours_preview(now: NowDep, body: HoursPreviewRequest) -> dict:
    return preview_hours(body.opening_hours, now=now)
