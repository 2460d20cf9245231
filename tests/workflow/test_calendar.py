"""Working time: what "2 Jam" and "3 Hari" mean on the office's calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from workflow.factories import DAIRI_HOURS, make_office, office

from desktop_perizinan.workflow.calendar import (
    OFFICE_DAY_OFF_NAME,
    WorkCalendar,
    format_working_minutes,
)
from desktop_perizinan.workflow.durations import Duration

CAL = WorkCalendar(DAIRI_HOURS)


def dt(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[arg-type]


# ------------------------------------------------------------------ days


def test_weekdays_open_weekend_closed() -> None:
    # 2026-01-05 is a Monday with no holiday that week.
    assert [CAL.is_working_day(date(2026, 1, 5) + timedelta(days=i)) for i in range(7)] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert CAL.holiday_name(date(2026, 1, 10)) is None  # a plain Saturday is not a holiday


def test_friday_is_longer() -> None:
    assert CAL.hours_on(date(2026, 1, 8)) == (450, 960)
    assert CAL.hours_on(date(2026, 1, 9)) == (450, 990)


@pytest.mark.parametrize(
    ("day", "fragment"),
    [
        (date(2026, 8, 17), "Kemerdekaan"),
        (date(2026, 12, 25), "Natal"),
        (date(2026, 12, 24), "Cuti Bersama"),  # cuti bersama Natal, listed by the package
        (date(2026, 3, 20), "Idul Fitri"),  # cuti bersama before Idul Fitri (Friday)
        (date(2026, 3, 23), "Idul Fitri"),  # cuti bersama after (Monday)
        (date(2026, 3, 24), "Idul Fitri"),
        (date(2026, 1, 1), "Tahun Baru"),
    ],
)
def test_national_holidays_and_cuti_bersama_2026(day: date, fragment: str) -> None:
    assert not CAL.is_working_day(day)
    name = CAL.holiday_name(day)
    assert name is not None and fragment in name


def test_idul_fitri_2026_on_the_weekend_is_named() -> None:
    # Idul Fitri 1447 H falls on Saturday 21 and Sunday 22 March 2026.
    assert "Idul Fitri" in (CAL.holiday_name(date(2026, 3, 21)) or "")
    assert "Idul Fitri" in (CAL.holiday_name(date(2026, 3, 22)) or "")


def test_national_holidays_can_be_switched_off() -> None:
    plain = WorkCalendar(DAIRI_HOURS, national_holidays=False)
    assert plain.is_working_day(date(2026, 8, 17))
    assert plain.holiday_name(date(2026, 8, 17)) is None


def test_office_day_off_by_iso_text_and_by_name() -> None:
    cal = WorkCalendar(DAIRI_HOURS, ["2026-04-20"])
    assert not cal.is_working_day(date(2026, 4, 20))
    assert cal.holiday_name(date(2026, 4, 20)) == OFFICE_DAY_OFF_NAME
    named = WorkCalendar(DAIRI_HOURS, {date(2026, 4, 20): "HUT Kabupaten Dairi"})
    assert named.holiday_name(date(2026, 4, 20)) == "HUT Kabupaten Dairi"


def test_extra_workday_overrides_the_package() -> None:
    cal = WorkCalendar(DAIRI_HOURS, extra_workdays=[date(2026, 12, 24)])
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.hours_on(date(2026, 12, 24)) == (450, 960)
    assert cal.holiday_name(date(2026, 12, 24)) is None
    assert not cal.is_working_day(date(2026, 12, 25))


def test_extra_workday_on_a_closed_weekday_gets_standard_hours() -> None:
    cal = WorkCalendar(DAIRI_HOURS, extra_workdays=["2026-03-28"])  # a Saturday
    assert cal.hours_on(date(2026, 3, 28)) == (450, 960)


def test_a_date_cannot_be_both_off_and_extra() -> None:
    with pytest.raises(ValueError, match="2026-04-20"):
        WorkCalendar(DAIRI_HOURS, ["2026-04-20"], extra_workdays=["2026-04-20"])


@pytest.mark.parametrize(
    "hours",
    [{0: (960, 450)}, {0: (-1, 450)}, {0: (450, 1441)}, {}, {5: None, 6: None}],
)
def test_bad_hours_are_refused(hours: dict[int, tuple[int, int] | None]) -> None:
    with pytest.raises(ValueError):
        WorkCalendar(hours)


def test_bad_day_off_text_is_explained() -> None:
    with pytest.raises(ValueError, match="TTTT-BB-HH"):
        WorkCalendar(DAIRI_HOURS, ["20-04-2026"])


def test_from_office_uses_hours_and_days_off() -> None:
    cal = WorkCalendar.from_office(make_office(days_off=("2026-04-20",)))
    assert not cal.is_working_day(date(2026, 4, 20))
    assert cal.hours_on(date(2026, 4, 24)) == (450, 990)
    shipped = WorkCalendar.from_office(office())
    assert shipped.standard_hours == (450, 960)
    assert shipped.hours_on(date(2026, 1, 9)) == (450, 990)


def test_holidays_are_computed_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays

    calls: list[object] = []
    real = holidays.country_holidays

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holidays, "country_holidays", counting)
    cal = WorkCalendar(DAIRI_HOURS)
    for offset in range(400):
        cal.is_working_day(date(2026, 1, 1) + timedelta(days=offset))
    cal.holiday_name(date(2026, 8, 17))
    assert sorted(calls) == [2026, 2027]  # type: ignore[type-var]


# ------------------------------------------------------------------ instants


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (dt(2026, 1, 5, 10, 0), dt(2026, 1, 5, 10, 0)),  # inside: itself
        (dt(2026, 1, 5, 6, 0), dt(2026, 1, 5, 7, 30)),  # before opening
        (dt(2026, 1, 5, 7, 30), dt(2026, 1, 5, 7, 30)),  # at opening
        (dt(2026, 1, 5, 16, 0), dt(2026, 1, 6, 7, 30)),  # at closing: not inside
        (dt(2026, 1, 9, 16, 15), dt(2026, 1, 9, 16, 15)),  # Friday is open till 16:30
        (dt(2026, 1, 9, 17, 0), dt(2026, 1, 12, 7, 30)),  # Friday evening -> Monday
        (dt(2026, 1, 10, 9, 0), dt(2026, 1, 12, 7, 30)),  # Saturday -> Monday
        (dt(2026, 8, 14, 18, 0), dt(2026, 8, 18, 7, 30)),  # over 17 Agustus
    ],
)
def test_next_opening(t: datetime, expected: datetime) -> None:
    assert CAL.next_opening(t) == expected


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # the brief's example: Friday 16:15 + 1 day, Monday closes at 16:00
        (dt(2026, 1, 9, 16, 15), Duration(1, 0), dt(2026, 1, 12, 16, 0)),
        # minutes cross Friday's closing into Monday
        (dt(2026, 1, 9, 16, 15), Duration(0, 30), dt(2026, 1, 12, 7, 45)),
        # Friday's extra half hour is working time
        (dt(2026, 1, 9, 16, 0), Duration(0, 30), dt(2026, 1, 9, 16, 30)),
        # exactly at closing stays at closing
        (dt(2026, 1, 5, 15, 0), Duration(0, 60), dt(2026, 1, 5, 16, 0)),
        (dt(2026, 1, 5, 15, 0), Duration(0, 61), dt(2026, 1, 6, 7, 31)),
        # a start at the weekend rolls to Monday's opening
        (dt(2026, 1, 10, 9, 0), Duration(0, 15), dt(2026, 1, 12, 7, 45)),
        # "0 Hari" = within the same working day: due at that day's closing time
        (dt(2026, 1, 10, 9, 0), Duration(0, 0), dt(2026, 1, 12, 16, 0)),
        (dt(2026, 1, 5, 9, 12, 30), Duration(0, 0), dt(2026, 1, 5, 16, 0)),
        (dt(2026, 1, 9, 15, 59), Duration(0, 0), dt(2026, 1, 9, 16, 30)),
        (dt(2026, 1, 5, 16, 0), Duration(0, 0), dt(2026, 1, 6, 16, 0)),
        # days: same time of day on the Nth following working day
        (dt(2026, 1, 5, 10, 0), Duration(3, 0), dt(2026, 1, 8, 10, 0)),
        (dt(2026, 1, 8, 10, 0), Duration(2, 0), dt(2026, 1, 12, 10, 0)),
        # days, then minutes past closing
        (dt(2026, 1, 8, 15, 30), Duration(1, 90), dt(2026, 1, 12, 8, 0)),
        (dt(2026, 1, 9, 16, 15), Duration(1, 30), dt(2026, 1, 13, 8, 0)),
        # 17 Agustus 2026 is a Monday
        (dt(2026, 8, 14, 10, 0), Duration(1, 0), dt(2026, 8, 18, 10, 0)),
        # Nyepi + Idul Fitri 2026: 18–24 March closed (cuti bersama, holidays, weekend)
        (dt(2026, 3, 17, 10, 0), Duration(1, 0), dt(2026, 3, 25, 10, 0)),
        (dt(2026, 3, 17, 15, 0), Duration(0, 120), dt(2026, 3, 25, 8, 30)),
        # cuti bersama 24 Dec and Natal 25 Dec 2026, then the weekend
        (dt(2026, 12, 23, 10, 0), Duration(1, 0), dt(2026, 12, 28, 10, 0)),
        # over the year boundary: 1 Jan 2027 is a Friday holiday
        (dt(2026, 12, 31, 15, 0), Duration(0, 120), dt(2027, 1, 4, 8, 30)),
        (dt(2026, 12, 31, 15, 0), Duration(1, 0), dt(2027, 1, 4, 15, 0)),
        (dt(2026, 12, 30, 9, 0), Duration(3, 0), dt(2027, 1, 6, 9, 0)),
    ],
)
def test_add(start: datetime, duration: Duration, due: datetime) -> None:
    assert CAL.add(start, duration) == due


def test_add_respects_an_office_day_off() -> None:
    cal = WorkCalendar(DAIRI_HOURS, ["2026-01-06"])
    assert cal.add(dt(2026, 1, 5, 10, 0), Duration(1, 0)) == dt(2026, 1, 7, 10, 0)
    assert cal.add(dt(2026, 1, 5, 15, 30), Duration(0, 60)) == dt(2026, 1, 7, 8, 0)


def test_days_clamp_to_a_later_opening() -> None:
    hours = dict(DAIRI_HOURS)
    hours[4] = (480, 990)  # Friday opens at 08:00
    cal = WorkCalendar(hours)
    assert cal.add(dt(2026, 1, 8, 7, 40), Duration(1, 0)) == dt(2026, 1, 9, 8, 0)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add(dt(2026, 1, 5, 10, 0), Duration(0, -5))


def test_closing_at_midnight_is_supported() -> None:
    cal = WorkCalendar({d: (0, 1440) for d in range(7)}, national_holidays=False)
    assert cal.add(dt(2026, 1, 5, 23, 0), Duration(0, 60)) == dt(2026, 1, 6, 0, 0)
    assert cal.add(dt(2026, 1, 5, 23, 0), Duration(0, 61)) == dt(2026, 1, 6, 0, 1)


# ------------------------------------------------------------------ spans


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        (dt(2026, 1, 5, 8, 0), dt(2026, 1, 5, 10, 15), 135),
        (dt(2026, 1, 5, 10, 0), dt(2026, 1, 5, 8, 0), 0),
        (dt(2026, 1, 5, 10, 0), dt(2026, 1, 5, 10, 0), 0),
        (dt(2026, 1, 5, 6, 0), dt(2026, 1, 5, 20, 0), 510),
        (dt(2026, 1, 9, 16, 0), dt(2026, 1, 12, 8, 0), 60),  # Friday 16:00–16:30, Monday 30
        (dt(2026, 1, 10, 8, 0), dt(2026, 1, 11, 20, 0), 0),  # the weekend
        (dt(2026, 8, 14, 16, 0), dt(2026, 8, 18, 7, 45), 45),  # Friday 30 min, 17 Aug, 15 min
        (dt(2026, 12, 31, 15, 0), dt(2027, 1, 4, 8, 30), 120),  # across the year
        (dt(2026, 1, 5, 8, 0, 59), dt(2026, 1, 5, 8, 2), 1),  # whole minutes only
    ],
)
def test_working_minutes_between(a: datetime, b: datetime, minutes: int) -> None:
    assert CAL.working_minutes_between(a, b) == minutes


def test_a_week_and_a_year_of_working_minutes() -> None:
    # a plain week: 4 × 510 + 540
    assert CAL.working_minutes_between(dt(2026, 1, 5, 0, 0), dt(2026, 1, 12, 0, 0)) == 2580
    plain = WorkCalendar(DAIRI_HOURS, national_holidays=False)
    year = plain.working_minutes_between(dt(2026, 1, 1), dt(2027, 1, 1))
    fridays = sum(1 for i in range(365) if (date(2026, 1, 1) + timedelta(days=i)).weekday() == 4)
    weekdays = sum(1 for i in range(365) if (date(2026, 1, 1) + timedelta(days=i)).weekday() < 4)
    assert year == weekdays * 510 + fridays * 540
    # the holidays of 2026 that fall on working days cost exactly their hours
    lost = year - CAL.working_minutes_between(dt(2026, 1, 1), dt(2027, 1, 1))
    closed = [
        date(2026, 1, 1) + timedelta(days=i)
        for i in range(365)
        if plain.is_working_day(date(2026, 1, 1) + timedelta(days=i))
        and not CAL.is_working_day(date(2026, 1, 1) + timedelta(days=i))
    ]
    assert lost == sum(540 if d.weekday() == 4 else 510 for d in closed)
    assert len(closed) >= 15


def test_late_minutes() -> None:
    due = dt(2026, 1, 9, 16, 30)
    assert CAL.late_minutes(due, dt(2026, 1, 9, 16, 0)) == 0
    assert CAL.late_minutes(due, dt(2026, 1, 12, 8, 0)) == 30
    assert CAL.late_minutes(due, dt(2026, 1, 13, 8, 0)) == 30 + 510


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 menit"),
        (45, "45 menit"),
        (60, "1 jam"),
        (135, "2 jam 15 menit"),
        (510, "1 hari"),
        (510 + 180, "1 hari 3 jam"),
        (2 * 510 + 61, "2 hari 1 jam 1 menit"),
        (-135, "-2 jam 15 menit"),
    ],
)
def test_format_working_minutes(minutes: int, text: str) -> None:
    # one day = the standard (Monday–Thursday) day of 07:30–16:00 = 510 minutes
    assert CAL.standard_day_minutes == 510
    assert CAL.format_working_minutes(minutes) == text
    assert format_working_minutes(minutes, 510) == text


# ------------------------------------------------------------------ properties

starts = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2028, 1, 31))
durations = st.builds(
    Duration, days=st.integers(min_value=0, max_value=12), minutes=st.integers(0, 3000)
)
FAST = settings(max_examples=150, deadline=None)


def inside_or_at_closing(cal: WorkCalendar, t: datetime) -> bool:
    span = cal.hours_on(t.date())
    if span is None:
        return False
    midnight = datetime.combine(t.date(), time())
    return midnight + timedelta(minutes=span[0]) <= t <= midnight + timedelta(minutes=span[1])


def reference_minutes(cal: WorkCalendar, a: datetime, b: datetime) -> int:
    """Slow, obvious reference: sum each day's overlap with its opening hours."""
    if b <= a:
        return 0
    total = timedelta()
    day = a.date()
    while day <= b.date():
        span = cal.hours_on(day)
        if span is not None:
            midnight = datetime.combine(day, time())
            lo = max(a, midnight + timedelta(minutes=span[0]))
            hi = min(b, midnight + timedelta(minutes=span[1]))
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return int(total // timedelta(minutes=1))


@FAST
@given(starts, durations, durations)
def test_add_is_monotonic_in_duration(start: datetime, d1: Duration, d2: Duration) -> None:
    low = Duration(min(d1.days, d2.days), min(d1.minutes, d2.minutes))
    high = Duration(max(d1.days, d2.days), max(d1.minutes, d2.minutes))
    # "0 Hari" is the whole working day, not zero minutes: it is the one exception.
    assume(not low.is_zero())
    assert CAL.add(start, low) <= CAL.add(start, high)


@FAST
@given(starts)
def test_zero_duration_is_the_closing_of_the_working_day(start: datetime) -> None:
    due = CAL.add(start, Duration())
    opening = CAL.next_opening(start)
    assert due.date() == opening.date()
    assert due - datetime.combine(due.date(), time()) == timedelta(
        minutes=CAL.hours_on(due.date())[1]  # type: ignore[index]
    )


@FAST
@given(starts, durations)
def test_add_lands_in_working_hours_or_at_closing(start: datetime, duration: Duration) -> None:
    due = CAL.add(start, duration)
    assert due >= start
    assert inside_or_at_closing(CAL, due)


@FAST
@given(starts, st.integers(min_value=0, max_value=5000))
def test_minutes_round_trip(start: datetime, minutes: int) -> None:
    assume(minutes > 0)  # "0 Menit" is the rest of the working day
    inside = CAL.next_opening(start)
    assert CAL.is_working_time(inside)
    due = CAL.add(inside, Duration(0, minutes))
    assert CAL.working_minutes_between(inside, due) == minutes


@FAST
@given(starts, st.integers(min_value=0, max_value=12))
def test_days_land_on_the_nth_working_day(start: datetime, days: int) -> None:
    inside = CAL.next_opening(start)
    due = CAL.add(inside, Duration(days, 0))
    expected = inside.date()
    for _ in range(days):
        expected = CAL.next_working_day(expected)
    assert due.date() == expected


@FAST
@given(starts, starts)
def test_between_matches_a_day_by_day_reference(a: datetime, b: datetime) -> None:
    assert CAL.working_minutes_between(a, b) == reference_minutes(CAL, a, b)


@FAST
@given(starts, starts, starts)
def test_between_is_additive_on_whole_minutes(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted(t.replace(second=0, microsecond=0) for t in (a, b, c))
    assert CAL.working_minutes_between(a, b) + CAL.working_minutes_between(
        b, c
    ) == CAL.working_minutes_between(a, c)
