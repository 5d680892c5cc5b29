"""Opening hours as an eatery's page shows them: open now, the next change, the week."""

from datetime import datetime
from typing import Any

from tourism import hours
from tourism.exceptions import InvalidInput


def week(expression: str | None, at: datetime) -> list[dict[str, Any]]:
    """The local week containing `at`, as the eatery detail's `schedule`."""
    return [
        {**vars(day), "intervals": [{"opens": a, "closes": b} for a, b in day.intervals]}
        for day in hours.week_schedule(expression, at)
    ]


def preview(expression: str, *, now: datetime) -> dict[str, Any]:
    """How `expression` reads at `now`; InvalidInput naming `opening_hours`, with one readable
    sentence, when it does not parse."""
    checked = hours.validate(expression)
    if checked is None:
        raise InvalidInput("opening_hours", hours.invalid_message(expression))
    return {
        "valid": True,
        "open_now": hours.is_open(checked, now),
        "next_change": hours.next_change(checked, now),
        "schedule": week(checked, now),
    }
