"""Every mapped table, imported in one place for Alembic and the tests."""

from tourism.accounts.models import EateryVendor, User
from tourism.audit.models import AuditEntry
from tourism.bikeshare.models import BikeStation, BikeStationStatus
from tourism.changes import DataVersion
from tourism.database import Base
from tourism.dishes.models import Dish, DishName
from tourism.eateries.models import Eatery, EateryOpenInterval, OpenHoursWindow
from tourism.limits.models import RateEvent
from tourism.menus.models import MenuItem, MenuPriceHistory
from tourism.qrcodes.models import QrCode, QrScan
from tourism.reviews.models import Review, ReviewDishRating, ReviewFlag
from tourism.search.models import SearchCatalogue

__all__ = [
    "AuditEntry",
    "MenuPriceHistory",
    "RateEvent",
    "Review",
    "ReviewDishRating",
    "ReviewFlag",
    "SearchCatalogue",
    "Base",
    "DataVersion",
    "BikeStation",
    "BikeStationStatus",
    "Dish",
    "DishName",
    "Eatery",
    "EateryOpenInterval",
    "EateryVendor",
    "MenuItem",
    "OpenHoursWindow",
    "QrCode",
    "QrScan",
    "User",
]
