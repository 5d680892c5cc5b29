"""Opening hours evaluated in Asia/Ho_Chi_Minh, whatever the server's zone."""

from datetime import UTC, date, datetime

import pytest

from tests.helpers import local
from tourism import hours
from tourism.exceptions import InvalidInput

WEDNESDAY = date(2026, 11, 25)


def test_breakfast_stall_at_fixed_instants():
    rule = "Mo-Su 06:00-10:00"
    assert hours.is_open(rule, local(WEDNESDAY, 6, 30)) is True
    assert hours.is_open(rule, local(WEDNESDAY, 23, 30)) is False
    # 06:30 in Hai Phong is 23:30 UTC the day before: the UTC wall clock must not be used.
    assert hours.is_open(rule, datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) is True
    assert hours.is_open(rule, datetime(2026, 11, 25, 6, 30, tzinfo=UTC)) is False


def test_next_change_is_local_time():
    change = hours.next_change("Mo-Su 06:00-10:00", local(WEDNESDAY, 6, 30))
    assert change.isoformat() == "2026-11-25T10:00:00+07:00"


def test_unknown_hours_are_none():
    assert hours.is_open(None, local(WEDNESDAY, 12)) is None


@pytest.mark.parametrize("bad", ["Mo-Xx 10:00-12:00", "25:00-26:00", "open sometimes"])
def test_invalid_rule_names_the_field(bad):
    with pytest.raises(InvalidInput) as err:
        hours.validate(bad)
    assert err.value.field == "opening_hours"
    assert "opening_hours" in err.value.message.en
    assert "Giờ mở cửa không hợp lệ" in err.value.message.vi


def test_public_holiday_is_vietnamese():
    # 2 September is Vietnam's National Day.
    rule = "Mo-Su 08:00-20:00; PH off"
    assert hours.is_open(rule, local(date(2026, 9, 2), 12)) is False
    assert hours.is_open(rule, local(date(2026, 9, 3), 12)) is True


def test_week_schedule_lists_late_nights_on_the_day_they_start():
    week = hours.week_schedule("Tu-Su 18:00-02:00; Mo off", local(WEDNESDAY, 12))
    assert [d.weekday for d in week][0] == "Monday"
    assert week[0].intervals == []
    assert week[1].intervals == [("18:00", "02:00")]
    assert [d.is_today for d in week].index(True) == 2
    assert week[6].weekday_vi == "Chủ Nhật"


def test_week_schedule_split_and_round_the_clock():
    split = hours.week_schedule("Mo-Sa 10:00-14:00,17:00-22:00; Su off", local(WEDNESDAY, 12))
    assert split[0].intervals == [("10:00", "14:00"), ("17:00", "22:00")]
    assert split[6].intervals == []
    always = hours.week_schedule("24/7", local(WEDNESDAY, 12))
    assert all(d.intervals == [("00:00", "24:00")] for d in always)


def test_open_intervals_merge_across_midnight():
    spans = hours.open_intervals(
        "Mo-Su 00:00-02:00,18:00-24:00",
        local(WEDNESDAY, 0),
        local(date(2026, 11, 27), 0),
    )
    assert (local(WEDNESDAY, 18), local(date(2026, 11, 26), 2)) in spans
