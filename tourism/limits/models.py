from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Identity, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base


class RateEvent(Base):
    """One counted action in a rate-limit bucket (reviews per account, per client address)."""

    __tablename__ = "rate_events"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_rate_events_bucket_at", "bucket", "at"),)
