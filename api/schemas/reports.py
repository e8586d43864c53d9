"""Report shapes. Money is a decimal string in the workspace currency (`currency`); rates are 0..1
(4 places) and days are fractional days (2 places), null when there is nothing to measure.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Out

Interval = Literal["week", "month"]
ReportFormat = Literal["json", "csv"]

OTHER_CURRENCIES = "Sums in other currencies than the workspace's, per ISO 4217 code, excluded above."


class PeriodOut(BaseModel):
    """The period a report covers, in the workspace's time zone (both days inclusive)."""

    from_: date = Field(alias="from")
    to: date
    timezone: str


class SummaryOut(Out):
    won_count: int
    won_amount: str
    lost_count: int
    win_rate: float | None = Field(description="won / (won + lost) among deals closed in the period")
    new_deals: int
    new_contacts: int
    avg_deal_size: str | None
    avg_days_to_close: float | None
    median_days_to_close: float | None
    currency: str
    other_currencies: dict[str, str] = Field(description=OTHER_CURRENCIES)
    period: PeriodOut


class FunnelStageOut(Out):
    stage_id: uuid.UUID
    name: str
    kind: Literal["open", "won", "lost"]
    position: int
    entered: int
    reached: int
    converted_to_next: int | None
    conversion_rate: float | None
    median_days_in_stage: float | None
    p90_days_in_stage: float | None


class FunnelOut(Out):
    pipeline_id: uuid.UUID
    stages: list[FunnelStageOut]
    period: PeriodOut


class SourceOut(Out):
    source: str
    leads: int
    deals: int
    won_count: int
    lost_count: int
    won_amount: str
    win_rate: float | None
    avg_days_to_close: float | None
    other_currencies: dict[str, str] = Field(description=OTHER_CURRENCIES)


class SourcesOut(Out):
    sources: list[SourceOut]
    currency: str
    period: PeriodOut


class ForecastMonthOut(Out):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-04"])
    weighted: str | None = Field(description="Null for a past month")
    best_case: str | None
    commit: str | None
    closed_won: str
    forecast_at_start: str | None = Field(
        description="The weighted figure recorded when the month began; null without a snapshot"
    )
    other_currencies: dict[str, str] = Field(description="Open pipeline (best case) in other currencies")


class ForecastOut(Out):
    months: list[ForecastMonthOut]
    currency: str
    commit_probability: int


class ActivityRowOut(Out):
    period_start: date
    owner_id: uuid.UUID | None
    owner_name: str | None
    calls: int
    emails: int
    meetings: int
    notes: int
    tasks_completed: int
    deals_moved: int


class ActivityOut(Out):
    group: Interval
    rows: list[ActivityRowOut]
    period: PeriodOut


class WonPointOut(Out):
    period_start: date
    won_count: int
    won_amount: str
    other_currencies: dict[str, str] = Field(description=OTHER_CURRENCIES)


class WonOverTimeOut(Out):
    interval: Interval
    points: list[WonPointOut]
    currency: str
    period: PeriodOut


class ReasonCountOut(Out):
    lost_reason: str
    count: int


class LostReasonRowOut(Out):
    lost_reason: str = Field(description='The deal\'s lost_reason; "(none)" for deals lost without one.')
    count: int
    share: float | None = Field(description="Of all deals lost in the period (0..1)")
    amount: str
    other_currencies: dict[str, str] = Field(description=OTHER_CURRENCIES)


class LostStageRowOut(Out):
    stage_id: uuid.UUID | None = Field(description="The stage the deals were lost from; null: created lost")
    stage: str | None
    count: int
    amount: str
    other_currencies: dict[str, str] = Field(description=OTHER_CURRENCIES)
    reasons: list[ReasonCountOut]


class LostReasonsOut(Out):
    period: PeriodOut
    currency: str
    lost_count: int
    reasons: list[LostReasonRowOut]
    stages: list[LostStageRowOut]
