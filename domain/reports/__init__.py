"""Reports: set-based queries that turn the records into answers, one module per report.

Every report takes a `ReportScope` (workspace, its time zone and currency, the period as UTC
instants, the pipeline and owner filters, and "now" from the caller's clock) and returns plain
dataclasses; `csv_export` writes any of them as CSV. Queries name the workspace explicitly;
row-level security is the second wall.
"""

from domain.reports.activity import ActivityReport, ActivityRow, activity_report
from domain.reports.csv_export import (
    activity_csv,
    forecast_csv,
    funnel_csv,
    sources_csv,
    summary_csv,
    won_over_time_csv,
)
from domain.reports.forecast import (
    DEFAULT_COMMIT_PROBABILITY,
    DEFAULT_MONTHS,
    ForecastMonth,
    ForecastReport,
    forecast_report,
)
from domain.reports.forecast_snapshots import take_forecast_snapshots_across_workspaces
from domain.reports.funnel import FunnelReport, FunnelStage, funnel_report
from domain.reports.periods import Period, parse_month, resolve_period
from domain.reports.scope import ReportScope, report_scope
from domain.reports.sources import SourceRow, SourcesReport, sources_report
from domain.reports.summary import SummaryReport, summary_report
from domain.reports.won_over_time import WonOverTimeReport, WonPoint, won_over_time_report

__all__ = [
    "DEFAULT_COMMIT_PROBABILITY",
    "DEFAULT_MONTHS",
    "ActivityReport",
    "ActivityRow",
    "ForecastMonth",
    "ForecastReport",
    "FunnelReport",
    "FunnelStage",
    "Period",
    "ReportScope",
    "SourceRow",
    "SourcesReport",
    "SummaryReport",
    "WonOverTimeReport",
    "WonPoint",
    "activity_csv",
    "activity_report",
    "forecast_csv",
    "forecast_report",
    "funnel_csv",
    "funnel_report",
    "parse_month",
    "report_scope",
    "resolve_period",
    "sources_csv",
    "sources_report",
    "summary_csv",
    "summary_report",
    "take_forecast_snapshots_across_workspaces",
    "won_over_time_csv",
    "won_over_time_report",
]
