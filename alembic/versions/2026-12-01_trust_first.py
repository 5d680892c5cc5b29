"""prices are dated when they are set, and a vendor's QR codes are found by eatery

Revision ID: 3a7c51e9d402
Revises: d5f9b3c7e201
Create Date: 2026-12-01 12:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3a7c51e9d402"
down_revision: str | None = "d5f9b3c7e201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `now()` is when the transaction began: a menu write that waited for the eatery's lock
# (tourism.eateries.locks) dated its price before the write it waited for, and the price history
# read in time order then named the wrong price as the latest. The statement's own time is
# after the lock was granted.
PRICE_HISTORY = """
CREATE OR REPLACE FUNCTION menu_items_price_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.price_vnd IS DISTINCT FROM OLD.price_vnd THEN
        INSERT INTO menu_price_history (eatery_id, dish_id, price_vnd, valid_from)
        VALUES (NEW.eatery_id, NEW.dish_id, NEW.price_vnd, {clock});
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.execute(PRICE_HISTORY.format(clock="statement_timestamp()"))
    op.create_index(op.f("ix_qr_codes_eatery_id"), "qr_codes", ["eatery_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_qr_codes_eatery_id"), table_name="qr_codes")
    op.execute(PRICE_HISTORY.format(clock="now()"))
