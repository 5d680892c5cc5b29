"""reviews, dish ratings, flags, owner responses, price history, audit log, rate events

Revision ID: 9b4f0c2d7e11
Revises: e70363357bba
Create Date: 2026-11-22 05:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "9b4f0c2d7e11"
down_revision: str | None = "e70363357bba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_STATUSES = "'pending', 'approved', 'rejected', 'flagged', 'removed'"

# Every price a menu item ever had, from the moment it was set; kept by the database so that no
# code path can change a price without it.
PRICE_HISTORY = """
CREATE FUNCTION menu_items_price_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.price_vnd IS DISTINCT FROM OLD.price_vnd THEN
        INSERT INTO menu_price_history (eatery_id, dish_id, price_vnd, valid_from)
        VALUES (NEW.eatery_id, NEW.dish_id, NEW.price_vnd, now());
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.add_column(
        "eateries", sa.Column("verified", sa.Boolean(), server_default="false", nullable=False)
    )
    op.add_column("menu_items", sa.Column("rating_avg", sa.Numeric(3, 2), nullable=True))
    op.add_column(
        "menu_items", sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("eatery_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column(
            "auto_flags",
            postgresql.ARRAY(sa.String(length=40)),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("moderation_reason", sa.String(length=500), nullable=True),
        sa.Column("moderated_by", sa.BigInteger(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_text", sa.String(length=2000), nullable=True),
        sa.Column("response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating")),
        sa.CheckConstraint(f"status IN ({REVIEW_STATUSES})", name=op.f("ck_reviews_status")),
        sa.ForeignKeyConstraint(
            ["eatery_id"],
            ["eateries.id"],
            name=op.f("fk_reviews_eatery_id_eateries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_reviews_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by"],
            ["users.id"],
            name=op.f("fk_reviews_moderated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("eatery_id", "user_id", name=op.f("uq_reviews_eatery_id_user_id")),
    )
    op.create_index(
        "ix_reviews_public",
        "reviews",
        ["eatery_id", "submitted_at"],
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.create_index(
        "ix_reviews_queue",
        "reviews",
        ["status", "submitted_at"],
        postgresql_where=sa.text("status IN ('pending', 'flagged')"),
    )
    op.create_index("ix_reviews_user_id", "reviews", ["user_id"])
    # "The same text as another review" is one index lookup, not a scan of every review.
    op.execute(
        "CREATE INDEX ix_reviews_text_digest ON reviews (md5(lower(btrim(text)))) "
        "WHERE text IS NOT NULL"
    )
    op.create_table(
        "review_dish_ratings",
        sa.Column("review_id", sa.BigInteger(), nullable=False),
        sa.Column("dish_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_review_dish_ratings_rating")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_dish_ratings_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dish_id"],
            ["dishes.id"],
            name=op.f("fk_review_dish_ratings_dish_id_dishes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", "dish_id", name=op.f("pk_review_dish_ratings")),
    )
    op.create_table(
        "review_flags",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("review_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_flags_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_flags_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
        sa.UniqueConstraint("review_id", "user_id", name=op.f("uq_review_flags_review_id_user_id")),
    )
    op.create_table(
        "menu_price_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("eatery_id", sa.BigInteger(), nullable=False),
        sa.Column("dish_id", sa.Integer(), nullable=False),
        sa.Column("price_vnd", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["eatery_id"],
            ["eateries.id"],
            name=op.f("fk_menu_price_history_eatery_id_eateries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dish_id"],
            ["dishes.id"],
            name=op.f("fk_menu_price_history_dish_id_dishes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menu_price_history")),
    )
    op.create_index(
        "ix_menu_price_history_item", "menu_price_history", ["eatery_id", "dish_id", "valid_from"]
    )
    op.execute(
        "INSERT INTO menu_price_history (eatery_id, dish_id, price_vnd, valid_from) "
        "SELECT eatery_id, dish_id, price_vnd, updated_at FROM menu_items"
    )
    op.execute(PRICE_HISTORY)
    op.execute(
        "CREATE TRIGGER price_history AFTER INSERT OR UPDATE OF price_vnd ON menu_items "
        "FOR EACH ROW EXECUTE FUNCTION menu_items_price_history()"
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=60), nullable=False),
        sa.Column("before", postgresql.JSONB(), nullable=True),
        sa.Column("after", postgresql.JSONB(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])
    op.create_table(
        "rate_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bucket", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_events")),
    )
    op.create_index("ix_rate_events_bucket_at", "rate_events", ["bucket", "at"])


def downgrade() -> None:
    op.drop_table("rate_events")
    op.drop_table("audit_log")
    op.execute("DROP TRIGGER price_history ON menu_items")
    op.execute("DROP FUNCTION menu_items_price_history()")
    op.drop_table("menu_price_history")
    op.drop_table("review_flags")
    op.drop_table("review_dish_ratings")
    op.drop_table("reviews")
    op.drop_column("menu_items", "rating_count")
    op.drop_column("menu_items", "rating_avg")
    op.drop_column("eateries", "verified")
