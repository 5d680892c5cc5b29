"""eateries may be temporarily closed until a day; the department edits eateries and dishes

Revision ID: 6c2e8f4b0d21
Revises: 5b1d7e3a9c10
Create Date: 2026-12-01 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "6c2e8f4b0d21"
down_revision: str | None = "5b1d7e3a9c10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'active', 'temporarily_closed', 'closed'"
OLD_STATUSES = "'active', 'closed'"

# PostgreSQL refuses to change the type of a column a trigger names ("UPDATE OF status"): these
# two are dropped around the change and made again exactly as the earlier migrations left them.
TRIGGERS = {
    "copy_to_menu_items": "CREATE TRIGGER copy_to_menu_items AFTER UPDATE OF location, status, "
    "rating_avg, rating_count ON eateries FOR EACH ROW "
    "EXECUTE FUNCTION eateries_copy_to_menu_items()",
    "eateries_search_catalogue": "CREATE TRIGGER eateries_search_catalogue AFTER INSERT OR "
    "UPDATE OF slug, name_vi, name_en, status OR DELETE OR TRUNCATE ON eateries "
    "FOR EACH STATEMENT EXECUTE FUNCTION foodtour_search_catalogue_changed()",
}


def _status_type(length: int) -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON eateries")
    # varchar(16) -> varchar(32) is binary-coercible: no table rewrite.
    op.alter_column("eateries", "status", type_=sa.String(length), existing_nullable=False)
    for create in TRIGGERS.values():
        op.execute(create)


def upgrade() -> None:
    _status_type(32)  # "temporarily_closed" has 18 letters
    op.drop_constraint(op.f("ck_eateries_status"), "eateries", type_="check")
    op.create_check_constraint(op.f("ck_eateries_status"), "eateries", f"status IN ({STATUSES})")
    op.add_column("eateries", sa.Column("closed_until", sa.Date(), nullable=True))
    op.create_check_constraint(
        op.f("ck_eateries_closed_until"),
        "eateries",
        "closed_until IS NULL OR status = 'temporarily_closed'",
    )
    op.create_index(
        op.f("ix_eateries_closed_until"),
        "eateries",
        ["closed_until"],
        postgresql_where=sa.text("status = 'temporarily_closed'"),
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_eateries_closed_until"), table_name="eateries")
    op.drop_constraint(op.f("ck_eateries_closed_until"), "eateries", type_="check")
    op.drop_column("eateries", "closed_until")
    # The earlier vocabulary has no temporary closure: closed is the nearest it can say.
    op.execute("UPDATE eateries SET status = 'closed' WHERE status = 'temporarily_closed'")
    op.drop_constraint(op.f("ck_eateries_status"), "eateries", type_="check")
    op.create_check_constraint(
        op.f("ck_eateries_status"), "eateries", f"status IN ({OLD_STATUSES})"
    )
    _status_type(16)
