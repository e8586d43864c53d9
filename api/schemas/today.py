"""The Today view and a deal's next actions: what to do, and why in words and as data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from api.schemas.activities import ActivityOut
from api.schemas.commitments import CommitmentOut
from api.schemas.common import Out
from api.schemas.deals import DealOut
from domain.deal_signals import Reason
from domain.next_actions import NextAction
from domain.today import DealItem, TodayView


class ReasonOut(Out):
    code: str = Field(
        description="`idle`, `close_date_passed`, `no_next_step`, `amount_decreased`, `commitment_overdue`; "
        "next actions add `no_meeting`, `proposal_no_follow_up`, `champion_silent`; `commitment_overdue` "
        "data: `{commitment_ids, count, oldest_due_date, days_overdue}`."
    )
    text: str = Field(examples=["no activity for 12 days; deals in this stage usually move within 5"])
    data: dict[str, Any]

    @classmethod
    def of(cls, reason: Reason) -> ReasonOut:
        return cls(code=reason.code, text=reason.text, data=reason.data)


class DealWithReasons(Out):
    deal: DealOut
    reasons: list[ReasonOut]

    @classmethod
    def of(cls, item: DealItem) -> DealWithReasons:
        return cls(deal=DealOut.of(item.record), reasons=[ReasonOut.of(r) for r in item.reasons])


class TodayOut(Out):
    date: dt.date = Field(description="Today in `timezone`.")
    timezone: str = Field(description="The member's time zone, else the workspace's.")
    overdue_tasks: list[ActivityOut] = Field(description="Open, due before today began; most urgent first.")
    due_today: list[ActivityOut] = Field(description="Open, due today; most valuable first.")
    follow_ups: list[DealWithReasons] = Field(description="Open deals with no scheduled next step.")
    at_risk: list[DealWithReasons]
    commitments_due: list[CommitmentOut] = Field(
        description="The member's open commitments due within 7 days or overdue; soonest first."
    )

    @classmethod
    def of(cls, view: TodayView) -> TodayOut:
        return cls(
            date=view.date,
            timezone=view.timezone,
            overdue_tasks=[ActivityOut.model_validate(a) for a in view.overdue_tasks],
            due_today=[ActivityOut.model_validate(a) for a in view.due_today],
            follow_ups=[DealWithReasons.of(i) for i in view.follow_ups],
            at_risk=[DealWithReasons.of(i) for i in view.at_risk],
            commitments_due=[CommitmentOut.model_validate(c) for c in view.commitments_due],
        )


class NextActionOut(Out):
    action: str = Field(examples=["follow_up_proposal"])
    text: str = Field(examples=["Follow up on the proposal"])
    reasons: list[ReasonOut]


class NextActionsOut(Out):
    items: list[NextActionOut]

    @classmethod
    def of(cls, actions: list[NextAction]) -> NextActionsOut:
        return cls(
            items=[
                NextActionOut(action=a.action, text=a.text, reasons=[ReasonOut.of(r) for r in a.reasons])
                for a in actions
            ]
        )
