"""suggestions are remembered per catalogue version too: an eatery's slug changes it

Revision ID: c4e8a1b2f608
Revises: b3d7f2a9e507
Create Date: 2026-11-29 22:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c4e8a1b2f608"
down_revision: str | None = "b3d7f2a9e507"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _eateries_trigger(columns: str) -> None:
    op.execute("DROP TRIGGER eateries_search_catalogue ON eateries")
    op.execute(
        "CREATE TRIGGER eateries_search_catalogue AFTER INSERT OR UPDATE OF "
        f"{columns} OR DELETE OR TRUNCATE ON eateries "
        "FOR EACH STATEMENT EXECUTE FUNCTION foodtour_search_catalogue_changed()"
    )


def upgrade() -> None:
    _eateries_trigger("slug, name_vi, name_en, status")


def downgrade() -> None:
    _eateries_trigger("name_vi, name_en, status")
