"""accounts: users with roles, and which vendors may edit which eateries

Revision ID: e70363357bba
Revises: 5c1d2e7f9a30
Create Date: 2026-11-22 05:45:59.062668+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "e70363357bba"
down_revision: str | None = "5c1d2e7f9a30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), server_default="tourist", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
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
            "role IN ('tourist', 'vendor', 'moderator', 'admin')", name=op.f("ck_users_role")
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lower")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "eatery_vendors",
        sa.Column("eatery_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["eatery_id"],
            ["eateries.id"],
            name=op.f("fk_eatery_vendors_eatery_id_eateries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_eatery_vendors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("eatery_id", "user_id", name=op.f("pk_eatery_vendors")),
    )
    op.create_index(op.f("ix_eatery_vendors_user_id"), "eatery_vendors", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_eatery_vendors_user_id"), table_name="eatery_vendors")
    op.drop_table("eatery_vendors")
    op.drop_table("users")
