from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base

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

    __table_args__ = (
        UniqueConstraint("eatery_id", "dish_id"),
        CheckConstraint(f"price_vnd > 0 AND price_vnd <= {MAX_PRICE_VND}", name="price_vnd"),
    )
