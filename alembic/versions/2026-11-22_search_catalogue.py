"""search catalogue version: what query strings match is remembered until names change

Revision ID: a7c3e9f1b2d4
Revises: 9b4f0c2d7e11
Create Date: 2026-11-22 07:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "a7c3e9f1b2d4"
down_revision: str | None = "9b4f0c2d7e11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = """
CREATE FUNCTION foodtour_search_catalogue_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE search_catalogue SET version = version + 1;
    RETURN NULL;
END $$
"""
# Per statement, not per row: a bulk load bumps the version once.
TRIGGERS = {
    "dishes": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "dish_names": "INSERT OR UPDATE OR DELETE OR TRUNCATE",
    "eateries": "INSERT OR UPDATE OF name_vi, name_en, status OR DELETE OR TRUNCATE",
}


def upgrade() -> None:
    op.create_table(
        "search_catalogue",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_search_catalogue_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_catalogue")),
    )
    op.execute("INSERT INTO search_catalogue (id, version) VALUES (1, 0)")
    op.execute(BUMP)
    for table, events in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {table}_search_catalogue AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION foodtour_search_catalogue_changed()"
        )


def downgrade() -> None:
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER {table}_search_catalogue ON {table}")
    op.execute("DROP FUNCTION foodtour_search_catalogue_changed()")
    op.drop_table("search_catalogue")
