"""Eateries carry their cheapest available price and open/close instants, kept by triggers

Map tiles read them in the eatery's own row instead of probing menu_items and
eatery_open_intervals once per feature (docs/benchmarks.md, "Cold tiles, round 2").

Revision ID: 7d3b9e1c5a42
Revises: 5c1d7e9a3f20
Create Date: 2026-12-02 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "7d3b9e1c5a42"
down_revision: str | None = "5c1d7e9a3f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Statement-level with transition tables: a COPY of a whole city recomputes each eatery once.
# Only rows whose value moves are written, and nothing at all when none does (an UPDATE of no
# rows would still move the eateries' data version).
MIN_PRICE = """
CREATE FUNCTION foodtour_eateries_min_price() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    prices integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT eatery_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT eatery_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT eatery_id) INTO ids
          FROM (SELECT eatery_id FROM new_rows UNION ALL SELECT eatery_id FROM old_rows) AS t;
    END IF;
    -- Writers of one eatery's rows queue here, so each computes from the others' commits.
    PERFORM FROM eateries WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    SELECT array_agg(e.id), array_agg(c.price) INTO ids, prices
      FROM eateries AS e,
           LATERAL (SELECT min(m.price_vnd) AS price FROM menu_items AS m
                     WHERE m.eatery_id = e.id AND m.is_available) AS c
     WHERE e.id = ANY (ids) AND e.min_price_vnd IS DISTINCT FROM c.price;
    IF ids IS NOT NULL THEN
        UPDATE eateries AS e SET min_price_vnd = u.price
          FROM unnest(ids, prices) AS u(id, price) WHERE e.id = u.id;
    END IF;
    RETURN NULL;
END $$
"""

# The instants an eatery opens and closes over the precomputed window, in order (opens,
# closes, opens, ...): width_bucket(now, open_changes) counts those passed, odd meaning open.
OPEN_CHANGES = """
CREATE FUNCTION foodtour_eateries_open_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT eatery_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT eatery_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT eatery_id) INTO ids
          FROM (SELECT eatery_id FROM new_rows UNION ALL SELECT eatery_id FROM old_rows) AS t;
    END IF;
    PERFORM FROM eateries WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    SELECT array_agg(id) INTO ids FROM eateries
     WHERE id = ANY (ids) AND open_changes IS DISTINCT FROM foodtour_open_changes(id);
    IF ids IS NOT NULL THEN
        UPDATE eateries SET open_changes = foodtour_open_changes(id) WHERE id = ANY (ids);
    END IF;
    RETURN NULL;
END $$
"""

OPEN_CHANGES_OF = """
CREATE FUNCTION foodtour_open_changes(eatery bigint) RETURNS timestamptz[]
LANGUAGE sql STABLE AS $$
    SELECT array_agg(v.at ORDER BY i.opens_at, v.n)
      FROM eatery_open_intervals AS i,
           LATERAL (VALUES (1, i.opens_at), (2, i.closes_at)) AS v(n, at)
     WHERE i.eatery_id = eatery
$$
"""

TRIGGERS = {
    "menu_items": "foodtour_eateries_min_price",
    "eatery_open_intervals": "foodtour_eateries_open_changes",
}
EVENTS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def upgrade() -> None:
    op.add_column("eateries", sa.Column("min_price_vnd", sa.Integer(), nullable=True))
    op.add_column(
        "eateries",
        sa.Column("open_changes", postgresql.ARRAY(sa.DateTime(timezone=True)), nullable=True),
    )
    op.execute(MIN_PRICE)
    op.execute(OPEN_CHANGES_OF)
    op.execute(OPEN_CHANGES)
    for table, function in TRIGGERS.items():
        for event, clause in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER eateries_tile_{event} AFTER {event.upper()} ON {table} "
                f"REFERENCING {clause} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    op.execute("SET LOCAL statement_timeout = 0")
    op.execute(
        "UPDATE eateries AS e SET min_price_vnd = c.price FROM ("
        "SELECT eatery_id, min(price_vnd) AS price FROM menu_items WHERE is_available "
        "GROUP BY eatery_id) AS c WHERE e.id = c.eatery_id"
    )
    op.execute(
        "UPDATE eateries AS e SET open_changes = c.changes FROM ("
        "SELECT i.eatery_id, array_agg(v.at ORDER BY i.opens_at, v.n) AS changes "
        "FROM eatery_open_intervals AS i, "
        "LATERAL (VALUES (1, i.opens_at), (2, i.closes_at)) AS v(n, at) "
        "GROUP BY i.eatery_id) AS c WHERE e.id = c.eatery_id"
    )


def downgrade() -> None:
    for table in TRIGGERS:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER eateries_tile_{event} ON {table}")
    op.execute("DROP FUNCTION foodtour_eateries_open_changes()")
    op.execute("DROP FUNCTION foodtour_open_changes(bigint)")
    op.execute("DROP FUNCTION foodtour_eateries_min_price()")
    op.drop_column("eateries", "open_changes")
    op.drop_column("eateries", "min_price_vnd")
