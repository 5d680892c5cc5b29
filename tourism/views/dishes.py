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
from tourism.languages import Message, current_language, say
from tourism.menus.models import MenuItem
from tourism.paging import after as keyset_after


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


def in_language(vi: str | None, en: str | None) -> str | None:
    """A text in the request's language: English falls back to Vietnamese and the other way."""
    return (en or vi) if current_language() == "en" else (vi or en)


def _dish_fields(row: Any) -> dict[str, Any]:
    return {
        "slug": row.slug,
        "name_vi": row.name_vi,
        "name_en": row.name_en,
        "name": in_language(row.name_vi, row.name_en),
        "category": row.category,
        "description_vi": row.description_vi,
        "description_en": row.description_en,
        "description": in_language(row.description_vi, row.description_en),
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
    session: AsyncSession,
    *,
    category: str | None,
    limit: int,
    after: str | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], str | None, int]:
    """Dishes by slug: `limit` of them after the slug `after` (a previous page's last), or
    after `offset` (deprecated); the last slug when there are more; how many in all."""
    query = _dishes_query().order_by(Dish.slug).limit(limit + 1)
    counted = select(func.count()).select_from(Dish)
    if category:
        query = query.where(Dish.category == category)
        counted = counted.where(Dish.category == category)
    if after is not None:
        query = query.where(Dish.slug > after)
    elif offset:
        query = query.offset(offset)
    rows = (await session.execute(query)).all()
    more = len(rows) > limit
    dishes = [_flat(r) for r in rows[:limit]]
    total = await session.scalar(counted) or 0
    return [_dish_fields(d) for d in dishes], dishes[-1].slug if more else None, total


def _flat(row: Any) -> Any:
    dish = row.Dish
    dish.eatery_count, dish.price_min_vnd, dish.price_max_vnd = row[1:]
    return dish


def dish_not_found(slug: str) -> Message:
    return say(f"no dish with slug {slug!r}", f"không tìm thấy món ăn có mã {slug!r}")


async def dish_detail(
    session: AsyncSession,
    *,
    slug: str,
    now: datetime,
    limit: int,
    after: tuple[int, int] | None = None,
    offset: int = 0,
) -> tuple[dict[str, Any], tuple[int, int] | None]:
    """A dish with `limit` of the eateries serving it, cheapest first (price, then eatery id),
    after the key `after` (a previous page's last) or `offset`; and the last key when there are
    more. `total` is the dish's `eatery_count`: the same eateries."""
    row = (await session.execute(_dishes_query().where(Dish.slug == slug))).one_or_none()
    if row is None:
        raise NotFound(dish_not_found(slug))
    dish = _flat(row)
    query = (
        select(*public_columns(), MenuItem.price_vnd, MenuItem.is_available)
        .join(MenuItem, MenuItem.eatery_id == Eatery.id)
        .where(MenuItem.dish_id == dish.id, MenuItem.is_available, Eatery.status == "active")
        .order_by(MenuItem.price_vnd, Eatery.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(keyset_after([(MenuItem.price_vnd, False), (Eatery.id, False)], after))
    elif offset:
        query = query.offset(offset)
    offers = (await session.execute(query, {"now": now})).all()
    more = len(offers) > limit
    offers = offers[:limit]
    answer = {
        **_dish_fields(dish),
        "eateries": [
            {**public_fields(o), "price_vnd": o.price_vnd, "is_available": o.is_available}
            for o in offers
        ],
        "total": dish.eatery_count or 0,
    }
    return answer, (offers[-1].price_vnd, offers[-1].id) if more else None
