"""Menus: which dishes an eatery serves, at what price."""

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.dishes.models import Dish
from tourism.exceptions import InvalidInput
from tourism.menus.models import MenuItem
from tourism.menus.schemas import MenuItemIn


async def replace_menu(session: AsyncSession, *, eatery_id: int, items: list[MenuItemIn]) -> None:
    """Make the eatery's menu exactly `items`: upsert these dishes, remove the others."""
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
    statement = insert(MenuItem).values(
        [
            {
                "eatery_id": eatery_id,
                "dish_id": ids[item.dish],
                "price_vnd": item.price_vnd,
                "is_available": item.available,
            }
            for item in items
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
