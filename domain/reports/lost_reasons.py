"""Lost reasons: why deals closed lost in the period were lost, and at which stage.

A deal's stage here is the one it was lost from: the stage it left when it entered its lost
stage (from the stage history); a deal created straight into a lost stage has none (null).
Money is in the workspace currency; other currencies are summed per code. Reasons are sorted
by count, then amount, then name; stages by count, then name.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports.scope import ReportScope, other_currencies, ratio

NO_REASON = "(none)"


@dataclass(frozen=True)
class ReasonCount:
    lost_reason: str
    count: int


@dataclass(frozen=True)
class LostReasonRow:
    lost_reason: str
    count: int
    share: float | None
    amount: str
    other_currencies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LostStageRow:
    stage_id: uuid.UUID | None
    stage: str | None
    count: int
    amount: str
    other_currencies: dict[str, str] = field(default_factory=dict)
    reasons: list[ReasonCount] = field(default_factory=list)


@dataclass(frozen=True)
class LostReasonsReport:
    currency: str
    lost_count: int
    reasons: list[LostReasonRow]
    stages: list[LostStageRow]


@dataclass
class _Tally:
    count: int = 0
    home: Decimal = Decimal(0)
    other: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _sql(scope: ReportScope) -> str:
    return f"""
        SELECT COALESCE(NULLIF(btrim(d.lost_reason), ''), '{NO_REASON}') AS reason,
               h.from_stage_id AS stage_id, s.name AS stage, d.currency,
               count(*) AS n, COALESCE(sum(d.amount), 0) AS amount
        FROM deals d
        LEFT JOIN LATERAL (
            SELECT sh.from_stage_id FROM stage_history sh
            WHERE sh.workspace_id = d.workspace_id AND sh.deal_id = d.id AND sh.to_stage_id = d.stage_id
            ORDER BY sh.at DESC LIMIT 1
        ) h ON true
        LEFT JOIN stages s ON s.workspace_id = d.workspace_id AND s.id = h.from_stage_id
        WHERE d.workspace_id = :ws AND d.status = 'lost'
          AND d.closed_at >= :start AND d.closed_at < :end{scope.deal_filters("d")}
        GROUP BY 1, 2, 3, 4
    """


async def lost_reasons_report(session: AsyncSession, scope: ReportScope) -> LostReasonsReport:
    rows = (await session.execute(text(_sql(scope)), scope.params())).all()
    by_reason: dict[str, _Tally] = defaultdict(_Tally)
    by_stage: dict[tuple[uuid.UUID | None, str | None], _Tally] = defaultdict(_Tally)
    for row in rows:
        for tally in (by_reason[row.reason], by_stage[(row.stage_id, row.stage)]):
            tally.count += row.n
            if row.currency == scope.currency:
                tally.home += Decimal(row.amount)
            else:
                tally.other[row.currency] += Decimal(row.amount)
        by_stage[(row.stage_id, row.stage)].reasons[row.reason] += row.n
    total = sum(t.count for t in by_reason.values())
    reasons = [
        LostReasonRow(
            lost_reason=reason,
            count=t.count,
            share=ratio(t.count, total),
            amount=scope.money(t.home),
            other_currencies=other_currencies(t.other),
        )
        for reason, t in sorted(by_reason.items(), key=lambda item: (-item[1].count, -item[1].home, item[0]))
    ]
    stages = [
        LostStageRow(
            stage_id=stage_id,
            stage=stage,
            count=t.count,
            amount=scope.money(t.home),
            other_currencies=other_currencies(t.other),
            reasons=[
                ReasonCount(reason, n) for reason, n in sorted(t.reasons.items(), key=lambda i: (-i[1], i[0]))
            ],
        )
        for (stage_id, stage), t in sorted(
            by_stage.items(), key=lambda item: (-item[1].count, item[0][1] or "")
        )
    ]
    return LostReasonsReport(currency=scope.currency, lost_count=total, reasons=reasons, stages=stages)


def lost_reasons_csv(report: LostReasonsReport) -> str:
    """One row per (stage lost from, reason): a table to pivot either way."""
    from domain.reports.csv_export import _typed, csv_text

    rows = [
        [
            stage.stage_id,
            _typed(stage.stage),
            _typed(reason.lost_reason),
            reason.count,
            report.currency,
        ]
        for stage in report.stages
        for reason in stage.reasons
    ]
    return csv_text(("stage_id", "stage", "lost_reason", "count", "currency"), rows)
