from datetime import date, datetime
from decimal import Decimal

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base, Timestamps, check_in
from tourism.exceptions import on_violation
from tourism.languages import say

KINDS = (
    "restaurant",
    "street_food",
    "cafe",
    "market_stall",
    "bakery",
    "seafood_restaurant",
    "dessert_shop",
)
# Only `active` eateries are listed, searched, mapped and open: the others have no opening
# intervals. `temporarily_closed` reopens by itself after `closed_until` (service.reopen_due).
STATUSES = ("active", "temporarily_closed", "closed")
TEMPORARILY_CLOSED = "temporarily_closed"


class Eatery(Timestamps, Base):
    __tablename__ = "eateries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    description_vi: Mapped[str | None] = mapped_column(String(1000))
    description_en: Mapped[str | None] = mapped_column(String(1000))
    address: Mapped[str] = mapped_column(String(300))
    ward: Mapped[str | None] = mapped_column(String(120))
    district: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True, nullable=False)
    )
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    # An imported value that did not parse, kept verbatim; `opening_hours` stays null (unknown).
    opening_hours_unparsed: Mapped[str | None] = mapped_column(String(500))
    # OpenStreetMap identity of imported eateries (ODbL data: exports attribute it).
    osm_type: Mapped[str | None] = mapped_column(String(8))
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    cuisine: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(300))
    # Lower-case, without diacritics: what search matches typed text against.
    name_folded: Mapped[str] = mapped_column(
        Text, Computed("foodtour_fold(name_vi || coalesce(' ' || name_en, ''))", persisted=True)
    )
    status: Mapped[str] = mapped_column(String(32), server_default="active")
    # The last day (Hai Phong date) a temporarily closed eatery stays closed; null: not known.
    closed_until: Mapped[date | None] = mapped_column(Date)
    # Maintained from approved reviews only; null until the first one.
    rating_avg: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    rating_count: Mapped[int] = mapped_column(Integer, server_default="0")
    # Set by the tourism department, never by vendors.
    verified: Mapped[bool] = mapped_column(Boolean, server_default="false")
    # Kept by database triggers (the `tile_columns` migration) for map tiles; never written
    # here: the cheapest available menu item, and the instants it opens and closes over the
    # precomputed window, in order (eatery_open_intervals, flattened).
    min_price_vnd: Mapped[int | None] = mapped_column(Integer)
    open_changes: Mapped[list[datetime] | None] = mapped_column(
        postgresql.ARRAY(DateTime(timezone=True))
    )

    __table_args__ = (
        check_in("kind", KINDS),
        check_in("status", STATUSES),
        CheckConstraint(
            f"closed_until IS NULL OR status = '{TEMPORARILY_CLOSED}'", name="closed_until"
        ),
        CheckConstraint("rating_count >= 0", name="rating_count"),
        CheckConstraint("rating_avg IS NULL OR rating_avg BETWEEN 1 AND 5", name="rating_avg"),
        UniqueConstraint("osm_type", "osm_id"),
        CheckConstraint(
            "(osm_type IS NULL) = (osm_id IS NULL) "
            "AND (osm_type IS NULL OR osm_type IN ('node', 'way', 'relation'))",
            name="osm_ref",
        ),
        # Metre-exact radius filters and KNN order run on geography.
        Index("ix_eateries_location_geog", text("(location::geography)"), postgresql_using="gist"),
        Index(
            "ix_eateries_name_folded_trgm",
            "name_folded",
            postgresql_using="gist",
            postgresql_ops={"name_folded": "gist_trgm_ops(siglen=256)"},
        ),
        # Byte order: prefix ranges for as-you-type suggestions, whatever the database collation.
        Index("ix_eateries_name_folded_prefix", text('(name_folded COLLATE "C")')),
        # The few temporarily closed eateries, by the day they reopen after.
        Index(
            "ix_eateries_closed_until",
            "closed_until",
            postgresql_where=text(f"status = '{TEMPORARILY_CLOSED}'"),
        ),
    )


on_violation(
    "uq_eateries_slug",
    say("an eatery with this slug exists", "đã có quán ăn với slug này"),
    field="slug",
    detail=say("already taken", "đã được dùng"),
)
on_violation(
    "ck_eateries_closed_until",
    say(
        "only a temporarily closed eatery has a day it reopens after",
        "chỉ quán đang tạm đóng cửa mới có ngày mở cửa trở lại",
    ),
    field="closed_until",
    conflict=False,
)


class EateryOpenInterval(Base):
    """Opening intervals precomputed from `opening_hours` so SQL can filter on open-now."""

    __tablename__ = "eatery_open_intervals"

    eatery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("eateries.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="order"),
        # The current or next interval of an eatery, index-only (map tiles).
        Index(
            "ix_eatery_open_intervals_next",
            "eatery_id",
            "closes_at",
            postgresql_include=["opens_at"],
        ),
    )


class OpenHoursWindow(Base):
    """The one row saying which span of time the precomputed intervals cover."""

    __tablename__ = "open_hours_window"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
