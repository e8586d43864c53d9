"""How long deals usually stay in a stage: the median of the workspace's own stage history.

A span is a deal's time in a stage until it moved on (deals still in the stage are not yet a
finished span). With fewer than MIN_SPANS finished spans in the last year the median says little,
so the stage's `rotting_days` stands in; with neither, there is no norm.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Stage

MIN_SPANS = 5
HISTORY_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class StageNorm:
    stage_id: uuid.UUID
    days: float
    source: Literal["history", "rotting_days"]
    spans: int


_MEDIANS = text(
    """
    WITH spans AS (
        SELECT h.to_stage_id AS stage_id, h.at AS entered_at,
               lead(h.at) OVER (PARTITION BY h.deal_id ORDER BY h.at, h.id) - h.at AS spent
        FROM stage_history h
        WHERE h.workspace_id = :ws
          AND h.deal_id IN (SELECT DISTINCT deal_id FROM stage_history
                            WHERE workspace_id = :ws AND to_stage_id = ANY(:stages) AND at >= :since)
    )
    SELECT stage_id, count(*) AS spans,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM spent)) / 86400 AS median_days
    FROM spans
    WHERE spent IS NOT NULL AND stage_id = ANY(:stages) AND entered_at >= :since
    GROUP BY stage_id
    """
)


async def stage_norms(
    session: AsyncSession, workspace_id: uuid.UUID, stage_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, StageNorm]:
    wanted = list(dict.fromkeys(stage_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        _MEDIANS, {"ws": workspace_id, "stages": wanted, "since": now - HISTORY_WINDOW}
    )
    medians = {r.stage_id: (float(r.median_days), int(r.spans)) for r in rows if r.spans >= MIN_SPANS}
    limits = await session.execute(
        select(Stage.id, Stage.rotting_days).where(Stage.workspace_id == workspace_id, Stage.id.in_(wanted))
    )
    rotting = {stage_id: days for stage_id, days in limits.all()}
    norms: dict[uuid.UUID, StageNorm] = {}
    for stage_id in wanted:
        if stage_id in medians:
            days, spans = medians[stage_id]
            norms[stage_id] = StageNorm(stage_id, days, "history", spans)
        elif rotting.get(stage_id):
            norms[stage_id] = StageNorm(stage_id, float(rotting[stage_id] or 0), "rotting_days", 0)
    return norms
