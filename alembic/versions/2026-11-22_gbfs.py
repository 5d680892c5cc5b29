"""gbfs: operator accounts; a station's capacity may be unknown (optional in GBFS)

Revision ID: b2a6e0c1f406
Revises: b1f0e5a7c305
Create Date: 2026-11-22 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "b2a6e0c1f406"
down_revision: str | None = "b1f0e5a7c305"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = ("tourist", "vendor", "moderator", "admin")
ROLES_AFTER = (*ROLES_BEFORE, "operator")


def _role_check(roles: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
    op.create_check_constraint(
        op.f("ck_users_role"), "users", f"role IN ({', '.join(repr(r) for r in roles)})"
    )


def upgrade() -> None:
    _role_check(ROLES_AFTER)
    op.alter_column("bike_stations", "capacity", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Operator accounts cannot exist before this revision: they become inactive tourists, so
    # rows that refer to them (the audit log) stay intact.
    op.execute("UPDATE users SET role = 'tourist', is_active = false WHERE role = 'operator'")
    _role_check(ROLES_BEFORE)
    # An unknown capacity becomes the docks and bikes last seen there, or 0.
    op.execute(
        """
        UPDATE bike_stations s
           SET capacity = coalesce(
                 (SELECT st.num_bikes_available + st.num_docks_available
                    FROM bike_station_status st WHERE st.station_pk = s.id), 0)
         WHERE s.capacity IS NULL
        """
    )
    op.alter_column("bike_stations", "capacity", existing_type=sa.Integer(), nullable=False)
