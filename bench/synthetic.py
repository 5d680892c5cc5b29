"""Synthetic eateries around Hai Phong: dense in the centre, thinning out to ~15 km.

Half are named after a dish and an owner, as many real ones are ("Bánh đa cua Bà Hoa 12"), so
name matching works as hard as it would in the city; most serve a few of the popular dishes.
"""

from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from seeds.loader import load_seeds
from tourism.eateries.models import Eatery
from tourism.eateries.service import ensure_open_window
from tourism.menus.models import MenuItem

CENTRE = (106.6839, 20.8577)  # lon, lat: the Opera House
HOURS = (
    "Mo-Su 06:00-10:00",
    "Mo-Su 06:30-21:30",
    "Mo-Su 10:00-14:00,17:00-22:00",
    "Tu-Su 07:00-22:00; Mo off",
    "Mo-Su 17:00-02:00",
    "Mo-Fr 07:00-22:00; Sa,Su 07:00-23:00",
    "24/7",
    "Mo-Sa 05:30-11:00; Su off",
)
KINDS = ("street_food", "restaurant", "cafe", "market_stall", "seafood_restaurant", "bakery")
OWNERS = ("Bà Hoa", "Cô Lan", "Chú Tư", "Anh Minh", "Bà Lý", "Cô Hằng", "Ông Tám", "Chị Nga")

SYNTHETIC_EATERIES = """
WITH params AS (
    SELECT CAST(:kinds AS text[]) AS kinds, CAST(:hours AS text[]) AS hours,
           CAST(:owners AS text[]) AS owners,
           (SELECT array_agg(name_vi ORDER BY id) FROM dishes) AS dishes,
           CAST(:lon AS float8) AS lon, CAST(:lat AS float8) AS lat
)
INSERT INTO eateries (slug, name_vi, kind, address, district, location, opening_hours)
SELECT 'bench-' || g,
       CASE WHEN g % 2 = 0
            THEN dishes[1 + floor(power(random(), 2) * cardinality(dishes))::int]
                 || ' ' || owners[1 + g % cardinality(owners)] || ' ' || g
            ELSE 'Quán ' || owners[1 + g % cardinality(owners)] || ' ' || g END,
       kinds[1 + g % cardinality(kinds)],
       g || ' Phố Thử Nghiệm',
       'Ngô Quyền',
       ST_SetSRID(ST_MakePoint(lon + r * cos(theta) / cos(radians(lat)), lat + r * sin(theta)),
                  4326),
       hours[1 + (g * 7) % cardinality(hours)]
FROM params,
     LATERAL (SELECT g, 0.14 * power(random(), 1.5) AS r, 2 * pi() * random() AS theta
              FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g) AS s
"""

# Each draw picks a dish skewed towards the first (popular) ones; repeated draws collapse.
SYNTHETIC_MENUS = """
INSERT INTO menu_items (eatery_id, dish_id, price_vnd)
SELECT e.id,
       d.ids[1 + floor(power(random(), 2) * cardinality(d.ids))::int],
       (15 + floor(random() * 60)::int) * 1000
FROM eateries AS e,
     generate_series(1, CAST(:draws AS int)) AS n,
     (SELECT array_agg(id ORDER BY id) AS ids FROM dishes) AS d
WHERE e.slug LIKE 'bench-%'
ON CONFLICT DO NOTHING
"""


async def _count(session: AsyncSession, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def build(session: AsyncSession, *, eateries: int, menu_items: int) -> dict[str, int]:
    """Seed the city, then top up to `eateries` eateries and `menu_items` menu items."""
    now = datetime.now(UTC)
    await session.execute(text("SET LOCAL statement_timeout = 0"))
    await load_seeds(session, now=now, window_days=8)
    have = await session.scalar(
        select(func.count()).select_from(Eatery).where(Eatery.slug.like("bench-%"))
    )
    if have < eateries:
        await session.execute(
            text(SYNTHETIC_EATERIES),
            {
                "kinds": list(KINDS),
                "hours": list(HOURS),
                "owners": list(OWNERS),
                "lon": CENTRE[0],
                "lat": CENTRE[1],
                "first": have + 1,
                "last": eateries,
            },
        )
        # Fresh statistics, or the foreign-key checks below keep a plan made for a tiny table
        # (a sequential scan per inserted row).
        await session.execute(text("ANALYZE eateries"))
        await ensure_open_window(session, now=now, days=8, force=True)
    while (items := await _count(session, MenuItem)) < menu_items:
        draws = max(1, (menu_items - items) // eateries + 1)
        await session.execute(text(SYNTHETIC_MENUS), {"draws": draws})
        await session.execute(text("ANALYZE menu_items"))
    return {"eateries": await _count(session, Eatery), "menu_items": items}
