"""accounts name a token version: a password change or disabling an account ends its tokens

Revision ID: 5b1d7e3a9c10
Revises: 3a7c51e9d402
Create Date: 2026-12-01 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5b1d7e3a9c10"
down_revision: str | None = "3a7c51e9d402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tokens issued before this carry no version: they count as 0, every account's version
    # here, so nobody is logged out by the upgrade.
    op.add_column(
        "users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("users", "token_version")
