"""What vendors do to their own eateries; every change lands in the audit log.

Every change first locks the eatery's row (tourism.eateries.locks; tourism.menus.service says
in what order): changes to one eatery run one after the other, and each audit entry's
"before" is what the previous change left.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.accounts.models import User
from tourism.audit import service as audit
from tourism.dishes.models import Dish
from tourism.eateries.locks import lock_eatery
from tourism.eateries.models import Eatery
from tourism.eateries.service import refresh_open_intervals
from tourism.exceptions import Conflict, InvalidInput, NotFound
from tourism.menus.models import MenuItem, MenuPriceHistory
from tourism.menus.schemas import MenuItemIn
from tourism.menus.service import replace_menu
from tourism.vendors.ownership import manages
from tourism.vendors.schemas import EateryVendorUpdate, MenuItemUpdate

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
    eatery = await lock_eatery(session, eatery.id)
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


async def menu(session: AsyncSession, *, eatery_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            Dish.slug, Dish.name_vi, MenuItem.price_vnd, MenuItem.is_available, MenuItem.updated_at
        )
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(MenuItem.eatery_id == eatery_id)
        .order_by(Dish.slug)
    )
    return [
        {
            "dish": r.slug,
            "name_vi": r.name_vi,
            "price_vnd": r.price_vnd,
            "available": r.is_available,
            "updated_at": r.updated_at,
        }
        for r in rows
    ]


async def _item(session: AsyncSession, *, eatery_id: int, dish: str) -> MenuItem:
    item = await session.scalar(
        select(MenuItem)
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(MenuItem.eatery_id == eatery_id, Dish.slug == dish)
    )
    if item is None:
        raise NotFound(f"{dish!r} is not on this menu")
    return item


async def _audited(
    session: AsyncSession,
    *,
    eatery: Eatery,
    vendor: User,
    action: str,
    change: Callable[[], Awaitable[None]],
) -> list[dict[str, Any]]:
    """Apply `change` to the menu and log the whole menu before and after; the new menu.

    The one place every menu write goes through: the eatery is locked before the menu is read.
    """
    await lock_eatery(session, eatery.id)
    before = await menu(session, eatery_id=eatery.id)
    await change()
    await session.flush()
    after = await menu(session, eatery_id=eatery.id)

    def prices(items: list[dict[str, Any]]) -> dict[str, Any]:
        return {m["dish"]: [m["price_vnd"], m["available"]] for m in items}

    await audit.record(
        session,
        actor_id=vendor.id,
        action=f"menu.{action}",
        entity="eatery",
        entity_id=eatery.id,
        before={"menu": prices(before)},
        after={"menu": prices(after)},
    )
    return after


async def replace_items(
    session: AsyncSession, *, eatery: Eatery, vendor: User, items: list[MenuItemIn]
) -> list[dict[str, Any]]:
    async def change() -> None:
        await replace_menu(session, eatery_id=eatery.id, items=items)

    return await _audited(session, eatery=eatery, vendor=vendor, action="replace", change=change)


async def add_item(
    session: AsyncSession, *, eatery: Eatery, vendor: User, item: MenuItemIn
) -> list[dict[str, Any]]:
    async def change() -> None:
        dish_id = await session.scalar(select(Dish.id).where(Dish.slug == item.dish))
        if dish_id is None:
            raise InvalidInput("dish", f"no dish with slug {item.dish!r}")
        session.add(
            MenuItem(
                eatery_id=eatery.id,
                dish_id=dish_id,
                price_vnd=item.price_vnd,
                is_available=item.available,
            )
        )
        try:
            await session.flush()
        except IntegrityError as exc:  # uq_menu_items_eatery_id_dish_id
            raise Conflict(f"{item.dish!r} is on the menu already: change it instead") from exc

    return await _audited(session, eatery=eatery, vendor=vendor, action="add", change=change)


async def update_item(
    session: AsyncSession, *, eatery: Eatery, vendor: User, dish: str, data: MenuItemUpdate
) -> list[dict[str, Any]]:
    async def change() -> None:
        item = await _item(session, eatery_id=eatery.id, dish=dish)
        if data.price_vnd is not None:
            item.price_vnd = data.price_vnd
        if data.available is not None:
            item.is_available = data.available

    return await _audited(session, eatery=eatery, vendor=vendor, action="update", change=change)


async def remove_item(session: AsyncSession, *, eatery: Eatery, vendor: User, dish: str) -> None:
    async def change() -> None:
        await session.delete(await _item(session, eatery_id=eatery.id, dish=dish))

    await _audited(session, eatery=eatery, vendor=vendor, action="remove", change=change)


async def price_history(session: AsyncSession, *, eatery_id: int, dish: str) -> list[dict]:
    rows = await session.execute(
        select(MenuPriceHistory.price_vnd, MenuPriceHistory.valid_from)
        .join(Dish, Dish.id == MenuPriceHistory.dish_id)
        .where(MenuPriceHistory.eatery_id == eatery_id, Dish.slug == dish)
        .order_by(MenuPriceHistory.valid_from, MenuPriceHistory.id)
    )
    return [{"price_vnd": p, "valid_from": t} for p, t in rows]
