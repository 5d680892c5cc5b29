from datetime import datetime

from geoalchemy2 import Geometry, WKBElement
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tourism.database import Base, Timestamps


class BikeStation(Timestamps, Base):
    __tablename__ = "bike_stations"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # The operator's identifier (GBFS station_id).
    station_id: Mapped[str] = mapped_column(String(64), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[WKBElement] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True, nullable=False)
    )
    # Docking points; GBFS makes it optional, so an imported station may not say.
    capacity: Mapped[int | None] = mapped_column(Integer)
    is_installed: Mapped[bool] = mapped_column(Boolean, server_default="true")

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity"),
        Index(
            "ix_bike_stations_location_geog", text("(location::geography)"), postgresql_using="gist"
        ),
    )


class BikeStationStatus(Base):
    """The latest reported availability of one station."""

    __tablename__ = "bike_station_status"

    station_pk: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("bike_stations.id", ondelete="CASCADE"), primary_key=True
    )
    num_bikes_available: Mapped[int] = mapped_column(Integer)
    num_docks_available: Mapped[int] = mapped_column(Integer)
    is_renting: Mapped[bool] = mapped_column(Boolean)
    is_returning: Mapped[bool] = mapped_column(Boolean)
    last_reported: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("num_bikes_available >= 0", name="bikes"),
        CheckConstraint("num_docks_available >= 0", name="docks"),
    )
