"""Load the Hai Phong seed files through the application's own services (idempotent upserts)."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from tourism.bikeshare.schemas import StationCreate
from tourism.bikeshare.service import upsert_station
from tourism.dishes.schemas import DishCreate
from tourism.dishes.service import upsert_dish
from tourism.eateries.schemas import EateryCreate
from tourism.eateries.service import ensure_open_window, upsert_eatery
from tourism.menus.schemas import MenuItemCreate
from tourism.menus.service import replace_menu

SEED_DIR = Path(__file__).resolve().parent


@dataclass
class SeedSummary:
    dishes: int = 0
    eateries: int = 0
    menu_items: int = 0
    stations: int = 0


def _read(directory: Path, name: str) -> list[dict]:
    with (directory / name).open(encoding="utf-8") as f:
        return yaml.safe_load(f) or []


async def load_seeds(
    session: AsyncSession, *, now: datetime, window_days: int, directory: Path = SEED_DIR
) -> SeedSummary:
    """Upsert every dish, eatery (with its menu) and bike station; the caller commits."""
    summary = SeedSummary()
    await ensure_open_window(session, now=now, days=window_days)
    for item in _read(directory, "dishes.yaml"):
        await upsert_dish(session, data=DishCreate(**item))
        summary.dishes += 1
    for item in _read(directory, "eateries.yaml"):
        menu = [MenuItemCreate(**m) for m in item.pop("menu", [])]
        eatery_id = await upsert_eatery(session, data=EateryCreate(**item))
        await replace_menu(session, eatery_id=eatery_id, items=menu)
        summary.eateries += 1
        summary.menu_items += len(menu)
    for item in _read(directory, "bike_stations.yaml"):
        status = item.pop("status", None)
        if status:
            item["status"] = {
                "num_bikes_available": status["bikes"],
                "num_docks_available": status["docks"],
                "is_renting": status.get("is_renting", True),
                "is_returning": status.get("is_returning", True),
            }
        await upsert_station(session, data=StationCreate(**item), now=now)
        summary.stations += 1
    return summary
