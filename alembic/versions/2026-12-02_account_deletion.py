"""Accounts can be deleted: their public reviews and their flags stay, with no author

Revision ID: 5c1d7e9a3f20
Revises: 8e4a2c6f1b37
Create Date: 2026-12-02 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5c1d7e9a3f20"
down_revision: str | None = "8e4a2c6f1b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("reviews", "review_flags")


def _author(table: str, *, ondelete: str) -> None:
    name = f"fk_{table}_user_id_users"
    op.drop_constraint(name, table, type_="foreignkey")
    op.create_foreign_key(name, table, "users", ["user_id"], ["id"], ondelete=ondelete)


def upgrade() -> None:
    for table in TABLES:
        op.alter_column(table, "user_id", existing_type=sa.BigInteger(), nullable=True)
        _author(table, ondelete="SET NULL")


def downgrade() -> None:
    # Reviews and flags of deleted accounts have no author to go back to.
    for table in TABLES:
        op.execute(f"DELETE FROM {table} WHERE user_id IS NULL")
        op.alter_column(table, "user_id", existing_type=sa.BigInteger(), nullable=False)
        _author(table, ondelete="CASCADE")
