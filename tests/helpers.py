"""Test data built with the application's own services."""

from datetime import date, datetime, time, timedelta

from tourism.eateries.schemas import EateryCreate
from tourism.eateries.service import upsert_eatery
from tourism.hours import TZ
from tourism.menus.schemas import MenuItemCreate
from tourism.menus.service import replace_menu


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Hai Phong wall-clock time on `day`, as an aware datetime."""
    return datetime.combine(day, time(hh, mm), tzinfo=TZ)


def tomorrow() -> date:
    return datetime.now(TZ).date() + timedelta(days=1)


async def make_eatery(session, *, slug: str, lat: float, lon: float, hours: str | None, menu=()):
    """Create (or update) an eatery and its menu, committed; returns its id."""
    async with session.begin():
        eatery_id = await upsert_eatery(
            session,
            data=EateryCreate(
                slug=slug,
                name_vi=f"Quán thử {slug}",
                kind="street_food",
                address="1 Phố Thử",
                lat=lat,
                lon=lon,
                opening_hours=hours,
            ),
        )
        await replace_menu(
            session,
            eatery_id=eatery_id,
            items=[MenuItemCreate(dish=d, price_vnd=p) for d, p in menu],
        )
    return eatery_id
