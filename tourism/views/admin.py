"""The tourism department's catalogue: it adds and edits eateries and dishes (admin only).

Every write is one transaction, audited in it; search sees it at once (the catalogue's version
moves with names and status). The answers are what the public pages show: the eatery in full
(with `closed_until`), the dish with the eateries serving it.
"""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response, status
from pydantic import ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.dependencies import AdminUser
from tourism.dependencies import PRINTABLE, IdPath, NowDep, SessionDep, SlugPath
from tourism.dishes import service as dishes
from tourism.dishes.schemas import DishAdminCreate, DishAdminUpdate
from tourism.eateries import service as eateries
from tourism.eateries.schemas import EateryAdminCreate, EateryAdminItem, EateryAdminUpdate
from tourism.hours import TZ
from tourism.languages import current_language
from tourism.openapi import errors
from tourism.paging import Page, Paging, page_example, paged
from tourism.views.dishes import dish_detail
from tourism.views.eateries import eatery_detail
from tourism.views.schemas import DishDetail, EateryDetail

router = APIRouter(prefix="/admin", tags=["administration"])
DISH_EATERIES = 50


def _detail_examples(schema: dict[str, Any]) -> None:
    """EateryDetail's examples, closed for a while (the document drops null examples)."""
    extra = EateryDetail.model_config.get("json_schema_extra")
    examples = extra.get("examples", []) if isinstance(extra, dict) else []
    closed = {"status": "temporarily_closed", "open_now": False, "closed_until": "2026-12-07"}
    schema["examples"] = [{**example, **closed} for example in examples]


class EateryAdminDetail(EateryDetail):
    model_config = ConfigDict(json_schema_extra=_detail_examples)

    closed_until: date | None = Field(
        description="With temporarily_closed: the last day it is closed; it reopens the day after"
    )


ADMIN_ITEM = {
    "id": 12,
    "slug": "banh-da-cua-ba-cu",
    "name_vi": "Bánh đa cua Bà Cụ",
    "name_en": "Grandma's crab noodle soup",
    "name": "Grandma's crab noodle soup",
    "status": "active",
    "address": "179 Cầu Đất, Ngô Quyền",
}


class EateryAdminListItem(EateryAdminItem):
    model_config = ConfigDict(json_schema_extra={"examples": [ADMIN_ITEM]})

    name: str = Field(
        description="The name in the request's language: `name_en` in English when there is "
        "one, else `name_vi`"
    )


class EateriesAdmin(Page[EateryAdminListItem]):
    """A page of eateries of every status, by name; `total` counts every match."""

    model_config = page_example(ADMIN_ITEM, total=214)


EATERY_CREATE = {
    "name_vi": "Bánh đa cua Bà Cụ",
    "name_en": "Grandma's crab noodle soup",
    "kind": "street_food",
    "address": "179 Cầu Đất, Ngô Quyền",
    "ward": "Cầu Đất",
    "district": "Ngô Quyền",
    "phone": "+84 225 3842 123",
    "description_vi": "Quán bánh đa cua lâu đời gần chợ Cầu Đất.",
    "description_en": "An old crab noodle soup shop near Cau Dat market.",
    "opening_hours": "Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00",
    "location": {"type": "Point", "coordinates": [106.6839, 20.8577]},
}
EATERY_UPDATES = {
    "closing": {
        "summary": "Closed for a week",
        "value": {"status": "temporarily_closed", "closed_until": "2026-12-07"},
    },
    "hours": {
        "summary": "New opening hours",
        "value": {"opening_hours": "Mo-Su 06:00-13:00"},
    },
}
DISH_CREATE = {
    "name_vi": "Bánh mì cay",
    "name_en": "Spicy mini baguette",
    "category": "bread",
    "aliases": ["banh mi que"],
    "description_vi": "Bánh mì que nhỏ với pa tê và tương ớt, món ăn vặt của Hải Phòng.",
    "description_en": "A thin baguette with pâté and chilli sauce, a Hai Phong snack.",
}
DISH_UPDATE = {"aliases": ["banh mi que", "bánh mì que"], "category": "street_snack"}


def _localized_name(item: dict[str, Any]) -> str:
    if current_language() == "vi":
        return item["name_vi"]
    return item["name_en"] or item["name_vi"]


async def _dish_answer(session: AsyncSession, *, slug: str, now: datetime) -> dict:
    """The dish as its public page has it, with its first DISH_EATERIES eateries: the rest are
    GET /api/v1/dishes/{slug}'s pages (a cursor is bound to the list it was made for)."""
    detail, _ = await dish_detail(session, slug=slug, now=now, limit=DISH_EATERIES)
    return {**detail, "next_cursor": None}


async def _eatery_answer(
    session: AsyncSession, *, eatery_id: int, closed_until: date | None, now: datetime
) -> dict:
    """The eatery in full, as its public page has it, and the day a closure ends."""
    detail = await eatery_detail(session, eatery_id=eatery_id, now=now)
    return {**detail, "closed_until": closed_until}


@router.get(
    "/eateries",
    response_model=EateriesAdmin,
    summary="Find an eatery to edit",
    description=(
        "For admins (the console's eatery list): eateries of every status, closed ones too, "
        "whose name (typed with or without diacritics) or slug holds `q`, by name (then id), "
        "paged with `limit` and `cursor`; `total` counts every match. `offset` still works, "
        "answering `Deprecation`."
    ),
)
async def list_eateries(
    session: SessionDep,
    _: AdminUser,
    response: Response,
    paging: Annotated[Paging, Depends(paged(str, int))],
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=PRINTABLE,
            description="In the name (any accents) or slug",
            examples=["banh da cua"],
        ),
    ] = None,
) -> dict:
    rows, total = await eateries.admin_list(
        session, q=q, limit=paging.limit + 1, after=paging.after, offset=paging.offset
    )
    next_cursor = paging.next_cursor(rows, key_of=lambda r: (r["name_folded"], r["id"]))
    items = [{**row, "name": _localized_name(row)} for row in paging.trim(rows)]
    return paging.answer(response, items, next_cursor=next_cursor, total=total)


@router.post(
    "/eateries",
    response_model=EateryAdminDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Add an eatery",
    description=(
        "For admins: adds an eatery, audited as `eatery.create`; search and the map see it at "
        "once. The slug is made from `name_vi` when absent; a slug sent that is taken is a "
        "409 naming `slug`. Opening hours are OpenStreetMap `opening_hours` (422 naming "
        "`opening_hours` when unreadable). Answers the eatery as its public page shows it."
    ),
    responses=errors(409),
)
async def create_eatery(
    session: SessionDep,
    now: NowDep,
    admin: AdminUser,
    body: Annotated[
        EateryAdminCreate,
        Body(
            openapi_examples={"street_food": {"summary": "A street stall", "value": EATERY_CREATE}}
        ),
    ],
) -> dict:
    eatery = await eateries.create_eatery(
        session, data=body, actor_id=admin.id, today=now.astimezone(TZ).date()
    )
    await session.commit()
    return await _eatery_answer(
        session, eatery_id=eatery.id, closed_until=eatery.closed_until, now=now
    )


@router.patch(
    "/eateries/{eatery_id}",
    response_model=EateryAdminDetail,
    summary="Edit an eatery",
    description=(
        "For admins: changes the fields sent, the others stay; audited as `eatery.update` with "
        "the fields before and after. 404 for no such eatery; 409 naming `slug` for a slug "
        "another eatery has. Leaving `temporarily_closed` forgets `closed_until`."
    ),
    responses=errors(404, 409),
)
async def edit_eatery(
    session: SessionDep,
    now: NowDep,
    admin: AdminUser,
    eatery_id: IdPath,
    body: Annotated[EateryAdminUpdate, Body(openapi_examples=EATERY_UPDATES)],
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
    description=(
        "For admins: adds a dish, audited as `dish.create`; search finds it at once by its "
        "names and aliases, with or without diacritics. The slug is made from `name_vi` when "
        "absent; a slug that is taken is a 409 naming `slug`. Answers the dish as its public "
        "page shows it (no eateries serve it yet; `next_cursor` is null)."
    ),
    responses=errors(409),
)
async def create_dish(
    session: SessionDep,
    now: NowDep,
    admin: AdminUser,
    body: Annotated[
        DishAdminCreate,
        Body(openapi_examples={"bread": {"summary": "A new dish", "value": DISH_CREATE}}),
    ],
) -> dict:
    dish = await dishes.create_dish(session, data=body, actor_id=admin.id)
    await session.commit()
    return await _dish_answer(session, slug=dish.slug, now=now)


@router.patch(
    "/dishes/{slug}",
    response_model=DishDetail,
    summary="Edit a dish",
    description=(
        "For admins: changes the fields sent, the others stay; audited as `dish.update`. 404 "
        "for no dish with this slug; 409 naming `slug` for a new slug another dish has. "
        "Answers the dish as its public page shows it, with its 50 cheapest eateries "
        "(`next_cursor` null; `total` counts them all: GET /api/v1/dishes/{slug} pages them)."
    ),
    responses=errors(404, 409),
)
async def edit_dish(
    session: SessionDep,
    now: NowDep,
    admin: AdminUser,
    slug: SlugPath,
    body: Annotated[
        DishAdminUpdate,
        Body(openapi_examples={"aliases": {"summary": "More names", "value": DISH_UPDATE}}),
    ],
) -> dict:
    dish = await dishes.update_dish(session, slug=slug, data=body, actor_id=admin.id)
    await session.commit()
    return await _dish_answer(session, slug=dish.slug, now=now)
