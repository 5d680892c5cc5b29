"""Who manages an eatery: one SQL expression, for every domain that asks.

Management is what `eatery_vendors` says now, not who made a thing: a vendor taken off an
eatery loses its menu, its QR codes and their statistics at once. Imports accounts' models
only, so any domain (vendors, qrcodes, reviews) can use it without a cycle.
"""

from sqlalchemy import ColumnElement, exists

from tourism.accounts.models import EateryVendor

# The SQL text form, for statements written as text (the OSM import): "some vendor manages it".
MANAGED_BY_A_VENDOR = "EXISTS (SELECT 1 FROM eatery_vendors AS v WHERE v.eatery_id = {eatery_id})"


def manages(user_id: int, eatery_id: ColumnElement[int] | int) -> ColumnElement[bool]:
    """EXISTS: the vendor `user_id` manages the eatery `eatery_id` (a column or an id).

    Correlated to the enclosing query's table when `eatery_id` is one of its columns; a NULL
    eatery (a code for a dish, say) is managed by nobody. The primary key (eatery_id, user_id)
    answers it with one index probe.
    """
    return exists().where(EateryVendor.eatery_id == eatery_id, EateryVendor.user_id == user_id)
