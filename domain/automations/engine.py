"""Firing a rule: once per subject and cause, with what it did and why written down.

`fire` claims the run's UNIQUE key with `INSERT ... ON CONFLICT DO NOTHING RETURNING` in the
caller's transaction, then runs the actions in that same transaction. Whoever inserts the row
acts; a second delivery of the job, or an overlapping sweep, inserts nothing and does nothing
(a racing insert waits for the first transaction and then finds the row). Each action runs in a
savepoint: one that the domain refuses (a lost stage missing, a member gone) is recorded as
failed and the others still happen. Anything unexpected rolls the whole firing back, so it is
tried again by the next delivery or sweep.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automations.actions import run_action
from domain.automations.conditions import all_of
from domain.automations.firing import ActionResult, Cause, Firing, Subject, SubjectType, links_of
from domain.automations.schemas import Rule
from domain.errors import DomainError
from domain.models import Activity, Automation, AutomationRun, Contact, Deal, DealContact, Stage, User
from domain.money import format_amount
from domain.principal import ADMIN, Principal


def parse_rule(automation: Automation) -> Rule:
    return Rule.model_validate(
        {"trigger": automation.trigger, "conditions": automation.conditions, "actions": automation.actions}
    )


def automation_principal(automation: Automation) -> Principal:
    """An automation acts as itself: its id is the actor id on timelines, history and events."""
    return Principal(
        workspace_id=automation.workspace_id,
        user_id=automation.id,
        role=ADMIN,
        kind="automation",
        name=automation.name,
    )


async def enabled_automations(
    session: AsyncSession, workspace_id: uuid.UUID, trigger_types: Sequence[str]
) -> list[Automation]:
    """Enabled rules of these kinds, oldest first; FOR SHARE so none is deleted mid-firing."""
    return list(
        (
            await session.execute(
                select(Automation)
                .where(
                    Automation.workspace_id == workspace_id,
                    Automation.enabled.is_(True),
                    Automation.trigger_type.in_(list(trigger_types)),
                )
                .order_by(Automation.created_at, Automation.id)
                .with_for_update(read=True)
            )
        ).scalars()
    )


async def enabled_automation(
    session: AsyncSession, workspace_id: uuid.UUID, automation_id: uuid.UUID
) -> Automation | None:
    return await session.scalar(
        select(Automation)
        .where(
            Automation.workspace_id == workspace_id,
            Automation.id == automation_id,
            Automation.enabled.is_(True),
        )
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )


async def load_subject(
    session: AsyncSession, workspace_id: uuid.UUID, subject_type: SubjectType, subject_id: uuid.UUID
) -> Subject | None:
    if subject_type == "contact":
        contact = await session.scalar(
            select(Contact).where(
                Contact.workspace_id == workspace_id,
                Contact.id == subject_id,
                Contact.merged_into_id.is_(None),
            )
        )
        return Subject("contact", subject_id, contact=contact) if contact else None
    task = None
    deal_id: uuid.UUID | None = subject_id
    if subject_type == "activity":
        task = await session.scalar(
            select(Activity).where(Activity.workspace_id == workspace_id, Activity.id == subject_id)
        )
        if task is None:
            return None
        deal_id = task.deal_id
    deal = None
    if deal_id is not None:
        deal = await session.scalar(select(Deal).where(Deal.workspace_id == workspace_id, Deal.id == deal_id))
    if deal is None and task is None:
        return None
    return Subject(subject_type, subject_id, deal=deal, task=task)


async def matches(session: AsyncSession, workspace_id: uuid.UUID, rule: Rule, subject: Subject) -> bool:
    """The rule's conditions hold for the subject now (one row through the SQL the sweeps use)."""
    if not rule.conditions:
        return True
    model: type[Deal] | type[Contact]
    if subject.contact is not None:
        model, record_id = Contact, subject.contact.id
    elif subject.deal is not None:
        model, record_id = Deal, subject.deal.id
    else:
        return False
    found = await session.scalar(
        select(func.count())
        .select_from(model)
        .where(model.workspace_id == workspace_id, model.id == record_id, all_of(model, rule.conditions))
    )
    return bool(found)


async def template_values(session: AsyncSession, subject: Subject) -> dict[str, str]:
    """The values `{deal.title}` and friends stand for; absent ones render empty."""
    values: dict[str, str] = {}
    deal, contact, task = subject.deal, subject.contact, subject.task
    if deal is not None:
        values.update(
            {
                "deal.title": deal.title,
                "deal.currency": deal.currency,
                "deal.source": deal.source or "",
                "deal.amount": format_amount(deal.amount, deal.currency) or "",
                "deal.expected_close_date": deal.expected_close_date.isoformat()
                if deal.expected_close_date
                else "",
            }
        )
        stage = await session.get(Stage, deal.stage_id)
        if stage is not None:
            values["stage.name"] = stage.name
            values["stage.rotting_days"] = str(stage.rotting_days or "")
        if contact is None:
            contact = await session.scalar(
                select(Contact)
                .join(DealContact, DealContact.contact_id == Contact.id)
                .where(DealContact.workspace_id == deal.workspace_id, DealContact.deal_id == deal.id)
                .order_by(DealContact.position)
                .limit(1)
            )
    if task is not None:
        values["task.subject"] = task.subject
    if contact is not None:
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
        values["contact.name"] = name or contact.email or ""
        values["contact.email"] = contact.email or ""
    if subject.owner_id is not None:
        values["owner.name"] = (
            await session.scalar(select(User.name).where(User.id == subject.owner_id)) or ""
        )
    return values


def _outcome(results: Sequence[ActionResult]) -> str:
    statuses = {r.status for r in results}
    if "failed" in statuses:
        return "failed" if statuses == {"failed"} else "partial"
    return "skipped" if statuses == {"skipped"} else "succeeded"


async def fire(
    session: AsyncSession,
    *,
    automation: Automation,
    rule: Rule,
    subject: Subject,
    cause: Cause,
    now: datetime,
) -> uuid.UUID | None:
    """Claim the run and act; None when this subject and cause already fired for this rule."""
    run_id: uuid.UUID | None = await session.scalar(
        insert(AutomationRun)
        .values(
            id=uuid.uuid4(),
            workspace_id=automation.workspace_id,
            automation_id=automation.id,
            subject_type=subject.type,
            subject_id=subject.id,
            cause_key=cause.key,
            trigger_type=rule.trigger.type,
            cause=cause.data,
            reason=cause.reason,
            outcome="running",
            actions=[],
            fired_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "automation_id", "subject_id", "cause_key"])
        .returning(AutomationRun.id)
    )
    if run_id is None:
        return None
    values = await template_values(session, subject)
    deal_id, links = (subject.deal.id if subject.deal else None), links_of(subject)
    results: list[ActionResult] = []
    for index, action in enumerate(rule.actions):
        firing = Firing(
            session=session,
            automation=automation,
            principal=automation_principal(automation),
            subject=subject,
            cause=cause,
            run_id=run_id,
            index=index,
            values=values,
            now=now,
            deal_id=deal_id,
            links=links,
        )
        try:
            async with session.begin_nested():
                results.append(await run_action(firing, action))
        except DomainError as exc:
            results.append(ActionResult(action.type, "failed", exc.detail))
    await session.execute(
        update(AutomationRun)
        .where(AutomationRun.workspace_id == automation.workspace_id, AutomationRun.id == run_id)
        .values(outcome=_outcome(results), actions=[r.as_json() for r in results])
    )
    return run_id
