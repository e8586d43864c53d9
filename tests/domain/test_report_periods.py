"""Report periods: local days to UTC instants, defaults, month and week arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import ValidationFailed
from domain.reports.periods import (
    add_months,
    bucket_count,
    bucket_start,
    local_midnight,
    month_end,
    parse_month,
    resolve_period,
    week_start,
    zone,
)

PARIS = ZoneInfo("Europe/Paris")
UTC_ZONE = ZoneInfo("UTC")


def test_a_period_is_local_midnight_to_the_midnight_after_the_last_day() -> None:
    # March 2026 in Paris: CET (+1) on the 1st, CEST (+2) from the 29th.
    period = resolve_period(date(2026, 3, 1), date(2026, 3, 31), now=datetime.now(UTC), tz=PARIS)
    assert period.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    utc = resolve_period(date(2026, 3, 1), date(2026, 3, 31), now=datetime.now(UTC), tz=UTC_ZONE)
    assert (utc.start, utc.end) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def test_the_default_period_is_the_current_month_on_the_workspace_clock() -> None:
    # 23:30 UTC on 31 March is already 1 April in Paris.
    now = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    paris = resolve_period(None, None, now=now, tz=PARIS)
    assert (paris.first_day, paris.last_day) == (date(2026, 4, 1), date(2026, 4, 30))
    utc = resolve_period(None, None, now=now, tz=UTC_ZONE)
    assert (utc.first_day, utc.last_day) == (date(2026, 3, 1), date(2026, 3, 31))


def test_one_bound_alone_is_completed_from_the_calendar() -> None:
    now = datetime(2026, 5, 15, 12, tzinfo=UTC)
    since = resolve_period(date(2026, 1, 10), None, now=now, tz=UTC_ZONE)
    assert (since.first_day, since.last_day) == (date(2026, 1, 10), date(2026, 5, 31))
    later = resolve_period(date(2026, 8, 10), None, now=now, tz=UTC_ZONE)
    assert (later.first_day, later.last_day) == (date(2026, 8, 10), date(2026, 8, 10))
    until = resolve_period(None, date(2026, 2, 14), now=now, tz=UTC_ZONE)
    assert (until.first_day, until.last_day) == (date(2026, 2, 1), date(2026, 2, 14))


def test_from_after_to_is_refused_naming_from() -> None:
    with pytest.raises(ValidationFailed) as raised:
        resolve_period(date(2026, 3, 2), date(2026, 3, 1), now=datetime.now(UTC), tz=UTC_ZONE)
    assert list(raised.value.errors[0].loc) == ["query", "from"]


def test_dates_at_the_calendar_edges_are_refused_not_overflowed() -> None:
    with pytest.raises(ValidationFailed) as raised:
        resolve_period(date(2026, 1, 1), date(9999, 12, 31), now=datetime.now(UTC), tz=PARIS)
    assert list(raised.value.errors[0].loc) == ["query", "to"]
    with pytest.raises(ValidationFailed):
        resolve_period(date(1, 1, 1), None, now=datetime.now(UTC), tz=PARIS)


def test_local_midnight_across_a_dst_change() -> None:
    assert local_midnight(date(2026, 3, 29), PARIS) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert local_midnight(date(2026, 3, 30), PARIS) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    # Autumn back: the day of the change is 25 hours long.
    assert local_midnight(date(2026, 10, 26), PARIS) - local_midnight(date(2026, 10, 25), PARIS) == (
        datetime(2026, 10, 26, tzinfo=UTC) - datetime(2026, 10, 24, 23, tzinfo=UTC)
    )


def test_month_and_week_arithmetic() -> None:
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert month_end(date(2028, 2, 10)) == date(2028, 2, 29)
    assert week_start(date(2026, 3, 1)) == date(2026, 2, 23)  # a Sunday belongs to Monday's week
    assert week_start(date(2026, 3, 2)) == date(2026, 3, 2)
    assert bucket_start(date(2026, 3, 31), "month") == date(2026, 3, 1)
    assert bucket_count(date(2026, 3, 1), date(2026, 3, 31), "week") == 6  # 23 Feb .. 30 Mar
    assert bucket_count(date(2025, 11, 15), date(2026, 2, 1), "month") == 4


def test_months_are_parsed_strictly() -> None:
    assert parse_month("2026-04", "from") == date(2026, 4, 1)
    for bad in ("2026-13", "2026-4", "April", "0001-01"):
        with pytest.raises(ValidationFailed) as raised:
            parse_month(bad, "from")
        assert list(raised.value.errors[0].loc) == ["query", "from"]


def test_an_unknown_zone_reads_as_utc() -> None:
    assert zone("Mars/Olympus_Mons").key == "UTC"
    assert zone("Europe/Paris").key == "Europe/Paris"
