"""search: folded names, dish names and aliases, trigram indexes, per-dish KNN on menu items

Revision ID: 5c1d2e7f9a30
Revises: 8ea606b8fa45
Create Date: 2026-11-22 05:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from geoalchemy2 import Geometry

from alembic import op

revision: str = "5c1d2e7f9a30"
down_revision: str | None = "8ea606b8fa45"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD = """
CREATE FUNCTION foodtour_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize($1, NFC))) $$
"""

# A Bayesian average: an eatery with few votes is pulled towards 3 stars.
RATING_SCORE = """
CREATE FUNCTION foodtour_rating_score(avg numeric, votes integer) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((coalesce(avg, 3) * coalesce(votes, 0) + 3 * 5) / (coalesce(votes, 0) + 5))::real $$
"""

# menu_items carries a copy of what search ranks and filters on, so one GiST index answers
# "the nearest eateries serving dish X" for popular and rare dishes alike.
COPY_TO_ITEM = """
CREATE FUNCTION menu_items_copy_eatery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.location, e.status = 'active', foodtour_rating_score(e.rating_avg, e.rating_count)
      INTO NEW.location, NEW.eatery_active, NEW.eatery_score
      FROM eateries e WHERE e.id = NEW.eatery_id;
    RETURN NEW;
END $$
"""
COPY_FROM_EATERY = """
CREATE FUNCTION eateries_copy_to_menu_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE menu_items
       SET location = NEW.location,
           eatery_active = NEW.status = 'active',
           eatery_score = foodtour_rating_score(NEW.rating_avg, NEW.rating_count)
     WHERE eatery_id = NEW.id;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(FOLD)
    op.execute(RATING_SCORE)

    op.add_column(
        "eateries",
        sa.Column(
            "name_folded",
            sa.Text(),
            sa.Computed("foodtour_fold(name_vi || coalesce(' ' || name_en, ''))", persisted=True),
            nullable=False,
        ),
    )
    # A 256-byte signature: with the default 12 bytes, names sharing dish words are so alike
    # in the index that word-similarity KNN rechecks thousands of rows (10 ms against 1 ms).
    op.execute(
        "CREATE INDEX ix_eateries_name_folded_trgm ON eateries "
        "USING gist (name_folded gist_trgm_ops(siglen=256))"
    )
    op.execute(
        'CREATE INDEX ix_eateries_name_folded_prefix ON eateries ((name_folded COLLATE "C"))'
    )

    op.create_table(
        "dish_names",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("dish_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "folded", sa.Text(), sa.Computed("foodtour_fold(name)", persisted=True), nullable=False
        ),
        sa.CheckConstraint("kind IN ('vi', 'en', 'alias')", name=op.f("ck_dish_names_kind")),
        sa.ForeignKeyConstraint(
            ["dish_id"],
            ["dishes.id"],
            name=op.f("fk_dish_names_dish_id_dishes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dish_names")),
        sa.UniqueConstraint("dish_id", "name", name=op.f("uq_dish_names_dish_id_name")),
    )
    op.create_index(
        "ix_dish_names_folded_trgm",
        "dish_names",
        ["folded"],
        postgresql_using="gin",
        postgresql_ops={"folded": "gin_trgm_ops"},
    )
    # Names for the dishes that exist already.
    op.execute(
        """
        INSERT INTO dish_names (dish_id, name, kind)
        SELECT id, name_vi, 'vi' FROM dishes
        UNION SELECT id, name_en, 'en' FROM dishes
        UNION SELECT id, unnest(aliases), 'alias' FROM dishes
        ON CONFLICT DO NOTHING
        """
    )

    op.add_column(
        "menu_items",
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=True),
    )
    op.add_column(
        "menu_items",
        sa.Column("eatery_active", sa.Boolean(), server_default="true", nullable=False),
    )
    op.add_column(
        "menu_items", sa.Column("eatery_score", sa.REAL(), server_default="3", nullable=False)
    )
    op.execute(COPY_TO_ITEM)
    op.execute(COPY_FROM_EATERY)
    op.execute(
        "CREATE TRIGGER copy_eatery BEFORE INSERT OR UPDATE OF eatery_id ON menu_items "
        "FOR EACH ROW EXECUTE FUNCTION menu_items_copy_eatery()"
    )
    op.execute(
        "CREATE TRIGGER copy_to_menu_items AFTER UPDATE OF location, status, rating_avg, "
        "rating_count ON eateries FOR EACH ROW EXECUTE FUNCTION eateries_copy_to_menu_items()"
    )
    op.execute("UPDATE menu_items SET eatery_id = eatery_id")  # fill the copies
    op.execute("ALTER TABLE menu_items ALTER COLUMN location SET NOT NULL")
    op.execute(
        "CREATE INDEX ix_menu_items_dish_nearest ON menu_items "
        "USING gist (dish_id, location) WHERE is_available AND eatery_active"
    )
    op.execute(
        "CREATE INDEX ix_menu_items_dish_cheapest ON menu_items "
        "(dish_id, price_vnd, eatery_id) WHERE is_available AND eatery_active"
    )
    op.execute(
        "CREATE INDEX ix_menu_items_dish_best ON menu_items "
        "(dish_id, eatery_score DESC, eatery_id) WHERE is_available AND eatery_active"
    )


def downgrade() -> None:
    op.drop_index("ix_menu_items_dish_cheapest", table_name="menu_items")
    op.drop_index("ix_menu_items_dish_best", table_name="menu_items")
    op.drop_index("ix_menu_items_dish_nearest", table_name="menu_items")
    op.execute("DROP TRIGGER copy_to_menu_items ON eateries")
    op.execute("DROP TRIGGER copy_eatery ON menu_items")
    op.execute("DROP FUNCTION eateries_copy_to_menu_items()")
    op.execute("DROP FUNCTION menu_items_copy_eatery()")
    op.drop_column("menu_items", "eatery_score")
    op.drop_column("menu_items", "eatery_active")
    op.drop_column("menu_items", "location")
    op.drop_index("ix_dish_names_folded_trgm", table_name="dish_names")
    op.drop_table("dish_names")
    op.drop_index("ix_eateries_name_folded_prefix", table_name="eateries")
    op.drop_index("ix_eateries_name_folded_trgm", table_name="eateries")
    op.drop_column("eateries", "name_folded")
    op.execute("DROP FUNCTION foodtour_rating_score(numeric, integer)")
    op.execute("DROP FUNCTION foodtour_fold(text)")
