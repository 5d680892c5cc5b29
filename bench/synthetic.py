"""Synthetic eateries around Hai Phong: dense in the centre, thinning out to ~15 km."""

from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from seeds.loader import load_seeds
from tourism.eateries.models import Eatery
from tourism.eateries.service import ensure_open_window

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

SYNTHETIC_EATERIES = """
WITH params AS (
    SELECT CAST(:kinds AS text[]) AS kinds, CAST(:hours AS text[]) AS hours,
           CAST(:lon AS float8) AS lon, CAST(:lat AS float8) AS lat
)
INSERT INTO eateries (slug, name_vi, kind, address, district, location, opening_hours)
SELECT 'bench-' || g,
       'Quán thử nghiệm ' || g,
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

# Most eateries serve a few of the popular dishes: the dish index is skewed towards the first.
SYNTHETIC_MENUS = """
INSERT INTO menu_items (eatery_id, dish_id, price_vnd)
SELECT e.id,
       d.ids[1 + floor(power(random(), 2) * cardinality(d.ids))::int],
       (15 + floor(random() * 60)::int) * 1000
FROM eateries AS e,
     generate_series(1, CAST(:per_eatery AS int)) AS n,
     (SELECT array_agg(id ORDER BY id) AS ids FROM dishes) AS d
WHERE e.slug LIKE 'bench-%'
ON CONFLICT DO NOTHING
"""


async def build(session: AsyncSession, *, eateries: int, menu_per_eatery: int = 3) -> int:
    """Seed the city, then top the eateries up to `eateries` synthetic ones; returns the count."""
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
                "lon": CENTRE[0],
                "lat": CENTRE[1],
                "first": have + 1,
                "last": eateries,
            },
        )
        # Fresh statistics, or the foreign-key checks below keep a plan made for a tiny table
        # (a sequential scan per inserted row).
        await session.execute(text("ANALYZE eateries"))
        await session.execute(text(SYNTHETIC_MENUS), {"per_eatery": menu_per_eatery})
        await session.execute(text("ANALYZE menu_items"))
        await ensure_open_window(session, now=now, days=8, force=True)
    return await session.scalar(select(func.count()).select_from(Eatery))
