"""The funnel of one pipeline: which stages deals entered, how far they got, and where they stalled.

Cohort: deals *created* in the period (after the owner filter), followed through their whole
stage history, however late the moves. A cohort by creation date lets every stage be compared
over the same deals; counting the moves that happened in the period instead would mix deals at
different ages and let a stage convert more deals than entered it.

- entered: deals with a stage_history row into the stage (created into it or moved into it). A
  deal that skipped the stage did not enter it.
- reached: deals that entered the stage or any later (by position) open or won stage.
- converted_to_next: of those, deals that reached the next open stage (the last open stage's next
  is the won stage); conversion_rate = converted_to_next / reached. Null for won and lost stages.
- days in stage: for each deal, the time from each entry into the stage to that deal's next entry
  (into any stage, in any pipeline); a deal still there counts up to now; a deal that came back
  adds its visits up. Median and 90th percentile over the deals that entered; null for won/lost.

Visits come from `stage_visits` (migration 0010: each stage_history entry with the time the deal
left, and the deal's created_at and owner, kept by triggers), so a cohort is one index range.
The SQL returns aggregates only: per-stage durations, and each distinct "path" (the set of
stages a deal entered plus the furthest position it got to) with how many deals took it. Paths
are few whatever the cohort's size, so reached/converted are summed over them here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Stage
from domain.reports.scope import ReportScope, days, ratio


@dataclass(frozen=True)
class FunnelStage:
    stage_id: uuid.UUID
    name: str
    kind: str
    position: int
    entered: int
    reached: int
    converted_to_next: int | None
    conversion_rate: float | None
    median_days_in_stage: float | None
    p90_days_in_stage: float | None


@dataclass(frozen=True)
class FunnelReport:
    pipeline_id: uuid.UUID
    stages: list[FunnelStage]


@dataclass(frozen=True)
class _Path:
    entered: frozenset[uuid.UUID]
    furthest: int | None  # highest position among the open/won stages entered
    deals: int

    def reaches(self, stage: Stage) -> bool:
        return stage.id in self.entered or (self.furthest is not None and self.furthest > stage.position)


# Each stage of the pipeline gets a bit (its index in board order), so a deal's path is a few
# bigint words, not an array of ids: 63 stages to a word (the sign bit is left alone).
_WORD_BITS = 63

# The cohort's visits are read once, in the order of ix_stage_visits_cohort (cohort date, then
# deal: migration 0110), and folded as they stream into one row per deal, no sort and no
# hash table: its path (a bit_or and a max, which a repeated visit does not change) and, per
# stage, its summed time there. Each stage's two percentiles then come from one sort of its own
# values (percentile_cont with an array). The stages are bound parameters compared in CASE and
# FILTER, cheaper per visit than a join or an array look-up. Intervals are summed (cheap,
# exact): EXTRACT(EPOCH FROM sum(...)) equals the sum of the EXTRACTs to the microsecond, as a
# time between entries is days and hours, never months.
_FUNNEL_SQL = """
WITH per_deal AS MATERIALIZED (
    SELECT {words}, {furthest} AS furthest{spent}
    FROM stage_visits v
    WHERE v.workspace_id = :ws AND v.pipeline_id = :pipeline_id
      AND v.deal_created_at >= :start AND v.deal_created_at < :end{owner}
      AND v.stage_id IN ({stage_ids})
    GROUP BY v.deal_created_at, v.deal_id
),
stats AS (
    SELECT {stats} FROM per_deal
)
SELECT x.bit, {no_words}, NULL::integer AS furthest, x.deals,
       x.days[1] AS median_days, x.days[2] AS p90_days
FROM stats, LATERAL (VALUES {per_stage}) AS x(bit, deals, days)
UNION ALL
SELECT NULL, {path_words}, p.furthest, count(*), NULL, NULL
FROM per_deal p GROUP BY {path_words}, p.furthest
"""


def _funnel_sql(owner: str, ordered: Sequence[Stage]) -> str:
    """The statement for these stages, bound as :s0, :s1... in board order."""
    count = max(1, -(-len(ordered) // _WORD_BITS))
    bits = range(len(ordered))

    def word(n: int) -> str:
        cases = " ".join(
            f"WHEN :s{k} THEN {1 << (k % _WORD_BITS)}::bigint" for k in bits if k // _WORD_BITS == n
        )
        return f"bit_or(CASE v.stage_id {cases} ELSE 0 END) AS w{n}"

    # The furthest open or won stage entered: lost stages give NULL, which max() skips.
    reached = " ".join(
        f"WHEN :s{k} THEN {int(s.position)}" for k, s in enumerate(ordered) if s.kind != "lost"
    )
    return _FUNNEL_SQL.format(
        owner=owner,
        words=", ".join(word(n) for n in range(count)),
        furthest=f"max(CASE v.stage_id {reached} END)" if reached else "NULL::integer",
        spent="".join(
            f",\n           EXTRACT(EPOCH FROM sum(COALESCE(v.left_at, :now) - v.entered_at)"
            f" FILTER (WHERE v.stage_id = :s{k})) / 86400 AS d{k}"
            for k in bits
        ),
        stage_ids=", ".join(f":s{k}" for k in bits),
        stats=",\n           ".join(
            f"count(d{k}) AS c{k}, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY d{k}) AS p{k}"
            for k in bits
        ),
        per_stage=", ".join(f"({k}, c{k}, p{k})" for k in bits),
        no_words=", ".join(f"NULL::bigint AS w{n}" for n in range(count)),
        path_words=", ".join(f"p.w{n}" for n in range(count)),
    )


def _entered(row: Any, ordered: Sequence[Stage]) -> frozenset[uuid.UUID]:
    return frozenset(
        stage.id
        for bit, stage in enumerate(ordered)
        if getattr(row, f"w{bit // _WORD_BITS}") >> (bit % _WORD_BITS) & 1
    )


def _next_stage(stage: Stage, ordered: Sequence[Stage]) -> Stage | None:
    """The next open stage by position; after the last open one, the (first) won stage."""
    later_open = [s for s in ordered if s.kind == "open" and s.position > stage.position]
    if later_open:
        return later_open[0]
    return next((s for s in ordered if s.kind == "won"), None)


async def funnel_report(session: AsyncSession, scope: ReportScope, *, pipeline_id: uuid.UUID) -> FunnelReport:
    ordered = list(
        (
            await session.scalars(
                select(Stage)
                .where(Stage.workspace_id == scope.workspace_id, Stage.pipeline_id == pipeline_id)
                .order_by(Stage.position, Stage.id)
            )
        ).all()
    )
    if not ordered:  # absent, or another workspace's: matches nothing
        return FunnelReport(pipeline_id=pipeline_id, stages=[])
    rows = (
        await session.execute(
            text(_funnel_sql(scope.owner_filter("v.owner_id"), ordered)),
            {
                **scope.params(),
                "pipeline_id": pipeline_id,
                **{f"s{k}": stage.id for k, stage in enumerate(ordered)},
            },
        )
    ).all()
    per_stage = {ordered[r.bit].id: r for r in rows if r.bit is not None and r.deals}
    paths = [
        _Path(entered=_entered(r, ordered), furthest=r.furthest, deals=r.deals) for r in rows if r.bit is None
    ]

    def reached(*stages: Stage) -> int:
        return sum(p.deals for p in paths if all(p.reaches(s) for s in stages))

    stages = []
    for stage in ordered:
        stats = per_stage.get(stage.id)
        is_open = stage.kind == "open"
        following = _next_stage(stage, ordered) if is_open else None
        reach = reached(stage)
        converted = reached(stage, following) if following is not None else None
        stages.append(
            FunnelStage(
                stage_id=stage.id,
                name=stage.name,
                kind=stage.kind,
                position=stage.position,
                entered=stats.deals if stats else 0,
                reached=reach,
                converted_to_next=converted,
                conversion_rate=ratio(converted, reach) if converted is not None else None,
                median_days_in_stage=days(stats.median_days) if stats and is_open else None,
                p90_days_in_stage=days(stats.p90_days) if stats and is_open else None,
            )
        )
    return FunnelReport(pipeline_id=pipeline_id, stages=stages)
