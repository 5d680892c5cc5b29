"""QR codes and their scans

Revision ID: b1f0e5a7c305
Revises: a7c3e9f1b2d4
Create Date: 2026-11-22 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b1f0e5a7c305"
down_revision: str | None = "a7c3e9f1b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_TARGET = (
    "num_nonnulls(target_query, dish_id, eatery_id, station_id) = 1"
    " AND (target_kind = 'search') = (target_query IS NOT NULL)"
    " AND (target_kind = 'dish') = (dish_id IS NOT NULL)"
    " AND (target_kind = 'eatery') = (eatery_id IS NOT NULL)"
    " AND (target_kind = 'station') = (station_id IS NOT NULL)"
)


def _timestamp(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "qr_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("target_kind", sa.String(length=8), nullable=False),
        sa.Column("target_query", sa.String(length=100), nullable=True),
        sa.Column("dish_id", sa.Integer(), nullable=True),
        sa.Column("eatery_id", sa.BigInteger(), nullable=True),
        sa.Column("station_id", sa.BigInteger(), nullable=True),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("placement", sa.String(length=120), nullable=True),
        sa.Column("utm_source", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("origin", sa.String(length=8), server_default="api", nullable=False),
        sa.Column("active", sa.Boolean(), server_default="true", nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.CheckConstraint(
            "target_kind IN ('search', 'dish', 'eatery', 'station')",
            name=op.f("ck_qr_codes_target_kind"),
        ),
        sa.CheckConstraint("origin IN ('api', 'cli')", name=op.f("ck_qr_codes_origin")),
        sa.CheckConstraint(ONE_TARGET, name=op.f("ck_qr_codes_one_target")),
        sa.ForeignKeyConstraint(
            ["dish_id"], ["dishes.id"], name=op.f("fk_qr_codes_dish_id_dishes")
        ),
        sa.ForeignKeyConstraint(
            ["eatery_id"], ["eateries.id"], name=op.f("fk_qr_codes_eatery_id_eateries")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["bike_stations.id"],
            name=op.f("fk_qr_codes_station_id_bike_stations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_qr_codes_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_qr_codes_code")),
    )
    op.create_index(op.f("ix_qr_codes_campaign"), "qr_codes", ["campaign"])
    op.create_index(op.f("ix_qr_codes_created_by"), "qr_codes", ["created_by"])
    op.create_table(
        "qr_scans",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code_id", sa.BigInteger(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "client IN ('ios', 'android', 'desktop', 'bot', 'other')",
            name=op.f("ck_qr_scans_client"),
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["qr_codes.id"],
            name=op.f("fk_qr_scans_code_id_qr_codes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qr_scans")),
    )
    op.create_index("ix_qr_scans_code_id_scanned_at", "qr_scans", ["code_id", "scanned_at"])


def downgrade() -> None:
    op.drop_table("qr_scans")
    op.drop_table("qr_codes")
