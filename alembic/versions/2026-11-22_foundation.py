"""foundation: eateries, dishes, menus, bike stations, precomputed opening intervals

Revision ID: 8ea606b8fa45
Revises:
Create Date: 2026-11-22 04:27:22.624212+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "8ea606b8fa45"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `foodtour db up` creates these; a managed database may not have them yet.
    for extension in ("postgis", "pg_trgm", "unaccent"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
    op.create_geospatial_table(
        "bike_stations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("is_installed", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_bike_stations_capacity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bike_stations")),
        sa.UniqueConstraint("station_id", name=op.f("uq_bike_stations_station_id")),
    )
    op.create_geospatial_index(
        "idx_bike_stations_location",
        "bike_stations",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_bike_stations_location_geog",
        "bike_stations",
        [sa.literal_column("(location::geography)")],
        unique=False,
        postgresql_using="gist",
    )
    op.create_table(
        "dishes",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("description_vi", sa.String(length=1000), nullable=True),
        sa.Column("description_en", sa.String(length=1000), nullable=True),
        sa.Column(
            "aliases",
            postgresql.ARRAY(sa.String(length=200)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dishes")),
        sa.UniqueConstraint("slug", name=op.f("uq_dishes_slug")),
    )
    op.create_index(op.f("ix_dishes_category"), "dishes", ["category"], unique=False)
    op.create_geospatial_table(
        "eateries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("description_vi", sa.String(length=1000), nullable=True),
        sa.Column("description_en", sa.String(length=1000), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("ward", sa.String(length=120), nullable=True),
        sa.Column("district", sa.String(length=120), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("opening_hours", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="active", nullable=False),
        sa.Column("rating_avg", sa.Numeric(precision=3, scale=2), nullable=True),
        sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('restaurant', 'street_food', 'cafe', 'market_stall', 'bakery', "
            "'seafood_restaurant', 'dessert_shop')",
            name=op.f("ck_eateries_kind"),
        ),
        sa.CheckConstraint("status IN ('active', 'closed')", name=op.f("ck_eateries_status")),
        sa.CheckConstraint(
            "rating_avg IS NULL OR rating_avg BETWEEN 1 AND 5", name=op.f("ck_eateries_rating_avg")
        ),
        sa.CheckConstraint("rating_count >= 0", name=op.f("ck_eateries_rating_count")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eateries")),
        sa.UniqueConstraint("slug", name=op.f("uq_eateries_slug")),
    )
    op.create_geospatial_index(
        "idx_eateries_location",
        "eateries",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_eateries_location_geog",
        "eateries",
        [sa.literal_column("(location::geography)")],
        unique=False,
        postgresql_using="gist",
    )
    op.create_table(
        "open_hours_window",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_open_hours_window_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open_hours_window")),
    )
    op.create_table(
        "bike_station_status",
        sa.Column("station_pk", sa.BigInteger(), nullable=False),
        sa.Column("num_bikes_available", sa.Integer(), nullable=False),
        sa.Column("num_docks_available", sa.Integer(), nullable=False),
        sa.Column("is_renting", sa.Boolean(), nullable=False),
        sa.Column("is_returning", sa.Boolean(), nullable=False),
        sa.Column("last_reported", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("num_bikes_available >= 0", name=op.f("ck_bike_station_status_bikes")),
        sa.CheckConstraint("num_docks_available >= 0", name=op.f("ck_bike_station_status_docks")),
        sa.ForeignKeyConstraint(
            ["station_pk"],
            ["bike_stations.id"],
            name=op.f("fk_bike_station_status_station_pk_bike_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_pk", name=op.f("pk_bike_station_status")),
    )
    op.create_table(
        "eatery_open_intervals",
        sa.Column("eatery_id", sa.BigInteger(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("closes_at > opens_at", name=op.f("ck_eatery_open_intervals_order")),
        sa.ForeignKeyConstraint(
            ["eatery_id"],
            ["eateries.id"],
            name=op.f("fk_eatery_open_intervals_eatery_id_eateries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("eatery_id", "opens_at", name=op.f("pk_eatery_open_intervals")),
    )
    op.create_table(
        "menu_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("eatery_id", sa.BigInteger(), nullable=False),
        sa.Column("dish_id", sa.Integer(), nullable=False),
        sa.Column("price_vnd", sa.Integer(), nullable=False),
        sa.Column("is_available", sa.Boolean(), server_default="true", nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "price_vnd > 0 AND price_vnd <= 100000000", name=op.f("ck_menu_items_price_vnd")
        ),
        sa.ForeignKeyConstraint(
            ["dish_id"],
            ["dishes.id"],
            name=op.f("fk_menu_items_dish_id_dishes"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["eatery_id"],
            ["eateries.id"],
            name=op.f("fk_menu_items_eatery_id_eateries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_items")),
        sa.UniqueConstraint("eatery_id", "dish_id", name=op.f("uq_menu_items_eatery_id_dish_id")),
    )
    op.create_index(op.f("ix_menu_items_dish_id"), "menu_items", ["dish_id"], unique=False)


def downgrade() -> None:
    # Extensions stay: they belong to the database, and other schemas may use them.
    op.drop_index(op.f("ix_menu_items_dish_id"), table_name="menu_items")
    op.drop_table("menu_items")
    op.drop_table("eatery_open_intervals")
    op.drop_table("bike_station_status")
    op.drop_table("open_hours_window")
    op.drop_index("ix_eateries_location_geog", table_name="eateries", postgresql_using="gist")
    op.drop_geospatial_index(
        "idx_eateries_location",
        table_name="eateries",
        postgresql_using="gist",
        column_name="location",
    )
    op.drop_geospatial_table("eateries")
    op.drop_index(op.f("ix_dishes_category"), table_name="dishes")
    op.drop_table("dishes")
    op.drop_index(
        "ix_bike_stations_location_geog", table_name="bike_stations", postgresql_using="gist"
    )
    op.drop_geospatial_index(
        "idx_bike_stations_location",
        table_name="bike_stations",
        postgresql_using="gist",
        column_name="location",
    )
    op.drop_geospatial_table("bike_stations")
