from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base, Timestamps, check_in

TARGET_KINDS = ("search", "dish", "eatery", "station", "tour")
CLIENT_KINDS = ("ios", "android", "desktop", "bot", "other")
ORIGINS = ("api", "cli")


class QrCode(Timestamps, Base):
    """A printed code: a short random identifier pointing to one target, in a campaign."""

    __tablename__ = "qr_codes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    target_kind: Mapped[str] = mapped_column(String(8))
    # Exactly one of these, as the kind says (checked below).
    target_query: Mapped[str | None] = mapped_column(String(100))
    dish_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("dishes.id"))
    # Indexed: a vendor sees the codes of the eateries it manages (tourism.accounts.ownership).
    eatery_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("eateries.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("bike_stations.id"))
    # A tour: {"dishes": [slugs], "names": [their Vietnamese names, for the poster], "minutes",
    # "mode"}; planned when scanned, from where the scanner is.
    target_tour: Mapped[dict | None] = mapped_column(JSONB)
    campaign: Mapped[str] = mapped_column(String(64), index=True)
    placement: Mapped[str | None] = mapped_column(String(120))
    utm_source: Mapped[str] = mapped_column(String(40))
    # Null when made from the command line without an account (origin "cli").
    created_by: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    origin: Mapped[str] = mapped_column(String(8), server_default="api")
    active: Mapped[bool] = mapped_column(Boolean, server_default="true")

    __table_args__ = (
        check_in("target_kind", TARGET_KINDS),
        check_in("origin", ORIGINS),
        CheckConstraint(
            "num_nonnulls(target_query, dish_id, eatery_id, station_id, target_tour) = 1"
            " AND (target_kind = 'search') = (target_query IS NOT NULL)"
            " AND (target_kind = 'dish') = (dish_id IS NOT NULL)"
            " AND (target_kind = 'eatery') = (eatery_id IS NOT NULL)"
            " AND (target_kind = 'station') = (station_id IS NOT NULL)"
            " AND (target_kind = 'tour') = (target_tour IS NOT NULL)",
            name="one_target",
        ),
    )


class QrScan(Base):
    """One scan: when, and a coarse kind of client. No address, no raw User-Agent."""

    __tablename__ = "qr_scans"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("qr_codes.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    client: Mapped[str] = mapped_column(String(8))

    __table_args__ = (
        check_in("client", CLIENT_KINDS),
        # Stats: a code's scans in a time range.
        Index("ix_qr_scans_code_id_scanned_at", "code_id", "scanned_at"),
    )
