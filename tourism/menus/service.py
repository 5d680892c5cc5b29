"""Menus: which dishes an eatery serves, at what price.

Every write to an eatery's menu first locks the eatery's row (tourism.eateries.locks) and holds
it to commit, so writes to one menu run one after the other: two whole-menu saves at once (a
double-click) leave exactly one of them, never a mix, and a change's "before" for the audit
is the menu the previous change left. Without the lock, two saves locked each other's menu
rows in opposite orders (the delete of one, the upsert of the other) and deadlocked.

Lock order, the same on every path that writes an eatery's dependants: the eatery row, then
its menu rows (in dish-id order), then the per-table `data_versions` counters that the
statement triggers move. Reviews take the eatery row first too (tourism.reviews.service).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.audit import service as audit
from tourism.database import flush
from tourism.dishes import service as dishes
from tourism.dishes.models import Dish
from tourism.exceptions import InvalidInput, NotFound
from tourism.languages import current_language, say
from tourism.locks import lock_eatery
from tourism.menus.models import MenuItem, MenuPriceHistory
from tourism.menus.schemas import MenuItemCreate, MenuItemUpdate
from tourism.paging import after as keyset_after


async def replace_menu(
    session: AsyncSession, *, eatery_id: int, items: list[MenuItemCreate]
) -> None:
    """Make the eatery's menu exactly `items`: upsert these dishes, remove the others.

    Locks the eatery first (callers that read the menu before, for the audit, lock earlier).
    """
    await lock_eatery(session, eatery_id)
    slugs = [item.dish for item in items]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput(
            "menu",
            say("a dish appears twice in the menu", "một món xuất hiện hai lần trong thực đơn"),
        )
    ids = await dishes.dish_ids(session, slugs)
    unknown = sorted(set(slugs) - ids.keys())
    if unknown:
        listed = ", ".join(unknown)
        raise InvalidInput(
            "menu", say(f"unknown dish slugs: {listed}", f"không có món với slug: {listed}")
        )
    await session.execute(
        delete(MenuItem).where(
            MenuItem.eatery_id == eatery_id, MenuItem.dish_id.not_in(list(ids.values()))
        )
    )
    if not items:
        return
    # Rows in dish-id order: the order any other writer of this menu would lock them in.
    statement = insert(MenuItem).values(
        [
            {
                "eatery_id": eatery_id,
                "dish_id": ids[item.dish],
                "price_vnd": item.price_vnd,
                "is_available": item.available,
            }
            for item in sorted(items, key=lambda item: ids[item.dish])
        ]
    )
    changed = (MenuItem.price_vnd != statement.excluded.price_vnd) | (
        MenuItem.is_available != statement.excluded.is_available
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MenuItem.eatery_id, MenuItem.dish_id],
            set_={
                "price_vnd": statement.excluded.price_vnd,
                "is_available": statement.excluded.is_available,
                "updated_at": func.now(),
            },
            where=changed,
        )
    )


# -- the vendor's menu writes, each audited whole ------------------------------------------


MENU_COLUMNS = (
    Dish.slug,
    Dish.name_vi,
    Dish.name_en,
    MenuItem.price_vnd,
    MenuItem.is_available,
    MenuItem.updated_at,
)


def _menu_item(row: Any) -> dict[str, Any]:
    return {
        "dish": row.slug,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "name": (row.name_en or row.name_vi) if current_language() == "en" else row.name_vi,
        "price_vnd": row.price_vnd,
        "available": row.is_available,
        "updated_at": row.updated_at,
    }


async def menu(session: AsyncSession, *, eatery_id: int) -> list[dict[str, Any]]:
    """The whole menu, by dish slug."""
    rows = await session.execute(
        select(*MENU_COLUMNS)
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(MenuItem.eatery_id == eatery_id)
        .order_by(Dish.slug)
    )
    return [_menu_item(r) for r in rows]


async def menu_page(
    session: AsyncSession,
    *,
    eatery_id: int,
    limit: int,
    after: Sequence[Any] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the menu by dish slug (one more than `limit` when there is a next page), and
    how many dishes it has."""
    query = (
        select(*MENU_COLUMNS)
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(MenuItem.eatery_id == eatery_id)
        .order_by(Dish.slug)
    )
    if after is not None:
        query = query.where(keyset_after([(Dish.slug, False)], after))
    elif offset:
        query = query.offset(offset)
    rows = await session.execute(query.limit(limit + 1))
    total = await session.scalar(
        select(func.count()).select_from(MenuItem).where(MenuItem.eatery_id == eatery_id)
    )
    return [_menu_item(r) for r in rows], total or 0


async def _item(session: AsyncSession, *, eatery_id: int, dish: str) -> MenuItem:
    item = await session.scalar(
        select(MenuItem)
        .join(Dish, Dish.id == MenuItem.dish_id)
        .where(MenuItem.eatery_id == eatery_id, Dish.slug == dish)
    )
    if item is None:
        raise NotFound(
            say(f"{dish!r} is not on this menu", f"món '{dish}' không có trong thực đơn này")
        )
    return item


async def _audited(
    session: AsyncSession,
    *,
    eatery_id: int,
    actor_id: int,
    action: str,
    change: Callable[[], Awaitable[None]],
) -> list[dict[str, Any]]:
    """Apply `change` to the menu and log the whole menu before and after; the new menu.

    The one place every menu write goes through: the eatery is locked before the menu is read.
    """
    await lock_eatery(session, eatery_id)
    before = await menu(session, eatery_id=eatery_id)
    await change()
    await session.flush()
    after = await menu(session, eatery_id=eatery_id)

    def prices(items: list[dict[str, Any]]) -> dict[str, Any]:
        return {m["dish"]: [m["price_vnd"], m["available"]] for m in items}

    await audit.record(
        session,
        actor_id=actor_id,
        action=f"menu.{action}",
        entity="eatery",
        entity_id=eatery_id,
        before={"menu": prices(before)},
        after={"menu": prices(after)},
    )
    return after


async def replace_items(
    session: AsyncSession, *, eatery_id: int, actor_id: int, items: list[MenuItemCreate]
) -> list[dict[str, Any]]:
    async def change() -> None:
        await replace_menu(session, eatery_id=eatery_id, items=items)

    return await _audited(
        session, eatery_id=eatery_id, actor_id=actor_id, action="replace", change=change
    )


async def add_item(
    session: AsyncSession, *, eatery_id: int, actor_id: int, item: MenuItemCreate
) -> list[dict[str, Any]]:
    async def change() -> None:
        dish_id = await dishes.dish_id(session, item.dish)
        if dish_id is None:
            raise InvalidInput(
                "dish",
                say(f"no dish with slug {item.dish!r}", f"không có món với slug '{item.dish}'"),
            )
        session.add(
            MenuItem(
                eatery_id=eatery_id,
                dish_id=dish_id,
                price_vnd=item.price_vnd,
                is_available=item.available,
            )
        )
        await flush(session)  # uq_menu_items_eatery_id_dish_id: a dish once per menu

    return await _audited(
        session, eatery_id=eatery_id, actor_id=actor_id, action="add", change=change
    )


async def update_item(
    session: AsyncSession, *, eatery_id: int, actor_id: int, dish: str, data: MenuItemUpdate
) -> list[dict[str, Any]]:
    async def change() -> None:
        item = await _item(session, eatery_id=eatery_id, dish=dish)
        if data.price_vnd is not None:
            item.price_vnd = data.price_vnd
        if data.available is not None:
            item.is_available = data.available

    return await _audited(
        session, eatery_id=eatery_id, actor_id=actor_id, action="update", change=change
    )


async def remove_item(session: AsyncSession, *, eatery_id: int, actor_id: int, dish: str) -> None:
    async def change() -> None:
        await session.delete(await _item(session, eatery_id=eatery_id, dish=dish))

    await _audited(session, eatery_id=eatery_id, actor_id=actor_id, action="remove", change=change)


async def price_history(
    session: AsyncSession,
    *,
    eatery_id: int,
    dish: str,
    limit: int,
    after: Sequence[Any] | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of the prices the dish had here, oldest first (one more than `limit` when there
    is a next page), and how many there were."""
    this = (MenuPriceHistory.eatery_id == eatery_id) & (Dish.slug == dish)
    order = [(MenuPriceHistory.valid_from, False), (MenuPriceHistory.id, False)]
    query = (
        select(MenuPriceHistory.id, MenuPriceHistory.price_vnd, MenuPriceHistory.valid_from)
        .join(Dish, Dish.id == MenuPriceHistory.dish_id)
        .where(this)
        .order_by(MenuPriceHistory.valid_from, MenuPriceHistory.id)
    )
    if after is not None:
        query = query.where(keyset_after(order, after))
    elif offset:
        query = query.offset(offset)
    rows = await session.execute(query.limit(limit + 1))
    total = await session.scalar(
        select(func.count())
        .select_from(MenuPriceHistory)
        .join(Dish, Dish.id == MenuPriceHistory.dish_id)
        .where(this)
    )
    items = [{"id": i, "price_vnd": p, "valid_from": t} for i, p, t in rows]
    return items, total or 0
