"""The forecast: open pipeline by expected close month, beside what was won and what had been expected.

For the current month and later (months in the workspace's time zone):
- weighted: sum of amount x stage probability / 100 over open deals expected to close that month;
- best_case: their plain amounts; commit: the amounts in stages at or above `commit_probability`;
- an open deal whose expected close date has passed still counts, in the current month: it has
  not closed, so the current month is the earliest it can; deals without one are not forecast.
For every month, closed_won: won deals (closed_at in the workspace's time zone) in that month.
A past month's pipeline figures are null: its open deals have rolled into the current month. It
shows `forecast_at_start` instead: the weighted figure recorded when the month began (see
forecast_snapshots.py), or null without a snapshot, for an `owner_id` filter (snapshots are per
workspace and per pipeline), or when the workspace currency has changed since.
Money is in the workspace currency; open deals in other currencies are summed per code
(best case) in `other_currencies`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import invalid
from domain.reports.buckets import BUCKETS, bucket_of, bucket_params
from domain.reports.periods import (
    LATEST_DAY,
    add_months,
    local_midnight,
    local_today,
    month_index,
    month_start,
)
from domain.reports.scope import ReportScope, other_currencies

DEFAULT_MONTHS = 3
DEFAULT_COMMIT_PROBABILITY = 70

# What the report's current month and a snapshot both sum, so the two cannot drift apart.
# `d` is an open deal joined to its stage `s`.
FIGURES_SQL = """
    sum(d.amount * s.probability / 100) AS weighted,
    sum(d.amount) AS best_case,
    sum(d.amount) FILTER (WHERE s.probability >= :commit) AS commit
"""
OPEN_DEALS_SQL = """
    FROM deals d
    JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = d.stage_id
    WHERE d.workspace_id = :ws AND d.status = 'open' AND d.expected_close_date < :horizon_end
"""


@dataclass(frozen=True)
class ForecastMonth:
    month: str  # YYYY-MM
    weighted: str | None
    best_case: str | None
    commit: str | None
    closed_won: str
    forecast_at_start: str | None
    other_currencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastReport:
    months: list[ForecastMonth]
    currency: str
    commit_probability: int


async def _open_pipeline(
    session: AsyncSession, scope: ReportScope, params: dict[str, Any], first: date, current: date
) -> dict[tuple[date, str], Any]:
    # A window starting after the current month need not read the past-due deals it would not show.
    lower = " AND d.expected_close_date >= :first" if first > current else ""
    # The deals are first summed per day, currency and stage, straight off the covering index
    # ix_deals_report_expected_close; the month and the probability apply to those few hundred
    # sums, not to every open deal. sum(amount) x probability equals the sum of the products
    # (exact numeric arithmetic), so FIGURES_SQL, shared with the snapshots, still applies.
    rows = await session.execute(
        text(f"""
            SELECT GREATEST(date_trunc('month', d.expected_close_date::timestamp)::date,
                            CAST(:current AS date)) AS month,
                   d.currency, {FIGURES_SQL}
            FROM (
                SELECT d.expected_close_date, d.currency, d.stage_id, sum(d.amount) AS amount
                FROM deals d
                WHERE d.workspace_id = :ws AND d.status = 'open' AND d.expected_close_date < :horizon_end
                      {lower}{scope.deal_filters("d")}
                GROUP BY 1, 2, 3
            ) d
            JOIN stages s ON s.workspace_id = :ws AND s.id = d.stage_id
            GROUP BY 1, 2
        """),
        params,
    )
    return {(r.month, r.currency): r for r in rows}


async def _closed_won(
    session: AsyncSession, scope: ReportScope, params: dict[str, Any]
) -> dict[date, Decimal]:
    rows = await session.execute(
        text(f"""
            WITH {BUCKETS}
            SELECT b.period_start AS month, w.total
            FROM (
                SELECT {bucket_of("d.closed_at")} AS n, COALESCE(sum(d.amount), 0) AS total
                FROM deals d CROSS JOIN bounds
                WHERE d.workspace_id = :ws AND d.status = 'won'
                  AND d.closed_at >= :won_start AND d.closed_at < :won_end
                  AND d.currency = :currency{scope.deal_filters("d")}
                GROUP BY 1
            ) w
            JOIN buckets b ON b.n = w.n
        """),
        {**params, **bucket_params(params["first"], params["horizon_end"] - timedelta(days=1), "month")},
    )
    return {r.month: r.total for r in rows}


async def _snapshots(
    session: AsyncSession, scope: ReportScope, params: dict[str, Any]
) -> dict[date, Decimal]:
    if scope.owner_id is not None:
        return {}
    pipeline = "f.pipeline_id = :pipeline_id" if scope.pipeline_id else "f.pipeline_id IS NULL"
    rows = await session.execute(
        text(f"""
            SELECT f.month, f.weighted FROM forecast_snapshots f
            WHERE f.workspace_id = :ws AND f.month >= :first AND f.month < :horizon_end
              AND f.currency = :currency AND {pipeline}
        """),
        params,
    )
    return {r.month: r.weighted for r in rows}


async def forecast_report(
    session: AsyncSession,
    scope: ReportScope,
    *,
    first_month: date | None = None,
    months: int = DEFAULT_MONTHS,
    commit_probability: int = DEFAULT_COMMIT_PROBABILITY,
) -> ForecastReport:
    current = month_start(local_today(scope.now, scope.tz))
    first = first_month or current
    if month_index(first) + months - 1 > month_index(LATEST_DAY):
        raise invalid(["query", "from"], f"The forecast may not run past {LATEST_DAY:%Y-%m}")
    horizon_end = add_months(first, months)
    params = {
        **scope.params(),
        "first": first,
        "current": current,
        "horizon_end": horizon_end,
        "commit": commit_probability,
        "won_start": local_midnight(first, scope.tz),
        "won_end": local_midnight(horizon_end, scope.tz),
    }
    pipeline = await _open_pipeline(session, scope, params, first, current) if horizon_end > current else {}
    won = await _closed_won(session, scope, params)
    snapshots = await _snapshots(session, scope, params)

    others: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for (month, code), row in pipeline.items():
        if code != scope.currency:
            others[month][code] = row.best_case or Decimal(0)
    out = []
    for index in range(months):
        month = add_months(first, index)
        home = pipeline.get((month, scope.currency))
        past = month < current
        out.append(
            ForecastMonth(
                month=f"{month:%Y-%m}",
                weighted=None if past else scope.money(home.weighted if home else None),
                best_case=None if past else scope.money(home.best_case if home else None),
                commit=None if past else scope.money(home.commit if home else None),
                closed_won=scope.money(won.get(month)),
                forecast_at_start=scope.optional_money(snapshots.get(month)),
                other_currencies=other_currencies(others.get(month, {})),
            )
        )
    return ForecastReport(months=out, currency=scope.currency, commit_probability=commit_probability)


def snapshot_params(
    *, workspace_id: uuid.UUID, month: date, currency: str, commit: int = DEFAULT_COMMIT_PROBABILITY
) -> dict[str, Any]:
    """What a snapshot of `month` binds into FIGURES_SQL/OPEN_DEALS_SQL (past-due deals included)."""
    return {
        "ws": workspace_id,
        "month": month,
        "currency": currency,
        "commit": commit,
        "horizon_end": add_months(month, 1),
    }
