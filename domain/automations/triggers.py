"""Event triggers: outbox handlers that fire rules when a deal is created or enters a stage, or a
contact arrives from a form.

They run in the worker inside the event's transaction (`domain.outbox.process_event`), so the
firing, its actions and the event's `processed_at` commit together. The cause of a stage entry
is its `stage_history` row, of anything else the event itself.

`contact.created_from_form` is emitted by the forms concern (subject: the contact; payload: the
contact as the API shows it, optionally with `form_id` and `form_name`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import outbox
from domain.automations.engine import enabled_automations, fire, load_subject, matches, parse_rule
from domain.automations.firing import Cause, Subject, SubjectType
from domain.automations.schemas import ContactCreatedFromForm, DealCreated, DealStageEntered, Trigger
from domain.models import OutboxEvent, Stage, StageChange

CONTACT_FROM_FORM = "contact.created_from_form"
TRIGGERS_BY_EVENT = {
    "deal.created": ("deal_created", "deal_stage_entered"),
    "deal.stage_changed": ("deal_stage_entered",),
    CONTACT_FROM_FORM: ("contact_created_from_form",),
}


async def _stage_entry(session: AsyncSession, event: OutboxEvent, stage_id: uuid.UUID) -> Cause:
    """The history row the event announced (same deal, stage and time), or the event as a fallback."""
    entry = await session.scalar(
        select(StageChange.id)
        .where(
            StageChange.workspace_id == event.workspace_id,
            StageChange.deal_id == event.subject_id,
            StageChange.to_stage_id == stage_id,
            StageChange.at == event.created_at,
        )
        .order_by(StageChange.id)
        .limit(1)
    )
    name = await session.scalar(
        select(Stage.name).where(Stage.workspace_id == event.workspace_id, Stage.id == stage_id)
    )
    key = f"stage_entry:{entry}" if entry else f"event:{event.id}"
    return Cause(
        key,
        f"the deal entered {name or 'the stage'}",
        {
            "stage_id": str(stage_id),
            "stage_history_id": str(entry) if entry else None,
            "event_id": str(event.id),
            "entered_at": event.created_at.isoformat(),
        },
    )


async def _cause(session: AsyncSession, event: OutboxEvent, trigger: Trigger) -> Cause | None:
    if isinstance(trigger, DealCreated) and event.type == "deal.created":
        return Cause(f"event:{event.id}", "the deal was created", {"event_id": str(event.id)})
    if isinstance(trigger, DealStageEntered):
        # The payload is the deal as it was when it moved: later moves do not change this entry.
        if str(event.payload.get("stage_id")) != str(trigger.stage_id):
            return None
        return await _stage_entry(session, event, trigger.stage_id)
    if isinstance(trigger, ContactCreatedFromForm) and event.type == CONTACT_FROM_FORM:
        form = event.payload.get("form_name")
        reason = (
            f"the contact was created from the form {form!r}"
            if form
            else "the contact was created from a form"
        )
        return Cause(
            f"event:{event.id}", reason, {"event_id": str(event.id), "form_id": event.payload.get("form_id")}
        )
    return None


async def _subject(session: AsyncSession, event: OutboxEvent) -> Subject | None:
    subject_id = event.subject_id or uuid.UUID(str(event.payload.get("id")))
    kind: SubjectType = "contact" if event.type == CONTACT_FROM_FORM else "deal"
    return await load_subject(session, event.workspace_id, kind, subject_id)


async def fire_for_event(session: AsyncSession, event: OutboxEvent, now: datetime) -> int:
    """Fire every enabled rule this event triggers; returns how many fired."""
    fired = 0
    for automation in await enabled_automations(
        session, event.workspace_id, TRIGGERS_BY_EVENT.get(event.type, ())
    ):
        rule = parse_rule(automation)
        cause = await _cause(session, event, rule.trigger)
        if cause is None:
            continue
        # Loaded afresh for each rule: an earlier rule's actions may have changed it.
        subject = await _subject(session, event)
        if subject is None:  # deleted (or merged away) before the worker got to it
            return fired
        if not await matches(session, event.workspace_id, rule, subject):
            continue
        if await fire(session, automation=automation, rule=rule, subject=subject, cause=cause, now=now):
            fired += 1
    return fired


@outbox.on("deal.created")
@outbox.on("deal.stage_changed")
@outbox.on(CONTACT_FROM_FORM)
async def _on_event(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    await fire_for_event(session, event, now)
