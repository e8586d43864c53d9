"""Sources: which channels bring leads, deals and won business.

Per source (a blank or missing source reads "unknown"):
- leads: contacts created in the period, by the contact's source (owner filter: contact owner);
- deals: deals created in the period, by the deal's own source;
- won_count / lost_count / win_rate: deals closed in the period, by the deal's source;
- won_amount: won in the workspace currency (other currencies per code in `other_currencies`);
- avg_days_to_close: won deals closed in the period, from first contact (see closing.py).
Sorted by won amount, then deals, then leads (largest first), then name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports.closing import closed_deals_sql, won_cycles_sql
from domain.reports.scope import ReportScope, days, other_currencies, ratio

UNKNOWN = "unknown"


def _source(column: str) -> str:
    return f"COALESCE(NULLIF(btrim({column}), ''), '{UNKNOWN}')"


@dataclass(frozen=True)
class SourceRow:
    source: str
    leads: int
    deals: int
    won_count: int
    lost_count: int
    won_amount: str
    win_rate: float | None
    avg_days_to_close: float | None
    other_currencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SourcesReport:
    sources: list[SourceRow]
    currency: str


@dataclass
class _Tally:
    leads: int = 0
    deals: int = 0
    won: int = 0
    lost: int = 0
    won_home: Decimal = Decimal(0)
    won_other: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    avg_days: float | None = None


async def sources_report(session: AsyncSession, scope: ReportScope) -> SourcesReport:
    params = scope.params()
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    created = await session.execute(
        text(f"""
            SELECT 'lead' AS kind, {_source("c.source")} AS source, count(*) AS n
            FROM contacts c
            WHERE c.workspace_id = :ws AND c.created_at >= :start AND c.created_at < :end
              AND c.merged_into_id IS NULL{scope.owner_filter("c.owner_id")}
            GROUP BY 2
            UNION ALL
            SELECT 'deal', {_source("d.source")}, count(*)
            FROM deals d
            WHERE d.workspace_id = :ws AND d.created_at >= :start AND d.created_at < :end
            {scope.deal_filters("d")}
            GROUP BY 2
        """),
        params,
    )
    for row in created:
        tally = tallies[row.source]
        if row.kind == "lead":
            tally.leads = row.n
        else:
            tally.deals = row.n

    closed = await session.execute(
        text(f"""
            SELECT {_source("c.source")} AS source, c.status, c.currency, count(*) AS n,
                   COALESCE(sum(c.amount), 0) AS total
            FROM ({closed_deals_sql(scope)}) c
            GROUP BY 1, 2, 3
        """),
        params,
    )
    for row in closed:
        tally = tallies[row.source]
        if row.status == "lost":
            tally.lost += row.n
            continue
        tally.won += row.n
        if row.currency == scope.currency:
            tally.won_home += row.total
        else:
            tally.won_other[row.currency] += row.total

    cycles = await session.execute(
        text(f"""
            SELECT {_source("w.source")} AS source, avg(w.days_to_close) AS average
            FROM ({won_cycles_sql(scope)}) w
            GROUP BY 1
        """),
        params,
    )
    for row in cycles:
        tallies[row.source].avg_days = row.average

    rows = [
        SourceRow(
            source=name,
            leads=t.leads,
            deals=t.deals,
            won_count=t.won,
            lost_count=t.lost,
            won_amount=scope.money(t.won_home),
            win_rate=ratio(t.won, t.won + t.lost),
            avg_days_to_close=days(t.avg_days),
            other_currencies=other_currencies(dict(t.won_other)),
        )
        for name, t in tallies.items()
    ]
    rows.sort(key=lambda r: (-Decimal(r.won_amount), -r.deals, -r.leads, r.source))
    return SourcesReport(sources=rows, currency=scope.currency)
