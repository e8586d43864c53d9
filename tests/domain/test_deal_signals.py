"""Idle reasons read the way a salesperson would say them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from domain.deal_signals import idle_reason
from domain.stage_norms import StageNorm

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _norm(days: float) -> StageNorm:
    return StageNorm(stage_id=uuid.uuid4(), days=days, source="history", spans=12)


def test_a_stage_whose_deals_moved_within_minutes_does_not_make_every_deal_idle() -> None:
    quick = _norm(0.01)
    assert idle_reason(NOW - timedelta(hours=5), NOW, quick) is None
    reason = idle_reason(NOW - timedelta(days=2), NOW, quick)
    assert reason is not None and reason.text.startswith("no activity for 2 days")


def test_idle_beyond_the_stages_usual_time() -> None:
    assert idle_reason(NOW - timedelta(days=3), NOW, _norm(4)) is None
    reason = idle_reason(NOW - timedelta(days=9), NOW, _norm(4))
    assert reason is not None and reason.code == "idle" and reason.data["idle_days"] == 9
    assert "usually move within 4" in reason.text
