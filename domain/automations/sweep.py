"""The sweep: time-based rules and reminders, evaluated at `now` (from the one clock, passed in).

Per workspace: find each enabled time-based rule's due subjects, then fire each in a transaction
of its own, re-checking it there (the deal may have been touched since). A crash loses at most
the firing in flight, which rolled back and is found again by the next sweep; a sweep that
overlaps another fires nothing twice, because both claim the same UNIQUE run key. A batch limit
keeps a job short; what is left is found by the next tick.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy import select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.automations.candidates import Candidate, due_candidates
from domain.automations.engine import enabled_automation, enabled_automations, fire, load_subject, parse_rule
from domain.automations.firing import Cause
from domain.automations.reminders import REMINDER_LOOKBACK, due_reminders_filter, send_due_reminders
from domain.automations.schemas import SWEPT_TRIGGERS, Rule
from domain.db import workspace_transaction
from domain.models import Activity, Automation, Workspace

log = structlog.get_logger("rapport.automations")

SWEEP_BATCH = 200


@dataclass
class SweepResult:
    fired: int = 0
    reminders: int = 0

    def __iadd__(self, other: SweepResult) -> SweepResult:
        self.fired += other.fired
        self.reminders += other.reminders
        return self


async def workspace_today(session: AsyncSession, workspace_id: uuid.UUID, now: datetime) -> date:
    """Today's date where the workspace is (its time zone; UTC if unknown)."""
    name = await session.scalar(select(Workspace.timezone).where(Workspace.id == workspace_id))
    try:
        zone = ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def _reason(rule: Rule, candidate: Candidate, now: datetime) -> str:
    trigger = rule.trigger.type
    if trigger in ("deal_idle", "deal_rotting") and isinstance(candidate.at, datetime):
        days = (now - candidate.at).days
        since = f"no stage change or activity by a person for {days} day{'s' if days != 1 else ''}"
        return f"{since}, past its stage's rotting limit" if trigger == "deal_rotting" else since
    if trigger == "deal_close_date_passed":
        return f"its expected close date {candidate.at.isoformat()[:10]} has passed"
    if trigger == "task_overdue":
        return f"the task was due {candidate.at.isoformat()}"
    return f"its contract ends on {candidate.at.isoformat()[:10]}"


async def _fire_candidate(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    automation_id: uuid.UUID,
    candidate: Candidate,
    *,
    now: datetime,
    today: date,
) -> bool:
    # The rule as it is now: it may have been switched off or changed since the sweep began.
    automation = await enabled_automation(session, workspace_id, automation_id)
    if automation is None or automation.trigger_type not in SWEPT_TRIGGERS:
        return False
    rule = parse_rule(automation)
    again = await due_candidates(
        session, automation, rule, now=now, today=today, limit=1, only=candidate.subject_id
    )
    if not again or again[0].cause_key != candidate.cause_key:
        return False
    subject = await load_subject(
        session, automation.workspace_id, candidate.subject_type, candidate.subject_id
    )
    if subject is None:
        return False
    cause = Cause(
        candidate.cause_key,
        _reason(rule, candidate, now),
        {"trigger": rule.trigger.model_dump(mode="json"), "at": candidate.at.isoformat()},
    )
    return (
        await fire(session, automation=automation, rule=rule, subject=subject, cause=cause, now=now)
        is not None
    )


async def sweep_workspace(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    workspace_id: uuid.UUID,
    now: datetime,
    limit: int = SWEEP_BATCH,
) -> SweepResult:
    """Fire what is due in one workspace and send its due reminders."""
    result = SweepResult()
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        today = await workspace_today(session, workspace_id, now)
        plan: list[tuple[Automation, list[Candidate]]] = []
        for automation in await enabled_automations(session, workspace_id, SWEPT_TRIGGERS):
            found = await due_candidates(
                session, automation, parse_rule(automation), now=now, today=today, limit=limit
            )
            plan.append((automation, found))
    for automation, found in plan:
        for candidate in found:
            async with workspace_transaction(sessionmaker, workspace_id) as session:
                if await _fire_candidate(
                    session, workspace_id, automation.id, candidate, now=now, today=today
                ):
                    result.fired += 1
    result.reminders = await send_due_reminders(sessionmaker, workspace_id=workspace_id, now=now, limit=limit)
    if result.fired or result.reminders:
        log.info(
            "automations.swept",
            workspace_id=str(workspace_id),
            fired=result.fired,
            reminders=result.reminders,
        )
    return result


async def due_workspaces_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime
) -> list[uuid.UUID]:
    """Workspaces with an enabled time-based rule or a reminder coming due (on the connecting role)."""
    query = union(
        select(Automation.workspace_id).where(
            Automation.enabled.is_(True), Automation.trigger_type.in_(SWEPT_TRIGGERS)
        ),
        select(Activity.workspace_id).where(due_reminders_filter(now - REMINDER_LOOKBACK, now)),
    )
    async with sessionmaker() as session, session.begin():
        return list((await session.execute(query)).scalars())


async def run_due_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime
) -> tuple[int, SweepResult]:
    """What `rapport automations run-due` does: sweep every workspace that has something due."""
    total = SweepResult()
    workspaces = await due_workspaces_across_workspaces(sessionmaker, now=now)
    for workspace_id in workspaces:
        total += await sweep_workspace(sessionmaker, workspace_id=workspace_id, now=now)
    return len(workspaces), total
