"""Working time: office hours, weekends, national holidays, cuti bersama and the office's own days.

Every step of an SOP has a time standard ("2 Jam", "3 Hari"); the due time of a step is its start
plus that standard counted in *working* time, and lateness is counted the same way. This module
is the only place that knows what a working day is, so the overdue colouring on screen, the
reports and the SOP matrix all agree.

Datetimes are naive and in the office's local time: the office works in one time zone and the
database stores what the clerk's clock said. A working day is one interval ``[open, close)``; a
time exactly at closing is not inside working hours (work recorded at 16:00 on a day closing at
16:00 is counted from the next opening), but a due time may fall exactly at closing.

National holidays and cuti bersama come from the ``holidays`` package (categories ``public`` and
``government``, Indonesian names). The package has no regional holidays and estimates Islamic
dates from 2027 on, so the office adds its own days off and may mark a listed date as a working
day (``extra_workdays``) when the government decision differs from the estimate.

The package is imported lazily and each year is computed once and cached: due dates are computed
for thousands of rows and start-up must stay fast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from desktop_perizinan.workflow.durations import Duration

if TYPE_CHECKING:
    from desktop_perizinan.workflow.definition import OfficeConfig

__all__ = ["OFFICE_DAY_OFF_NAME", "WorkCalendar", "format_working_minutes"]

#: Name shown for an office day off given without a name.
OFFICE_DAY_OFF_NAME = "Libur kantor"

_HOLIDAY_CATEGORIES = ("public", "government")
_MINUTES_PER_DAY = 24 * 60
_US_PER_MINUTE = 60_000_000
#: How far the calendar looks for a working day before deciding it will never find one.
_MAX_SEARCH_DAYS = 3 * 366

Hours = tuple[int, int]


def format_working_minutes(minutes: int, day_minutes: int) -> str:
    """Write a span of working minutes the way a clerk says it: "1 hari 3 jam", "2 jam 15 menit".

    ``day_minutes`` is the length of one working day in minutes (see
    :attr:`WorkCalendar.standard_day_minutes`); whole days are taken first, then hours, then
    minutes, and zero parts are left out. A negative span is written with a leading minus sign.
    """
    if minutes < 0:
        return "-" + format_working_minutes(-minutes, day_minutes)
    if day_minutes <= 0:
        raise ValueError("panjang hari kerja harus lebih dari 0 menit")
    days, rest = divmod(minutes, day_minutes)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} hari")
    if hours:
        parts.append(f"{hours} jam")
    if mins:
        parts.append(f"{mins} menit")
    return " ".join(parts) or "0 menit"


def _parse_date(value: date | str) -> date:
    """Accept a date or an ISO text (as ``_kantor.toml`` writes ``days_off``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(
            f'tanggal "{value}" tidak terbaca; tulis dengan format TTTT-BB-HH, misalnya 2026-03-25'
        ) from None


class WorkCalendar:
    """The office's working time.

    ``hours`` maps a weekday (0 = Monday) to ``(opening, closing)`` in minutes after midnight, or
    to ``None`` (or no key) when the office is closed that weekday. ``days_off`` are the office's
    own closed dates (a mapping gives them a name, else :data:`OFFICE_DAY_OFF_NAME`).
    ``extra_workdays`` are dates the office works although the holiday package lists them (or
    although the weekday is normally closed: such a day gets the standard hours). A date cannot be
    both an office day off and an extra working day.
    """

    def __init__(
        self,
        hours: Mapping[int, Hours | None],
        days_off: Iterable[date | str] | Mapping[date | str, str] = (),
        *,
        national_holidays: bool = True,
        extra_workdays: Iterable[date | str] = (),
    ) -> None:
        self._hours: dict[int, Hours | None] = {}
        for weekday in range(7):
            span = hours.get(weekday)
            if span is not None:
                opening, closing = int(span[0]), int(span[1])
                if not 0 <= opening < closing <= _MINUTES_PER_DAY:
                    raise ValueError(
                        f"jam kerja hari ke-{weekday} tidak benar: buka {opening} menit, "
                        f"tutup {closing} menit setelah tengah malam"
                    )
                span = (opening, closing)
            self._hours[weekday] = span
        open_spans = [span for span in self._hours.values() if span is not None]
        if not open_spans:
            raise ValueError("jam kerja kosong: kantor harus buka paling sedikit satu hari")
        # The most common opening hours; ties go to the earliest weekday (Counter keeps order).
        self._standard: Hours = Counter(open_spans).most_common(1)[0][0]

        if isinstance(days_off, Mapping):
            self._days_off = {_parse_date(d): str(name) for d, name in days_off.items()}
        else:
            self._days_off = {_parse_date(d): OFFICE_DAY_OFF_NAME for d in days_off}
        self._extra_workdays = frozenset(_parse_date(d) for d in extra_workdays)
        both = sorted(self._extra_workdays & self._days_off.keys())
        if both:
            raise ValueError(
                "tanggal berikut tercantum sebagai libur kantor dan juga hari kerja tambahan: "
                + ", ".join(d.isoformat() for d in both)
            )
        self._national = national_holidays
        self._holidays_by_year: dict[int, dict[date, str]] = {}
        self._day_cache: dict[date, Hours | None] = {}
        # Per year: cumulative working minutes at the start of each day of the year (+ total).
        self._cumulative: dict[int, list[int]] = {}
        # Per day: (working microseconds from 1 January to its start, opening, closing in
        # microseconds of the clock; 0, 0 when closed), so a span costs two look-ups.
        self._day_positions: dict[date, tuple[int, int, int]] = {}

    @classmethod
    def from_office(cls, office: OfficeConfig) -> WorkCalendar:
        """The calendar of ``_kantor.toml``: its hours, its days off and its extra working days."""
        return cls(
            office.hours,
            office.days_off,
            extra_workdays=office.extra_workdays,
        )

    # ------------------------------------------------------------------ days

    @property
    def standard_hours(self) -> Hours:
        """The most common opening hours of the week (Mon–Thu 07:30–16:00 in the Dairi office)."""
        return self._standard

    @property
    def standard_day_minutes(self) -> int:
        """Length of the standard working day: what "1 hari" means when minutes are shown.

        It is the length of the most common opening hours of the week, ties going to the
        earliest weekday: for the Dairi office the Monday–Thursday day, 07:30–16:00 = 510 minutes;
        Friday's longer day does not count.
        """
        opening, closing = self._standard
        return closing - opening

    def _national_holidays(self, year: int) -> dict[date, str]:
        """The package's holidays of one year, computed once (about a millisecond each)."""
        cached = self._holidays_by_year.get(year)
        if cached is None:
            if not self._national:
                cached = {}
            else:
                import holidays  # lazy: the package costs ~60 ms to import

                listed = holidays.country_holidays(
                    "ID", years=year, categories=_HOLIDAY_CATEGORIES, language="id"
                )
                cached = dict(listed.items())
            self._holidays_by_year[year] = cached
        return cached

    def hours_on(self, day: date) -> Hours | None:
        """Opening and closing minute of ``day``, or ``None`` when the office is closed."""
        try:
            return self._day_cache[day]
        except KeyError:
            pass
        span: Hours | None
        if day in self._days_off:
            span = None
        elif day in self._extra_workdays:
            span = self._hours[day.weekday()] or self._standard
        else:
            span = self._hours[day.weekday()]
            if span is not None and day in self._national_holidays(day.year):
                span = None
        self._day_cache[day] = span
        return span

    def is_working_day(self, day: date) -> bool:
        """Whether the office is open on ``day`` at all."""
        return self.hours_on(day) is not None

    def holiday_name(self, day: date) -> str | None:
        """Why ``day`` is a holiday: the office's day off or the national holiday / cuti bersama.

        ``None`` for an ordinary day, a plain weekend and an extra working day (the office works
        then, whatever the package says).
        """
        name = self._days_off.get(day)
        if name is not None:
            return name
        if day in self._extra_workdays:
            return None
        return self._national_holidays(day.year).get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.hours_on(candidate) is not None:
                return candidate
        raise ValueError(
            f"tidak ada hari kerja dalam {_MAX_SEARCH_DAYS} hari setelah {day.isoformat()}; "
            "periksa jam kerja dan hari libur kantor"
        )

    # ------------------------------------------------------------------ instants

    @staticmethod
    def _at(day: date, minute: int) -> datetime:
        # timedelta rather than time(): a closing minute of 1440 is midnight of the next day.
        return datetime.combine(day, time()) + timedelta(minutes=minute)

    def next_opening(self, t: datetime) -> datetime:
        """``t`` itself when inside working hours, else the next moment the office opens."""
        day = t.date()
        span = self.hours_on(day)
        if span is not None:
            opening, closing = self._at(day, span[0]), self._at(day, span[1])
            if t < opening:
                return opening
            if t < closing:
                return t
        following = self.next_working_day(day)
        return self._at(following, self.hours_on(following)[0])  # type: ignore[index]

    def is_working_time(self, t: datetime) -> bool:
        """Whether ``t`` is inside working hours (closing time itself is not)."""
        return self.next_opening(t) == t

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The due time of work started at ``start`` with time standard ``duration``.

        The rules, in order:

        1. A start outside working hours (evening, weekend, holiday, exactly at closing) rolls to
           the next opening: work handed in on Saturday is counted from Monday's opening.
        2. ``duration.days`` working days: the same time of day on the Nth following working
           day, clamped into that day's hours. Friday 16:15 + 1 day is Monday 16:00, because
           Monday closes at 16:00; a day that opens later than the start's time starts at its
           opening.
        3. ``duration.minutes`` of working time from there: when closing time comes first, the
           rest continues at the next working day's opening. The result may be exactly at
           closing (Monday 15:00 + 60 minutes is Monday 16:00, not Tuesday 07:30).

        4. ``Duration(0, 0)`` ("0 Hari", "0 Menit": an SOP's counter step done while the
           applicant waits) means *within the same working day*: due at the closing time of
           the working day the work starts on (after closing: the next working day's).

        The result is always inside working hours or exactly at a closing time.
        """
        if duration.days < 0 or duration.minutes < 0:
            raise ValueError("waktu baku tidak boleh negatif")
        t = self.next_opening(start)
        if duration.is_zero():
            return self._at(t.date(), self.hours_on(t.date())[1])  # type: ignore[index]
        if duration.days:
            clock = t - datetime.combine(t.date(), time())
            day = t.date()
            for _ in range(duration.days):
                day = self.next_working_day(day)
            opening, closing = self.hours_on(day)  # type: ignore[misc]
            low, high = timedelta(minutes=opening), timedelta(minutes=closing)
            t = datetime.combine(day, time()) + min(max(clock, low), high)
        remaining = timedelta(minutes=duration.minutes)
        while remaining:
            day = t.date()
            span = self.hours_on(day)
            closing = self._at(day, span[1]) if span is not None else t
            if t >= closing:  # at closing (after the days part): continue tomorrow
                t = self.next_opening(closing)
                continue
            available = closing - t
            if remaining <= available:
                return t + remaining
            remaining -= available
            t = self.next_opening(closing)
        return t

    # ------------------------------------------------------------------ spans

    def _cumulative_year(self, year: int) -> list[int]:
        """Working minutes from 1 January to the start of each day of ``year``; last = total."""
        table = self._cumulative.get(year)
        if table is None:
            table = [0]
            day = date(year, 1, 1)
            one = timedelta(days=1)
            while day.year == year:
                span = self.hours_on(day)
                table.append(table[-1] + (span[1] - span[0] if span else 0))
                day += one
            self._cumulative[year] = table
        return table

    def _position(self, t: datetime) -> tuple[int, int]:
        """(year, working microseconds from 1 January of that year to ``t``)."""
        day = t.date()
        known = self._day_positions.get(day)
        if known is None:
            table = self._cumulative_year(day.year)
            span = self.hours_on(day)
            start = table[day.timetuple().tm_yday - 1] * _US_PER_MINUTE
            low, high = (span[0], span[1]) if span is not None else (0, 0)
            known = (start, low * _US_PER_MINUTE, high * _US_PER_MINUTE)
            self._day_positions[day] = known
        start, low, high = known
        clock = (t.hour * 3600 + t.minute * 60 + t.second) * 1_000_000 + t.microsecond
        return day.year, start + min(max(clock, low), high) - low

    def working_minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole working minutes from ``a`` to ``b`` (0 when ``b`` is not after ``a``).

        Computed from per-year running totals, so a span of a year costs the same as a span of an
        hour: the overdue column of a long list calls this for every row.
        """
        if b <= a:
            return 0
        year_a, pos_a = self._position(a)
        year_b, pos_b = self._position(b)
        for year in range(year_a, year_b):
            pos_b += self._cumulative_year(year)[-1] * _US_PER_MINUTE
        return max(0, pos_b - pos_a) // _US_PER_MINUTE

    def late_minutes(self, due: datetime, done: datetime) -> int:
        """Working minutes by which work done at ``done`` missed ``due`` (0 when on time).

        Counted in working time, as the time standard is: a step due Friday at 16:30 and done
        Monday at 08:00 is 30 minutes late, not a weekend late.
        """
        return self.working_minutes_between(due, done)

    def format_working_minutes(self, minutes: int) -> str:
        """Indonesian text for working minutes, one day being :attr:`standard_day_minutes`."""
        return format_working_minutes(minutes, self.standard_day_minutes)
