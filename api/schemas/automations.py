"""Automation shapes: a rule (trigger, conditions, actions typed by `type`) and its runs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn
from domain.automations.engine import parse_rule
from domain.automations.schemas import Action, Condition, Trigger
from domain.models import Automation, AutomationRun


class AutomationIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    trigger: Trigger
    conditions: list[Condition] = Field(
        default_factory=list, max_length=20, description="All must hold (over the deal, or the contact)."
    )
    actions: list[Action] = Field(min_length=1, max_length=10, description="Run in order.")


class AutomationPatch(StrictIn):
    """JSON merge-patch: a field left out is unchanged; `conditions: null` clears them."""

    name: str | None = Field(None, min_length=1, max_length=200)
    enabled: bool | None = None
    trigger: Trigger | None = None
    conditions: list[Condition] | None = Field(None, max_length=20)
    actions: list[Action] | None = Field(None, min_length=1, max_length=10)


class AutomationOut(Out):
    id: uuid.UUID
    name: str
    enabled: bool
    trigger: Trigger
    conditions: list[Condition]
    actions: list[Action]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, automation: Automation) -> AutomationOut:
        rule = parse_rule(automation)
        return cls(
            id=automation.id,
            name=automation.name,
            enabled=automation.enabled,
            trigger=rule.trigger,
            conditions=rule.conditions,
            actions=rule.actions,
            version=automation.version,
            created_at=automation.created_at,
            updated_at=automation.updated_at,
        )


class RunActionOut(Out):
    type: str
    status: Literal["done", "skipped", "failed"]
    detail: str = Field(description="What it did, or why it did not, in words.")
    data: dict[str, Any] = Field(
        description="Ids of what it made or changed (`activity_id`, `deal_id`, ...)."
    )


class AutomationRunOut(Out):
    """One firing: when, on what, for which cause, and what each action did."""

    id: uuid.UUID
    automation_id: uuid.UUID
    fired_at: datetime
    trigger_type: str
    subject_type: Literal["deal", "contact", "activity"]
    subject_id: uuid.UUID
    cause_key: str = Field(
        description="What it fired for, once: `stage_entry:<history id>`, `idle:<spell start>`, "
        "`close_date:<date>`, `overdue:<task id>:<due time>`, `renewal:<date>`, `event:<event id>`."
    )
    cause: dict[str, Any]
    reason: str = Field(description="Why it fired, in words.")
    outcome: Literal["succeeded", "partial", "failed", "skipped", "running"]
    actions: list[RunActionOut]

    @classmethod
    def of(cls, run: AutomationRun) -> AutomationRunOut:
        return cls.model_validate(run)
