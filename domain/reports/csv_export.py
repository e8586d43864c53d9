"""Every report as CSV: a header row, then one row per item, the same figures as the JSON.

Empty cells stand for null; money is the same decimal string; `other_currencies` reads
`EUR=1200.00;GBP=5.00`. Text people typed (source and owner names) that starts like a formula
(`=`, `+`, `-`, `@`) is prefixed with `'`, so a spreadsheet shows it instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from domain.reports.activity import ActivityReport
from domain.reports.forecast import ForecastReport
from domain.reports.funnel import FunnelReport
from domain.reports.periods import Period
from domain.reports.sources import SourcesReport
from domain.reports.summary import SummaryReport
from domain.reports.won_over_time import WonOverTimeReport

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PEOPLES_TEXT = frozenset({"source", "name", "owner_name"})

_SUMMARY_FIGURES = (
    "won_count", "won_amount", "lost_count", "win_rate", "new_deals", "new_contacts",
    "avg_deal_size", "avg_days_to_close", "median_days_to_close",
)  # fmt: skip
_FUNNEL_COLUMNS = (
    "stage_id", "name", "kind", "position", "entered", "reached", "converted_to_next",
    "conversion_rate", "median_days_in_stage", "p90_days_in_stage",
)  # fmt: skip
_SOURCES_COLUMNS = (
    "source", "leads", "deals", "won_count", "lost_count", "won_amount", "currency", "win_rate",
    "avg_days_to_close", "other_currencies",
)  # fmt: skip
_FORECAST_COLUMNS = (
    "month", "weighted", "best_case", "commit", "closed_won", "forecast_at_start", "currency",
    "other_currencies",
)  # fmt: skip
_ACTIVITY_COLUMNS = (
    "period_start", "owner_id", "owner_name", "calls", "emails", "meetings", "notes",
    "tasks_completed", "deals_moved",
)  # fmt: skip
_WON_COLUMNS = ("period_start", "won_count", "won_amount", "currency", "other_currencies")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ";".join(f"{key}={amount}" for key, amount in value.items())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _typed(value: str | None) -> str:
    """People's text, defused: a leading formula character is shown, not evaluated."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value or ""


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _table(items: Iterable[object], columns: Sequence[str], context: Mapping[str, Any] | None = None) -> str:
    """One row per item: each column is the item's attribute of that name, or a `context` value."""
    shared = context or {}

    def value(item: object, column: str) -> Any:
        if column in shared:
            return shared[column]
        found = getattr(item, column)
        return _typed(found) if column in _PEOPLES_TEXT else found

    return csv_text(columns, ([value(item, c) for c in columns] for item in items))


def summary_csv(report: SummaryReport, period: Period) -> str:
    columns = ("from", "to", "currency", *_SUMMARY_FIGURES, "other_currencies")
    return _table([report], columns, {"from": period.first_day, "to": period.last_day})


def funnel_csv(report: FunnelReport) -> str:
    return _table(report.stages, _FUNNEL_COLUMNS)


def sources_csv(report: SourcesReport) -> str:
    return _table(report.sources, _SOURCES_COLUMNS, {"currency": report.currency})


def forecast_csv(report: ForecastReport) -> str:
    return _table(report.months, _FORECAST_COLUMNS, {"currency": report.currency})


def activity_csv(report: ActivityReport) -> str:
    return _table(report.rows, _ACTIVITY_COLUMNS)


def won_over_time_csv(report: WonOverTimeReport) -> str:
    return _table(report.points, _WON_COLUMNS, {"currency": report.currency})
