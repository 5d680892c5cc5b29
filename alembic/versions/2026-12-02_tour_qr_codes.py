"""QR codes for a food tour: the tour's dishes, length and mode, planned from the scanner

Revision ID: 8e4a2c6f1b37
Revises: db248ff0f37e
Create Date: 2026-12-02 10:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "8e4a2c6f1b37"
down_revision: str | None = "db248ff0f37e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = "'search', 'dish', 'eatery', 'station', 'tour'"
OLD_KINDS = "'search', 'dish', 'eatery', 'station'"
ONE_TARGET = (
    "num_nonnulls(target_query, dish_id, eatery_id, station_id{tour}) = 1"
    " AND (target_kind = 'search') = (target_query IS NOT NULL)"
    " AND (target_kind = 'dish') = (dish_id IS NOT NULL)"
    " AND (target_kind = 'eatery') = (eatery_id IS NOT NULL)"
    " AND (target_kind = 'station') = (station_id IS NOT NULL)"
)


def _constraints(kinds: str, one_target: str) -> None:
    op.drop_constraint(op.f("ck_qr_codes_target_kind"), "qr_codes", type_="check")
    op.create_check_constraint(
        op.f("ck_qr_codes_target_kind"), "qr_codes", f"target_kind IN ({kinds})"
    )
    op.drop_constraint(op.f("ck_qr_codes_one_target"), "qr_codes", type_="check")
    op.create_check_constraint(op.f("ck_qr_codes_one_target"), "qr_codes", one_target)


def upgrade() -> None:
    op.add_column("qr_codes", sa.Column("target_tour", postgresql.JSONB(), nullable=True))
    _constraints(
        KINDS,
        ONE_TARGET.format(tour=", target_tour")
        + " AND (target_kind = 'tour') = (target_tour IS NOT NULL)",
    )


def downgrade() -> None:
    op.execute("DELETE FROM qr_codes WHERE target_kind = 'tour'")
    _constraints(OLD_KINDS, ONE_TARGET.format(tour=""))
    op.drop_column("qr_codes", "target_tour")
