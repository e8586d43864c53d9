"""The summary of a period: what closed, what was won, what came in, and how long closing took.

- won_count / lost_count: deals closed (closed_at) in the period, by status; counts include every
  currency. win_rate = won / (won + lost), null when nothing closed.
- won_amount and avg_deal_size: won deals in the workspace currency only (average over those with
  an amount); won amounts in other currencies are listed per currency in `other_currencies`.
- new_deals: deals created in the period; new_contacts: contacts created in the period (merged-away
  duplicates are not counted twice). `pipeline_id` does not apply to contacts; `owner_id` does.
- avg/median_days_to_close: won deals closed in the period, from first contact (see closing.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports.closing import closed_deals_sql, won_cycles_sql
from domain.reports.scope import ReportScope, days, other_currencies, ratio


@dataclass(frozen=True)
class SummaryReport:
    won_count: int
    won_amount: str
    lost_count: int
    win_rate: float | None
    new_deals: int
    new_contacts: int
    avg_deal_size: str | None
    avg_days_to_close: float | None
    median_days_to_close: float | None
    currency: str
    other_currencies: dict[str, str] = field(default_factory=dict)


async def summary_report(session: AsyncSession, scope: ReportScope) -> SummaryReport:
    params = scope.params()
    closed = (
        await session.execute(
            text(f"""
                SELECT c.status, c.currency, count(*) AS n, sum(c.amount) AS total,
                       avg(c.amount) AS average
                FROM ({closed_deals_sql(scope)}) c
                GROUP BY c.status, c.currency
            """),
            params,
        )
    ).all()
    won_count = sum(r.n for r in closed if r.status == "won")
    lost_count = sum(r.n for r in closed if r.status == "lost")
    home = next((r for r in closed if r.status == "won" and r.currency == scope.currency), None)
    others = {r.currency: r.total for r in closed if r.status == "won" and r.currency != scope.currency}

    cycle = (
        await session.execute(
            text(f"""
                SELECT avg(w.days_to_close) AS average,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY w.days_to_close) AS median
                FROM ({won_cycles_sql(scope)}) w
            """),
            params,
        )
    ).one()
    new = (
        await session.execute(
            text(f"""
                SELECT
                  (SELECT count(*) FROM deals d
                    WHERE d.workspace_id = :ws AND d.created_at >= :start AND d.created_at < :end
                    {scope.deal_filters("d")}) AS deals,
                  (SELECT count(*) FROM contacts c
                    WHERE c.workspace_id = :ws AND c.created_at >= :start AND c.created_at < :end
                      AND c.merged_into_id IS NULL{scope.owner_filter("c.owner_id")}) AS contacts
            """),
            params,
        )
    ).one()
    return SummaryReport(
        won_count=won_count,
        won_amount=scope.money(home.total if home else None),
        lost_count=lost_count,
        win_rate=ratio(won_count, won_count + lost_count),
        new_deals=new.deals,
        new_contacts=new.contacts,
        avg_deal_size=scope.optional_money(home.average if home else None),
        avg_days_to_close=days(cycle.average),
        median_days_to_close=days(cycle.median),
        currency=scope.currency,
        other_currencies=other_currencies({k: v or Decimal(0) for k, v in others.items()}),
    )
