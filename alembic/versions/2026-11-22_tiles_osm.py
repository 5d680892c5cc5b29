"""tiles and OpenStreetMap: data versions kept by triggers, OSM identity and tags on eateries

Revision ID: b3d7f2a9e507
Revises: b2a6e0c1f406
Create Date: 2026-11-22 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b3d7f2a9e507"
down_revision: str | None = "b2a6e0c1f406"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables map tiles and open data are made from, and the column that dates their rows.
VERSIONED = {
    "eateries": "updated_at",
    "menu_items": "updated_at",
    "dishes": "updated_at",
    "eatery_open_intervals": None,
    "bike_stations": "updated_at",
    "bike_station_status": "last_reported",
}

# One counter per table, moved by every statement that writes the table, in the writer's own
# transaction: a reader that sees the new data sees the new version, and never the other way
# round. Caches key their entries by these versions, so no entry outlives the data it shows.
BUMP = """
CREATE FUNCTION foodtour_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1, changed_at = now()
     WHERE table_name = TG_TABLE_NAME;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "data_versions",
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column(
            "changed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_data_versions")),
    )
    op.execute(BUMP)
    for table, dated_by in VERSIONED.items():
        changed = f"(SELECT coalesce(max({dated_by}), now()) FROM {table})" if dated_by else "now()"
        op.execute(
            f"INSERT INTO data_versions (table_name, changed_at) VALUES ('{table}', {changed})"
        )
        op.execute(
            f"CREATE TRIGGER bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION foodtour_bump_data_version()"
        )

    # Tiles read, per eatery, the cheapest available dish and the current or next opening
    # interval: one index-only probe each.
    op.create_index(
        "ix_menu_items_eatery_price",
        "menu_items",
        ["eatery_id", "price_vnd"],
        postgresql_where=sa.text("is_available"),
    )
    op.create_index(
        "ix_eatery_open_intervals_next",
        "eatery_open_intervals",
        ["eatery_id", "closes_at"],
        postgresql_include=["opens_at"],
    )

    op.add_column("eateries", sa.Column("osm_type", sa.String(length=8), nullable=True))
    op.add_column("eateries", sa.Column("osm_id", sa.BigInteger(), nullable=True))
    op.add_column("eateries", sa.Column("cuisine", sa.String(length=255), nullable=True))
    op.add_column("eateries", sa.Column("website", sa.String(length=300), nullable=True))
    op.add_column(
        "eateries", sa.Column("opening_hours_unparsed", sa.String(length=500), nullable=True)
    )
    op.create_unique_constraint(
        op.f("uq_eateries_osm_type_osm_id"), "eateries", ["osm_type", "osm_id"]
    )
    op.create_check_constraint(
        op.f("ck_eateries_osm_ref"),
        "eateries",
        "(osm_type IS NULL) = (osm_id IS NULL) "
        "AND (osm_type IS NULL OR osm_type IN ('node', 'way', 'relation'))",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_eateries_osm_ref"), "eateries", type_="check")
    op.drop_constraint(op.f("uq_eateries_osm_type_osm_id"), "eateries", type_="unique")
    for column in ("opening_hours_unparsed", "website", "cuisine", "osm_id", "osm_type"):
        op.drop_column("eateries", column)
    op.drop_index("ix_eatery_open_intervals_next", table_name="eatery_open_intervals")
    op.drop_index("ix_menu_items_eatery_price", table_name="menu_items")
    for table in VERSIONED:
        op.execute(f"DROP TRIGGER bump_data_version ON {table}")
    op.execute("DROP FUNCTION foodtour_bump_data_version()")
    op.drop_table("data_versions")
