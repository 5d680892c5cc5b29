from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from tourism.accounts.dependencies import VendorUser
from tourism.dependencies import IdPath, NowDep, SessionDep, SlugPath
from tourism.eateries.models import Eatery
from tourism.hours import TZ
from tourism.menus import service as menus
from tourism.menus.schemas import (
    MenuItemCreate,
    MenuItemUpdate,
    MenuUpdate,
    PriceHistory,
    VendorMenu,
    VendorMenuPage,
)
from tourism.openapi import errors
from tourism.paging import Paging, paged
from tourism.vendors import service
from tourism.vendors.schemas import EateryVendorUpdate, VendorEateries, VendorEatery

router = APIRouter(prefix="/vendor", tags=["vendors"])

NOT_YOURS = "404 for an eatery the vendor does not manage, the same as for one that does not exist."


async def owned_eatery(session: SessionDep, vendor: VendorUser, eatery_id: IdPath) -> Eatery:
    return await service.owned_eatery(session, vendor=vendor, eatery_id=eatery_id)


OwnedEatery = Annotated[Eatery, Depends(owned_eatery)]


@router.get(
    "/eateries",
    response_model=VendorEateries,
    summary="My eateries",
    description="For vendors: the eateries this vendor manages, by id, with the fields a "
    "vendor may edit. Paged by `cursor`, with `total`.",
)
async def my_eateries(
    session: SessionDep,
    response: Response,
    vendor: VendorUser,
    paging: Annotated[Paging, Depends(paged(int))],
) -> dict:
    items, total = await service.own_eateries(
        session, vendor=vendor, limit=paging.limit, after=paging.after, offset=paging.offset
    )
    next_cursor = paging.next_cursor(items, key_of=lambda e: (e["id"],))
    return paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)


@router.patch(
    "/eateries/{eatery_id}",
    response_model=VendorEatery,
    responses=errors(404),
    summary="Edit my eatery",
    description="For vendors: change the phone, descriptions, opening hours (OSM syntax) and "
    "status of an eatery this vendor manages; fields left out stay. `closed_until` only "
    "with `temporarily_closed`, and not a past day (422). Audited; the map, search and "
    "'open now' follow at once. " + NOT_YOURS,
)
async def edit_eatery(
    session: SessionDep,
    now: NowDep,
    vendor: VendorUser,
    eatery: OwnedEatery,
    body: EateryVendorUpdate,
) -> dict:
    today = now.astimezone(TZ).date()
    view = await service.update_eatery(
        session, eatery=eatery, vendor=vendor, data=body, today=today
    )
    await session.commit()
    return view


@router.get(
    "/eateries/{eatery_id}/menu",
    response_model=VendorMenuPage,
    responses=errors(404),
    summary="My menu",
    description="For vendors: the menu of an eatery this vendor manages, by dish slug, with "
    "prices and availability. Paged by `cursor`, with `total`. " + NOT_YOURS,
)
async def get_menu(
    session: SessionDep,
    response: Response,
    eatery: OwnedEatery,
    paging: Annotated[Paging, Depends(paged(str))],
) -> dict:
    items, total = await menus.menu_page(
        session, eatery_id=eatery.id, limit=paging.limit, after=paging.after, offset=paging.offset
    )
    next_cursor = paging.next_cursor(items, key_of=lambda m: (m["dish"],))
    return paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)


@router.put(
    "/eateries/{eatery_id}/menu",
    response_model=VendorMenu,
    responses=errors(404),
    summary="Replace the whole menu",
    description="For vendors: the menu becomes exactly `items` (at most 200): new dishes "
    "added, prices and availability changed, dishes left out removed. A dish twice or an "
    "unknown slug is a 422 naming `menu`. Saves at once run one after the other, never mixed; "
    "audited. Answers the whole menu as saved. " + NOT_YOURS,
)
async def replace_menu(
    session: SessionDep, vendor: VendorUser, eatery: OwnedEatery, body: MenuUpdate
) -> dict:
    items = await menus.replace_items(
        session, eatery_id=eatery.id, actor_id=vendor.id, items=body.items
    )
    await session.commit()
    return {"items": items}


@router.post(
    "/eateries/{eatery_id}/menu",
    response_model=VendorMenu,
    status_code=status.HTTP_201_CREATED,
    responses=errors(404, 409),
    summary="Add a dish to the menu",
    description="For vendors: add one dish at a price; 409 when it is on the menu already "
    "(change it with PATCH), 422 naming `dish` for an unknown slug. Audited. Answers the "
    "whole menu as saved. " + NOT_YOURS,
)
async def add_item(
    session: SessionDep, vendor: VendorUser, eatery: OwnedEatery, body: MenuItemCreate
) -> dict:
    items = await menus.add_item(session, eatery_id=eatery.id, actor_id=vendor.id, item=body)
    await session.commit()
    return {"items": items}


@router.patch(
    "/eateries/{eatery_id}/menu/{dish}",
    response_model=VendorMenu,
    responses=errors(404),
    summary="Change a price",
    description="For vendors: change a dish's price or availability (sold out); fields left "
    "out stay. A new price starts a new entry of the price history. 404 for a dish not on "
    "the menu. Audited. Answers the whole menu as saved. " + NOT_YOURS,
)
async def change_item(
    session: SessionDep,
    vendor: VendorUser,
    eatery: OwnedEatery,
    dish: SlugPath,
    body: MenuItemUpdate,
) -> dict:
    items = await menus.update_item(
        session, eatery_id=eatery.id, actor_id=vendor.id, dish=dish, data=body
    )
    await session.commit()
    return {"items": items}


@router.delete(
    "/eateries/{eatery_id}/menu/{dish}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(404),
    summary="Take a dish off the menu",
    description="For vendors: remove a dish from the menu (its price history stays). 404 for "
    "a dish not on the menu. Audited. " + NOT_YOURS,
)
async def remove_item(
    session: SessionDep, vendor: VendorUser, eatery: OwnedEatery, dish: SlugPath
) -> None:
    await menus.remove_item(session, eatery_id=eatery.id, actor_id=vendor.id, dish=dish)
    await session.commit()


@router.get(
    "/eateries/{eatery_id}/menu/{dish}/prices",
    response_model=PriceHistory,
    responses=errors(404),
    summary="Every price this dish had here",
    description="For vendors: the prices a dish had at an eatery this vendor manages, oldest "
    "first, each from when it applied (also for a dish taken off the menu: empty when it was "
    "never on it). Paged by `cursor`, with `total`. " + NOT_YOURS,
)
async def prices(
    session: SessionDep,
    response: Response,
    eatery: OwnedEatery,
    dish: SlugPath,
    paging: Annotated[Paging, Depends(paged(datetime, int))],
) -> dict:
    items, total = await menus.price_history(
        session,
        eatery_id=eatery.id,
        dish=dish,
        limit=paging.limit,
        after=paging.after,
        offset=paging.offset,
    )
    next_cursor = paging.next_cursor(items, key_of=lambda p: (p["valid_from"], p["id"]))
    page = paging.answer(response, paging.trim(items), next_cursor=next_cursor, total=total)
    return {"dish": dish, **page}
