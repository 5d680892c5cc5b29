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

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.dishes.models import Dish
from tourism.eateries.locks import lock_eatery
from tourism.exceptions import InvalidInput
from tourism.menus.models import MenuItem
from tourism.menus.schemas import MenuItemIn


async def replace_menu(session: AsyncSession, *, eatery_id: int, items: list[MenuItemIn]) -> None:
    """Make the eatery's menu exactly `items`: upsert these dishes, remove the others.

    Locks the eatery first (callers that read the menu before, for the audit, lock earlier).
    """
    await lock_eatery(session, eatery_id)
    slugs = [item.dish for item in items]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("menu", "a dish appears twice in the menu")
    ids = dict(
        (await session.execute(select(Dish.slug, Dish.id).where(Dish.slug.in_(slugs)))).all()
    )
    unknown = sorted(set(slugs) - ids.keys())
    if unknown:
        raise InvalidInput("menu", f"unknown dish slugs: {', '.join(unknown)}")
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
