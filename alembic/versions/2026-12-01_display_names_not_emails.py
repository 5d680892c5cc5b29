"""display names are public: none is an e-mail address any more, and none can be

Revision ID: d5f9b3c7e201
Revises: c4e8a1b2f608
Create Date: 2026-12-01 09:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d5f9b3c7e201"
down_revision: str | None = "c4e8a1b2f608"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The role titles of tourism.accounts.models.ROLE_TITLES, as they were when this was written.
NEUTRAL_NAME = """CASE role
    WHEN 'vendor' THEN 'Vendor'
    WHEN 'moderator' THEN 'Moderator'
    WHEN 'admin' THEN 'Administrator'
    WHEN 'operator' THEN 'Bike-share operator'
    ELSE 'Visitor'
END"""


def upgrade() -> None:
    # `foodtour create-user` without --name used the e-mail, shown as the author of reviews.
    op.execute(
        f"UPDATE users SET display_name = {NEUTRAL_NAME}, updated_at = now() "
        "WHERE strpos(display_name, '@') > 0"
    )
    op.create_check_constraint(
        op.f("ck_users_display_name_not_email"), "users", "strpos(display_name, '@') = 0"
    )


def downgrade() -> None:
    # The names replaced are not put back: they were e-mail addresses that must stay private.
    op.drop_constraint(op.f("ck_users_display_name_not_email"), "users", type_="check")
