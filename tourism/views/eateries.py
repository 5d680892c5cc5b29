"""An eatery in full: the eatery, its menu, its reviews' stars and the bikes nearby."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tourism import hours
from tourism.bikeshare import service as stations
from tourism.dishes.models import Dish
from tourism.eateries import service as eateries
from tourism.eateries.models import Eatery
from tourism.exceptions import NotFound
from tourism.menus.models import MenuItem
from tourism.reviews import service as reviews
from tourism.views.dishes import in_language


async def eatery_detail(session: AsyncSession, *, eatery_id: int, now: datetime) -> dict[str, Any]:
    """One eatery with its hours, menu and nearest bike stations."""
    row = (
        await session.execute(
            select(
                *eateries.public_columns(),
                Eatery.phone,
                Eatery.description_vi,
                Eatery.description_en,
                Eatery.status,
                Eatery.opening_hours,
                Eatery.opening_hours_unparsed,
                Eatery.website,
                Eatery.cuisine,
                Eatery.updated_at,
                Eatery.verified,
            ).where(Eatery.id == eatery_id),
            {"now": now},
        )
    ).one_or_none()
    if row is None:
        raise NotFound(eateries.eatery_not_found(eatery_id))
    menu = (
        await session.execute(
            select(
                Dish.slug.label("dish_slug"),
                Dish.name_vi,
                Dish.name_en,
                Dish.category,
                MenuItem.price_vnd,
                MenuItem.is_available,
                MenuItem.updated_at,
                MenuItem.rating_avg.label("rating"),
                MenuItem.rating_count,
            )
            .join(Dish, Dish.id == MenuItem.dish_id)
            .where(MenuItem.eatery_id == eatery_id)
            .order_by(Dish.category, Dish.name_vi)
        )
    ).mappings()
    expression = row.opening_hours
    closed = row.status != "active"
    return {
        **eateries.public_fields(row),
        # The detail evaluates the rule itself: exact at any instant, even past the window.
        "open_now": False if closed else hours.is_open(expression, now),
        "next_change": None if closed else hours.next_change(expression, now),
        "schedule": [
            {**vars(day), "intervals": [{"opens": a, "closes": b} for a, b in day.intervals]}
            for day in hours.week_schedule(None if closed else expression, now)
        ],
        "phone": row.phone,
        "description_vi": row.description_vi,
        "description_en": row.description_en,
        "description": in_language(row.description_vi, row.description_en),
        "status": row.status,
        "opening_hours": expression,
        "opening_hours_unparsed": row.opening_hours_unparsed,
        "website": row.website,
        "cuisine": row.cuisine,
        "updated_at": row.updated_at,
        "menu": [
            {
                **m,
                "name": in_language(m["name_vi"], m["name_en"]),
                "rating": float(m["rating"]) if m["rating"] is not None else None,
            }
            for m in menu
        ],
        "verified": row.verified,
        "rating_histogram": await reviews.histogram(session, eatery_id),
        "nearby_stations": await stations.nearby(
            session, lat=row.lat, lon=row.lon, now=now, limit=3
        ),
    }
