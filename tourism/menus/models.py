from datetime import datetime
from decimal import Decimal

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base
from tourism.exceptions import on_violation
from tourism.languages import say

MAX_PRICE_VND = 100_000_000


class MenuItem(Base):
    """One dish on one eatery's menu, at a price in integer VND."""

    __tablename__ = "menu_items"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    eatery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("eateries.id", ondelete="CASCADE")
    )
    dish_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("dishes.id", ondelete="RESTRICT"), index=True
    )
    price_vnd: Mapped[int] = mapped_column(Integer)
    is_available: Mapped[bool] = mapped_column(Boolean, server_default="true")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Copies of the eatery's location, activity and rating score, kept by database triggers,
    # so that one index answers "the nearest (or best) eateries serving dish X".
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=False), server_default=None
    )
    eatery_active: Mapped[bool] = mapped_column(Boolean, server_default="true")
    eatery_score: Mapped[float] = mapped_column(REAL, server_default="3")
    # From approved reviews that rated this dish here.
    rating_avg: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    rating_count: Mapped[int] = mapped_column(Integer, server_default="0")

    __table_args__ = (
        UniqueConstraint("eatery_id", "dish_id"),
        CheckConstraint(f"price_vnd > 0 AND price_vnd <= {MAX_PRICE_VND}", name="price_vnd"),
        Index(
            "ix_menu_items_dish_nearest",
            "dish_id",
            "location",
            postgresql_using="gist",
            postgresql_where=text("is_available AND eatery_active"),
        ),
        Index(
            "ix_menu_items_dish_cheapest",
            "dish_id",
            "price_vnd",
            "eatery_id",
            postgresql_where=text("is_available AND eatery_active"),
        ),
        # An eatery's cheapest available dish, index-only (map tiles).
        Index(
            "ix_menu_items_eatery_price",
            "eatery_id",
            "price_vnd",
            postgresql_where=text("is_available"),
        ),
        Index(
            "ix_menu_items_dish_best",
            "dish_id",
            text("eatery_score DESC"),
            "eatery_id",
            postgresql_where=text("is_available AND eatery_active"),
        ),
    )


class MenuPriceHistory(Base):
    """Every price an eatery asked for a dish, from when (written by a database trigger)."""

    __tablename__ = "menu_price_history"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    eatery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("eateries.id", ondelete="CASCADE")
    )
    dish_id: Mapped[int] = mapped_column(Integer, ForeignKey("dishes.id", ondelete="CASCADE"))
    price_vnd: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_menu_price_history_item", "eatery_id", "dish_id", "valid_from"),)


on_violation(
    "uq_menu_items_eatery_id_dish_id",
    say(
        "the dish is on the menu already: change it instead",
        "món này đã có trong thực đơn: hãy sửa món đó",
    ),
)
