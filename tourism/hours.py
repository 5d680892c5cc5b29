"""Time in Hai Phong: its zone, and OpenStreetMap `opening_hours` evaluated there, whatever
the server's zone. Every domain may use it; it uses none."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from opening_hours import OpeningHours, ParserError, State

from tourism.exceptions import InvalidInput
from tourism.languages import Message, say

LOCAL_TZ = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(LOCAL_TZ)
COUNTRY = "VN"  # loads Vietnam's public holidays for `PH`
MAX_LENGTH = 500
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


EXAMPLE = "Mo-Fr 06:00-14:00; Sa,Su 07:00-22:00"
# Where the parser stopped, in its report: " --> line:column".
_PARSER_POSITION = re.compile(r"-->\s*\d+:(\d+)")
_QUOTED = 24  # characters of the expression quoted back, from where it went wrong


def invalid_message(expression: str, error: Exception | None = None) -> Message:
    """One readable sentence saying the hours are not valid and how to write them.

    Never the parser's report (a grammar dump: "expected EOI, any_rule_separator, ..."): the
    part of the value it could not read is quoted instead, when the report says where.
    """
    advice = say(
        f"write them in OpenStreetMap opening_hours syntax, like {EXAMPLE}.",
        f"hãy viết theo cú pháp opening_hours của OpenStreetMap, ví dụ {EXAMPLE}.",
    )
    match = _PARSER_POSITION.search(str(error or ""))
    if match is None:
        return say(f"Not valid opening hours: {advice.en}", f"Giờ mở cửa không hợp lệ: {advice.vi}")
    start = min(int(match[1]) - 1, len(expression))
    while 0 < start and expression[start - 1].isalnum():  # from the start of the word
        start -= 1
    rest = expression[start:].strip()
    if not rest:
        return say(
            f"Not valid opening hours: they stop too early; {advice.en}",
            f"Giờ mở cửa không hợp lệ: chuỗi kết thúc quá sớm; {advice.vi}",
        )
    if len(rest) > _QUOTED:
        rest = rest[:_QUOTED].rstrip() + "…"
    return say(
        f"Not valid opening hours from “{rest}” on: {advice.en}",
        f"Giờ mở cửa không hợp lệ từ “{rest}” trở đi: {advice.vi}",
    )


@lru_cache(maxsize=8192)
def parse(expression: str) -> OpeningHours:
    """Parse an expression or raise InvalidInput with one readable sentence."""
    try:
        return OpeningHours(expression, timezone=TZ, country=COUNTRY)
    except (ParserError, SyntaxError, ValueError) as exc:
        raise InvalidInput("opening_hours", invalid_message(expression, exc)) from exc


def validate(expression: str | None) -> str | None:
    """The expression stripped, or None when empty; raises InvalidInput when it does not parse."""
    if expression is None or not expression.strip():
        return None
    expression = expression.strip()
    if len(expression) > MAX_LENGTH:
        raise InvalidInput(
            "opening_hours",
            say(
                f"Opening hours are at most {MAX_LENGTH} characters.",
                f"Giờ mở cửa chỉ được tối đa {MAX_LENGTH} ký tự.",
            ),
        )
    parse(expression)
    return expression


def _local(at: datetime) -> datetime:
    """`at` in Hai Phong time. The parser only takes zones it can name (ZoneInfo), not UTC."""
    if at.tzinfo is None:
        raise ValueError(say("an aware datetime is required", "cần một thời điểm có múi giờ"))
    return at.astimezone(TZ)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=TZ)


def open_intervals(
    expression: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Maximal open intervals within [start, end), adjacent ones merged."""
    merged: list[tuple[datetime, datetime]] = []
    start, end = _local(start), _local(end)
    for opens, closes, state, _comment in parse(expression).intervals(start, end):
        if state != State.OPEN:
            continue
        closes = closes or end
        if merged and merged[-1][1] == opens:
            merged[-1] = (merged[-1][0], closes)
        else:
            merged.append((opens, closes))
    return merged


def is_open(expression: str | None, at: datetime) -> bool | None:
    """Open at `at`; None when the hours are unknown."""
    return None if expression is None else parse(expression).is_open(_local(at))


def next_change(expression: str | None, at: datetime) -> datetime | None:
    return None if expression is None else parse(expression).next_change(_local(at))


@dataclass(frozen=True)
class DaySchedule:
    date: date
    weekday: str
    weekday_vi: str
    is_today: bool
    intervals: list[tuple[str, str]]


def week_schedule(expression: str | None, at: datetime) -> list[DaySchedule]:
    """Monday to Sunday of the local week containing `at`, each day's openings as HH:MM pairs.

    An opening that runs past midnight is listed on the day it starts ("18:00"-"02:00"), as
    signs and maps show it; an opening of 24 hours or more is cut into whole days.
    """
    today = _local(at).date()
    monday = today - timedelta(days=today.weekday())
    days: dict[date, list[tuple[str, str]]] = {monday + timedelta(days=i): [] for i in range(7)}
    if expression is not None:
        start, end = (
            local_midnight(monday - timedelta(days=1)),
            local_midnight(monday + timedelta(8)),
        )
        for opens, closes in open_intervals(expression, start, end):
            if closes - opens < timedelta(hours=24):
                if opens.date() in days:
                    days[opens.date()].append((f"{opens:%H:%M}", f"{closes:%H:%M}"))
                continue
            day = opens.date()
            while local_midnight(day) < closes:
                lo = max(opens, local_midnight(day))
                hi = min(closes, local_midnight(day + timedelta(days=1)))
                if day in days and hi > lo:
                    hi_text = (
                        "24:00" if hi == local_midnight(day + timedelta(days=1)) else f"{hi:%H:%M}"
                    )
                    days[day].append((f"{lo:%H:%M}", hi_text))
                day += timedelta(days=1)
    return [
        DaySchedule(
            date=d,
            weekday=WEEKDAYS_EN[d.weekday()],
            weekday_vi=WEEKDAYS_VI[d.weekday()],
            is_today=d == today,
            intervals=spans,
        )
        for d, spans in days.items()
    ]
