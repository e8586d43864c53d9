"""Time-based triggers as SQL: which subjects are due for a rule now, and the cause of each.

Each query returns (subject id, cause key, the time or date it hinges on) for subjects that meet
the rule's conditions and have no run under that key yet. The cause key is built here, in SQL,
and nowhere else, so the NOT EXISTS below and the UNIQUE key of `automation_runs` agree:

- deal_idle / deal_rotting: one idle spell, keyed by its start (`idle:<UTC time>`);
- deal_close_date_passed: the close date (`close_date:<date>`), so a new date can fire again;
- task_overdue: the task and its due time (`overdue:<task id>:<UTC time>`);
- renewal_due: the contract end date (`renewal:<date>`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, Select, String, and_, cast, column, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automations.conditions import all_of
from domain.automations.durations import parse_duration
from domain.automations.firing import SubjectType
from domain.automations.schemas import (
    DealCloseDatePassed,
    DealIdle,
    DealRotting,
    RenewalDue,
    Rule,
    TaskOverdue,
)
from domain.deal_signals import idle_since
from domain.models import Activity, Automation, AutomationRun, Deal, Stage

UTC_TEXT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
# Read through a plain column: the ORM model maps it once the after-sale work exposes it.
CONTRACT_END = column("contract_end_date", Date)


@dataclass(frozen=True)
class Candidate:
    subject_type: SubjectType
    subject_id: uuid.UUID
    cause_key: str
    at: datetime | date


def _utc(value: Any) -> Any:
    return func.to_char(func.timezone("UTC", value), UTC_TEXT)


def _not_fired(automation: Automation, subject_id: Any, key: Any) -> ColumnElement[bool]:
    return ~exists().where(
        AutomationRun.workspace_id == automation.workspace_id,
        AutomationRun.automation_id == automation.id,
        AutomationRun.subject_id == subject_id,
        AutomationRun.cause_key == key,
    )


def _open_deals(automation: Automation, rule: Rule, only: uuid.UUID | None) -> list[ColumnElement[bool]]:
    where = [
        Deal.workspace_id == automation.workspace_id,
        Deal.status == "open",
        all_of(Deal, rule.conditions),
    ]
    if only is not None:
        where.append(Deal.id == only)
    return where


def _idle_query(
    automation: Automation, rule: Rule, *, now: datetime, only: uuid.UUID | None
) -> Select[Any, Any, Any]:
    spells = (
        select(
            Deal.id.label("subject_id"),
            idle_since(now).label("since"),
            Stage.rotting_days.label("rotting_days"),
        )
        .join(Stage, (Stage.workspace_id == Deal.workspace_id) & (Stage.id == Deal.stage_id))
        .where(*_open_deals(automation, rule, only))
        .subquery()
    )
    if isinstance(rule.trigger, DealIdle):
        prefix, due = "idle:", spells.c.since <= now - parse_duration(rule.trigger.duration)
    else:  # rotting: past the stage's own limit
        prefix = "rotting:"
        due = and_(
            spells.c.rotting_days.is_not(None),
            spells.c.since <= now - func.make_interval(0, 0, 0, spells.c.rotting_days),
        )
    key = literal(prefix) + _utc(spells.c.since)
    return (
        select(spells.c.subject_id, key.label("cause_key"), spells.c.since.label("at"))
        .where(due, _not_fired(automation, spells.c.subject_id, key))
        .order_by(spells.c.since, spells.c.subject_id)
    )


def _close_date_query(
    automation: Automation, rule: Rule, *, today: date, only: uuid.UUID | None
) -> Select[Any, Any, Any]:
    key = literal("close_date:") + func.to_char(Deal.expected_close_date, "YYYY-MM-DD")
    return (
        select(Deal.id.label("subject_id"), key.label("cause_key"), Deal.expected_close_date.label("at"))
        .where(
            *_open_deals(automation, rule, only),
            Deal.expected_close_date < today,
            _not_fired(automation, Deal.id, key),
        )
        .order_by(Deal.expected_close_date, Deal.id)
    )


def _overdue_query(
    automation: Automation, rule: Rule, *, now: datetime, only: uuid.UUID | None
) -> Select[Any, Any, Any]:
    key = literal("overdue:") + cast(Activity.id, String) + literal(":") + _utc(Activity.due_at)
    where = [
        Activity.workspace_id == automation.workspace_id,
        Activity.type == "task",
        Activity.completed_at.is_(None),
        Activity.due_at <= now,
    ]
    if rule.conditions:
        where.append(all_of(Deal, rule.conditions))
    if only is not None:
        where.append(Activity.id == only)
    return (
        select(Activity.id.label("subject_id"), key.label("cause_key"), Activity.due_at.label("at"))
        .outerjoin(Deal, (Deal.workspace_id == Activity.workspace_id) & (Deal.id == Activity.deal_id))
        .where(*where, _not_fired(automation, Activity.id, key))
        .order_by(Activity.due_at, Activity.id)
    )


def _renewal_query(
    automation: Automation, rule: Rule, *, today: date, horizon: date, only: uuid.UUID | None
) -> Select[Any, Any, Any]:
    key = literal("renewal:") + func.to_char(CONTRACT_END, "YYYY-MM-DD")
    where = [
        Deal.workspace_id == automation.workspace_id,
        Deal.status != "lost",
        all_of(Deal, rule.conditions),
        CONTRACT_END >= today,
        CONTRACT_END <= horizon,
    ]
    if only is not None:
        where.append(Deal.id == only)
    return (
        select(Deal.id.label("subject_id"), key.label("cause_key"), CONTRACT_END.label("at"))
        .select_from(Deal)
        .where(*where, _not_fired(automation, Deal.id, key))
        .order_by(CONTRACT_END, Deal.id)
    )


async def due_candidates(
    session: AsyncSession,
    automation: Automation,
    rule: Rule,
    *,
    now: datetime,
    today: date,
    limit: int,
    only: uuid.UUID | None = None,
) -> list[Candidate]:
    """Subjects this time-based rule should fire on now, oldest cause first."""
    trigger = rule.trigger
    subject_type: SubjectType = "deal"
    if isinstance(trigger, DealIdle | DealRotting):
        query = _idle_query(automation, rule, now=now, only=only)
    elif isinstance(trigger, DealCloseDatePassed):
        query = _close_date_query(automation, rule, today=today, only=only)
    elif isinstance(trigger, TaskOverdue):
        query, subject_type = _overdue_query(automation, rule, now=now, only=only), "activity"
    elif isinstance(trigger, RenewalDue):
        # A duration in hours still reaches whole dates: a contract ends on a day.
        horizon = today + timedelta(days=parse_duration(trigger.duration).days)
        query = _renewal_query(automation, rule, today=today, horizon=horizon, only=only)
    else:
        return []
    rows = await session.execute(query.limit(limit))
    return [Candidate(subject_type, r.subject_id, r.cause_key, r.at) for r in rows]
