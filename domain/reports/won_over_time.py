"""Won deals over time: one point per week (from Monday) or month, empty periods as zeros.

The series of period starts is generated on the workspace's wall clock (see buckets.py), and won
deals go in the period their closed_at falls in, in that zone. Buckets are clipped to the
period: the first point counts only from `from` on, though its `period_start` is the week's
Monday or the month's first day. Amounts in the workspace currency; other currencies per code in
each point's `other_currencies`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import invalid
from domain.reports.buckets import BUCKETS, bucket_of, bucket_params
from domain.reports.periods import bucket_count
from domain.reports.scope import ReportScope, other_currencies

# A chart wider than this is not a chart; weekly points over ~19 years still fit.
MAX_POINTS = 1000


@dataclass(frozen=True)
class WonPoint:
    period_start: date
    won_count: int
    won_amount: str
    other_currencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WonOverTimeReport:
    interval: str
    points: list[WonPoint]
    currency: str


def _won_sql(scope: ReportScope) -> str:
    return f"""
WITH {BUCKETS},
won AS (
    SELECT {bucket_of("d.closed_at")} AS n, d.currency, count(*) AS deals,
           COALESCE(sum(d.amount), 0) AS total
    FROM deals d CROSS JOIN bounds
    WHERE d.workspace_id = :ws AND d.status = 'won' AND d.closed_at >= :start AND d.closed_at < :end
    {scope.deal_filters("d")}
    GROUP BY 1, 2
)
SELECT b.period_start, w.currency, w.deals, w.total
FROM buckets b LEFT JOIN won w ON w.n = b.n
ORDER BY b.period_start, w.currency
"""


async def won_over_time_report(
    session: AsyncSession, scope: ReportScope, *, interval: str
) -> WonOverTimeReport:
    period = scope.period
    if bucket_count(period.first_day, period.last_day, interval) > MAX_POINTS:
        raise invalid(["query", "interval"], f"At most {MAX_POINTS} points: choose a shorter period")
    rows = await session.execute(
        text(_won_sql(scope)),
        {**scope.params(), **bucket_params(period.first_day, period.last_day, interval)},
    )
    counts: dict[date, int] = defaultdict(int)
    home: dict[date, Decimal] = defaultdict(Decimal)
    others: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        counts[row.period_start] += row.deals or 0
        if row.currency is None:
            continue
        if row.currency == scope.currency:
            home[row.period_start] += row.total
        else:
            others[row.period_start][row.currency] = row.total
    return WonOverTimeReport(
        interval=interval,
        points=[
            WonPoint(
                period_start=start,
                won_count=counts[start],
                won_amount=scope.money(home.get(start)),
                other_currencies=other_currencies(others.get(start, {})),
            )
            for start in sorted(counts)
        ],
        currency=scope.currency,
    )
