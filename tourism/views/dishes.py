"""The dish catalogue as visitors see it: how many eateries serve each dish and at what prices,
and one dish with the eateries serving it."""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.dishes.models import Dish
from tourism.eateries.card import public_columns, public_fields
from tourism.eateries.models import Eatery
from tourism.exceptions import NotFound
from tourism.menus.models import MenuItem


def _offer_stats():
    """Per dish: how many active eateries serve it now, and the price range there."""
    return (
        select(
            MenuItem.dish_id,
            func.count().label("eatery_count"),
            func.min(MenuItem.price_vnd).label("price_min_vnd"),
            func.max(MenuItem.price_vnd).label("price_max_vnd"),
        )
        .join(Eatery, Eatery.id == MenuItem.eatery_id)
        .where(MenuItem.is_available, Eatery.status == "active")
        .group_by(MenuItem.dish_id)
        .subquery()
    )


def _dish_fields(row: Any) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "category": row.category,
        "description_vi": row.description_vi,
        "description_en": row.description_en,
        "aliases": row.aliases,
        "eatery_count": row.eatery_count or 0,
        "price_min_vnd": row.price_min_vnd,
        "price_max_vnd": row.price_max_vnd,
    }


def _dishes_query():
    stats = _offer_stats()
    return select(
        Dish, stats.c.eatery_count, stats.c.price_min_vnd, stats.c.price_max_vnd
    ).outerjoin(stats, stats.c.dish_id == Dish.id)


async def list_dishes(
    session: AsyncSession, *, category: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    query = _dishes_query().order_by(Dish.slug).limit(limit).offset(offset)
    if category:
        query = query.where(Dish.category == category)
    rows = (await session.execute(query)).all()
    return [_dish_fields(_flat(r)) for r in rows]


def _flat(row: Any) -> Any:
    dish = row.Dish
    dish.eatery_count, dish.price_min_vnd, dish.price_max_vnd = row[1:]
    return dish


async def dish_detail(
    session: AsyncSession, *, slug: str, now: datetime, limit: int
) -> dict[str, Any]:
    row = (await session.execute(_dishes_query().where(Dish.slug == slug))).one_or_none()
    if row is None:
        raise NotFound(f"no dish with slug {slug!r}")
    dish = _flat(row)
    offers = (
        await session.execute(
            select(*public_columns(), MenuItem.price_vnd, MenuItem.is_available)
            .join(MenuItem, MenuItem.eatery_id == Eatery.id)
            .where(MenuItem.dish_id == dish.id, MenuItem.is_available, Eatery.status == "active")
            .order_by(MenuItem.price_vnd, Eatery.id)
            .limit(limit),
            {"now": now},
        )
    ).all()
    return {
        **_dish_fields(dish),
        "eateries": [
            {**public_fields(o), "price_vnd": o.price_vnd, "is_available": o.is_available}
            for o in offers
        ],
    }
