"""The dish catalogue."""

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.database import upsert_returning_id
from tourism.dishes.models import Dish, DishName
from tourism.dishes.schemas import DishCreate


async def upsert_dish(session: AsyncSession, *, data: DishCreate) -> int:
    values = data.model_dump()
    dish_id = await upsert_returning_id(session, Dish, key=Dish.slug, values=values)
    await _replace_names(session, dish_id=dish_id, data=data)
    return dish_id


async def _replace_names(session: AsyncSession, *, dish_id: int, data: DishCreate) -> None:
    """The names search matches: Vietnamese, English and every alias, once each."""
    names = {data.name_vi: "vi"}
    names.setdefault(data.name_en, "en")
    for alias in data.aliases:
        names.setdefault(alias, "alias")
    await session.execute(delete(DishName).where(DishName.dish_id == dish_id))
    await session.execute(
        insert(DishName),
        [{"dish_id": dish_id, "name": name, "kind": kind} for name, kind in names.items()],
    )


async def dish_ids(session: AsyncSession, slugs: Iterable[str]) -> dict[str, int]:
    """The ids of the dishes with these slugs; an unknown slug is simply absent."""
    rows = await session.execute(select(Dish.slug, Dish.id).where(Dish.slug.in_(list(slugs))))
    return dict(rows.all())


async def dish_id(session: AsyncSession, slug: str) -> int | None:
    return (await dish_ids(session, [slug])).get(slug)
