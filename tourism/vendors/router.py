from typing import Annotated

from fastapi import APIRouter, Depends, status

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
)
from tourism.vendors import service
from tourism.vendors.schemas import EateryVendorUpdate, VendorEateries, VendorEatery

router = APIRouter(prefix="/vendor", tags=["vendors"])


async def owned_eatery(session: SessionDep, vendor: VendorUser, eatery_id: IdPath) -> Eatery:
    return await service.owned_eatery(session, vendor=vendor, eatery_id=eatery_id)


OwnedEatery = Annotated[Eatery, Depends(owned_eatery)]


@router.get("/eateries", response_model=VendorEateries, summary="My eateries")
async def my_eateries(session: SessionDep, vendor: VendorUser) -> dict:
    return {"items": await service.own_eateries(session, vendor=vendor)}


@router.patch("/eateries/{eatery_id}", response_model=VendorEatery, summary="Edit my eatery")
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


@router.get("/eateries/{eatery_id}/menu", response_model=VendorMenu, summary="My menu")
async def get_menu(session: SessionDep, eatery: OwnedEatery) -> dict:
    return {"items": await menus.menu(session, eatery_id=eatery.id)}


@router.put(
    "/eateries/{eatery_id}/menu", response_model=VendorMenu, summary="Replace the whole menu"
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
    summary="Add a dish to the menu",
)
async def add_item(
    session: SessionDep, vendor: VendorUser, eatery: OwnedEatery, body: MenuItemCreate
) -> dict:
    items = await menus.add_item(session, eatery_id=eatery.id, actor_id=vendor.id, item=body)
    await session.commit()
    return {"items": items}


@router.patch(
    "/eateries/{eatery_id}/menu/{dish}", response_model=VendorMenu, summary="Change a price"
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
    summary="Take a dish off the menu",
)
async def remove_item(
    session: SessionDep, vendor: VendorUser, eatery: OwnedEatery, dish: SlugPath
) -> None:
    await menus.remove_item(session, eatery_id=eatery.id, actor_id=vendor.id, dish=dish)
    await session.commit()


@router.get(
    "/eateries/{eatery_id}/menu/{dish}/prices",
    response_model=PriceHistory,
    summary="Every price this dish had here",
)
async def prices(session: SessionDep, eatery: OwnedEatery, dish: SlugPath) -> dict:
    return {
        "dish": dish,
        "items": await menus.price_history(session, eatery_id=eatery.id, dish=dish),
    }
