"""Report periods: local calendar dates in the workspace's time zone, turned into UTC instants.

A period is `from`..`to`, both days inclusive, read on the workspace's wall clock. Queries compare
stored UTC instants against [start, end): the instant local midnight begins `from`, and the
instant local midnight begins the day after `to`. Weeks start on Monday, months on the 1st.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import invalid

# Far enough apart for any CRM's history, and clear of datetime's own edges (year 1 and 9999),
# where a time-zone shift or "the day after `to`" would overflow.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    start: datetime  # UTC instant of first_day's local midnight (inclusive)
    end: datetime  # UTC instant of the local midnight after last_day (exclusive)


def zone(name: str) -> ZoneInfo:
    """The workspace's zone; UTC when its name is unknown here, so a report never fails on it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins (zoneinfo resolves a skipped midnight forward)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_index(day: date) -> int:
    """Months since year 0: month arithmetic without building dates that may not exist."""
    return day.year * 12 + day.month - 1


def add_months(first_of_month: date, months: int) -> date:
    index = month_index(first_of_month) + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(month_start(day), 1) - timedelta(days=1)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # Monday


def bucket_start(day: date, interval: str) -> date:
    return week_start(day) if interval == "week" else month_start(day)


def bucket_count(first_day: date, last_day: date, interval: str) -> int:
    first, last = bucket_start(first_day, interval), bucket_start(last_day, interval)
    if interval == "week":
        return (last - first).days // 7 + 1
    return month_index(last) - month_index(first) + 1


def parse_month(value: str, field: str) -> date:
    """`YYYY-MM` as the month's first day; 422 naming the query parameter otherwise."""
    match = _MONTH.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise invalid(["query", field], "Use a month as YYYY-MM")
    first = date(int(match.group(1)), int(match.group(2)), 1)
    if not EARLIEST_DAY <= first <= LATEST_DAY:
        raise invalid(["query", field], f"Months run from {EARLIEST_DAY:%Y-%m} to {LATEST_DAY:%Y-%m}")
    return first


def resolve_period(first_day: date | None, last_day: date | None, *, now: datetime, tz: ZoneInfo) -> Period:
    """The period a report covers; without `from`/`to`, the current month on the workspace's clock.

    Only one of the two given: the other comes from the current month (`from` alone runs to the
    month's end, or to itself when later; `to` alone starts at its own month's first day).
    """
    for name, day in (("from", first_day), ("to", last_day)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise invalid(["query", name], f"Dates run from {EARLIEST_DAY} to {LATEST_DAY}")
    today = local_today(now, tz)
    if first_day is None and last_day is None:
        first_day, last_day = month_start(today), month_end(today)
    elif first_day is None:
        assert last_day is not None
        first_day = month_start(last_day)
    elif last_day is None:
        last_day = max(month_end(today), first_day)
    if first_day > last_day:
        raise invalid(["query", "from"], "`from` must not be after `to`")
    return Period(
        first_day=first_day,
        last_day=last_day,
        start=local_midnight(first_day, tz),
        end=local_midnight(last_day + timedelta(days=1), tz),
    )
