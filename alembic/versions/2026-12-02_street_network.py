"""the street network the tour planner routes on: vertices, edges and what was imported

Revision ID: db248ff0f37e
Revises: 6c2e8f4b0d21
Create Date: 2026-12-02 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import Geometry

from alembic import op

revision: str = "db248ff0f37e"
down_revision: str | None = "6c2e8f4b0d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain tables: pgRouting is needed to route on them (`foodtour import streets` creates the
# extension), not to have them, so a PostgreSQL without pgRouting still migrates.


def _geometry(kind: str) -> Geometry:
    return Geometry(
        geometry_type=kind,
        srid=4326,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "street_networks",
        # One row: the network imported last (an import replaces the whole network).
        sa.Column("id", sa.SmallInteger(), server_default="1", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("vertices", sa.Integer(), nullable=False),
        sa.Column("edges", sa.Integer(), nullable=False),
        sa.Column("length_m", sa.Float(precision=53), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_street_networks_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_networks")),
    )
    op.create_geospatial_table(
        "street_vertices",
        # the OpenStreetMap node id: a re-import gives the same vertices the same ids
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("geom", _geometry("POINT"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_vertices")),
    )
    op.create_geospatial_index(
        "idx_street_vertices_geom",
        "street_vertices",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "street_edges",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("length_m", sa.Float(precision=53), nullable=False),
        sa.Column("foot", sa.Boolean(), nullable=False),
        sa.Column("bike", sa.Boolean(), nullable=False),
        # Bikes only from source to target (an import turns oneway=-1 ways round).
        sa.Column("bike_oneway", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("way_id", sa.BigInteger(), nullable=True),
        sa.Column("geom", _geometry("LINESTRING"), nullable=False),
        sa.CheckConstraint("length_m >= 0", name=op.f("ck_street_edges_length_m")),
        sa.ForeignKeyConstraint(
            ["source"], ["street_vertices.id"], name=op.f("fk_street_edges_source_street_vertices")
        ),
        sa.ForeignKeyConstraint(
            ["target"], ["street_vertices.id"], name=op.f("fk_street_edges_target_street_vertices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_edges")),
    )
    op.create_geospatial_index(
        "idx_street_edges_geom",
        "street_edges",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    # Snapping a point keeps the vertices that edges usable by the profile touch.
    op.create_index(op.f("ix_street_edges_source"), "street_edges", ["source"])
    op.create_index(op.f("ix_street_edges_target"), "street_edges", ["target"])


def downgrade() -> None:
    op.drop_index(op.f("ix_street_edges_target"), table_name="street_edges")
    op.drop_index(op.f("ix_street_edges_source"), table_name="street_edges")
    op.drop_geospatial_index(
        "idx_street_edges_geom",
        table_name="street_edges",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("street_edges")
    op.drop_geospatial_index(
        "idx_street_vertices_geom",
        table_name="street_vertices",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("street_vertices")
    op.drop_table("street_networks")
