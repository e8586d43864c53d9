"""What a rule can do, each through the same domain functions a person's request calls.

So a task an automation creates is an activity like any other (with `created_by_type`
"automation"), a deal it closes is moved by `move_deal` with its history row and events, and
every change is on the timeline with the automation as the actor. Each returns what it did, in
words and ids, for the run's record; a domain refusal raises and is recorded as failed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain import activities, contacts, deals, notifications
from domain.automations.durations import parse_duration
from domain.automations.firing import ActionResult, Firing
from domain.automations.schemas import (
    Action,
    AddTag,
    AssignOwner,
    CloseAsLost,
    CreateRenewalDeal,
    CreateTask,
    NotifyOwner,
    SendWebhook,
    render,
)
from domain.board import move_deal
from domain.models import Activity, AutomationRoundRobin, Contact, Deal, Membership, Stage
from domain.outbox import emit
from domain.principal import ADMIN
from domain.snapshots import snapshot

WEBHOOK_REQUESTED = "automation.webhook_requested"


async def member_ids(
    session: AsyncSession, workspace_id: uuid.UUID, wanted: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await session.execute(
        select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_(list(wanted))
        )
    )
    return set(rows.scalars())


async def _first_admin(session: AsyncSession, workspace_id: uuid.UUID) -> uuid.UUID | None:
    return await session.scalar(
        select(Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.role == ADMIN)
        .order_by(Membership.created_at, Membership.user_id)
        .limit(1)
    )


async def _current_owner(f: Firing) -> uuid.UUID | None:
    """The subject's owner as it is now (an earlier action of this firing may have changed it)."""
    model: type[Deal] | type[Contact] | type[Activity] = (
        Contact if f.subject.type == "contact" else Activity if f.subject.type == "activity" else Deal
    )
    owner: uuid.UUID | None = await f.session.scalar(
        select(model.owner_id).where(model.workspace_id == f.workspace_id, model.id == f.subject.id)
    )
    if owner is not None and await member_ids(f.session, f.workspace_id, [owner]):
        return owner
    return None


async def _owner_or_admin(f: Firing) -> tuple[uuid.UUID | None, str]:
    """Who gets the work: the owner, else (no owner) the workspace's first admin."""
    owner = await _current_owner(f)
    if owner is not None:
        return owner, "the owner"
    return await _first_admin(f.session, f.workspace_id), "an admin (the record has no owner)"


async def create_task(f: Firing, action: CreateTask) -> ActionResult:
    note, whom = "", ""
    assignee: uuid.UUID | None = None
    if action.assignee != "owner":
        member = uuid.UUID(str(action.assignee))
        if await member_ids(f.session, f.workspace_id, [member]):
            assignee, whom = member, "the chosen member"
        else:
            note = " (the chosen member has left the workspace)"
    if assignee is None:
        assignee, whom = await _owner_or_admin(f)
    subject = render(action.subject, f.values).strip() or "Follow up"
    task = await activities.create_activity(
        f.session,
        principal=f.principal,
        now=f.now,
        fields={
            "type": "task",
            "subject": subject[:500],
            "due_at": f.now + parse_duration(action.due_in),
            "owner_id": assignee,
            **f.links,
        },
    )
    return ActionResult(
        "create_task",
        "done",
        f"Created the task {subject!r} for {whom}{note}",
        {"activity_id": str(task.id), "owner_id": str(assignee) if assignee else None},
    )


async def notify_owner(f: Firing, action: NotifyOwner) -> ActionResult:
    owner, whom = await _owner_or_admin(f)
    if owner is None:
        return ActionResult("notify_owner", "skipped", "Nobody to notify")
    label = f.values.get("deal.title") or f.values.get("contact.name") or f.values.get("task.subject") or ""
    body = render(action.message, f.values) if action.message else f"{label}: {f.cause.reason}"
    subject_type, subject_id = ("deal", f.deal_id) if f.deal_id else (f.subject.type, f.subject.id)
    created = await notifications.notify(
        f.session,
        workspace_id=f.workspace_id,
        user_id=owner,
        type="automation",
        title=f.automation.name,
        body=body,
        subject_type=subject_type,
        subject_id=subject_id,
        dedupe_key=f"run:{f.run_id}:{f.index}",
        now=f.now,
    )
    return ActionResult(
        "notify_owner",
        "done",
        f"Notified {whom}",
        {"notification_id": str(created) if created else None, "user_id": str(owner)},
    )


async def _next_in_turn(f: Firing, eligible: Sequence[uuid.UUID]) -> uuid.UUID:
    """Hand out members in turn; the counter row's lock orders concurrent firings."""
    table = AutomationRoundRobin.__table__
    handed_out = await f.session.scalar(
        insert(AutomationRoundRobin)
        .values(workspace_id=f.workspace_id, automation_id=f.automation.id, handed_out=1, updated_at=f.now)
        .on_conflict_do_update(
            index_elements=["workspace_id", "automation_id"],
            set_={"handed_out": table.c.handed_out + 1, "updated_at": f.now},
        )
        .returning(AutomationRoundRobin.handed_out)
    )
    return eligible[(int(handed_out or 1) - 1) % len(eligible)]


async def assign_owner(f: Firing, action: AssignOwner) -> ActionResult:
    present = await member_ids(f.session, f.workspace_id, action.member_ids)
    eligible = [m for m in dict.fromkeys(action.member_ids) if m in present]
    if not eligible:
        return ActionResult(
            "assign_owner", "failed", "None of member_ids is a member of the workspace any more"
        )
    pick = await _next_in_turn(f, eligible)
    change = {"owner_id": pick}
    if f.subject.type == "contact":
        await contacts.update_contact(
            f.session,
            principal=f.principal,
            contact_id=f.subject.id,
            changes=change,
            expected_version=None,
            now=f.now,
        )
    elif f.subject.type == "activity":
        await activities.update_activity(
            f.session,
            principal=f.principal,
            activity_id=f.subject.id,
            changes=change,
            expected_version=None,
            now=f.now,
        )
    else:
        await deals.update_deal(
            session=f.session,
            principal=f.principal,
            deal_id=f.subject.id,
            changes=change,
            expected_version=None,
            now=f.now,
        )
    return ActionResult(
        "assign_owner",
        "done",
        f"Assigned to member {eligible.index(pick) + 1} of {len(eligible)} in turn",
        {"owner_id": str(pick)},
    )


async def add_tag(f: Firing, action: AddTag) -> ActionResult:
    tag = action.tag.strip()
    if f.subject.type == "contact":
        contact = await contacts.get_contact(f.session, f.principal, f.subject.id, for_update=True)
        if tag.casefold() in (t.casefold() for t in contact.tags):
            return ActionResult("add_tag", "skipped", f"The contact already has the tag {tag!r}")
        await contacts.update_contact(
            f.session,
            principal=f.principal,
            contact_id=contact.id,
            changes={"tags": [*contact.tags, tag]},
            expected_version=None,
            now=f.now,
        )
        return ActionResult("add_tag", "done", f"Tagged the contact {tag!r}", {"tag": tag})
    if f.deal_id is None:
        return ActionResult("add_tag", "skipped", "The task has no deal to tag")
    deal = await deals.load_deal(f.session, f.principal, f.deal_id, lock=True)
    if tag.casefold() in (t.casefold() for t in deal.tags):
        return ActionResult("add_tag", "skipped", f"The deal already has the tag {tag!r}")
    await deals.update_deal(
        session=f.session,
        principal=f.principal,
        deal_id=deal.id,
        changes={"tags": [*deal.tags, tag]},
        expected_version=None,
        now=f.now,
    )
    return ActionResult("add_tag", "done", f"Tagged the deal {tag!r}", {"tag": tag})


async def close_as_lost(f: Firing, action: CloseAsLost) -> ActionResult:
    if f.deal_id is None:
        return ActionResult("close_as_lost", "skipped", "There is no deal to close")
    deal = await deals.load_deal(f.session, f.principal, f.deal_id, lock=True)
    if deal.status != "open":
        return ActionResult("close_as_lost", "skipped", f"The deal is already {deal.status}")
    lost = await f.session.scalar(
        select(Stage)
        .where(
            Stage.workspace_id == f.workspace_id, Stage.pipeline_id == deal.pipeline_id, Stage.kind == "lost"
        )
        .order_by(Stage.position, Stage.id)
        .limit(1)
    )
    if lost is None:
        return ActionResult("close_as_lost", "failed", "The deal's pipeline has no lost stage")
    await move_deal(
        session=f.session,
        principal=f.principal,
        deal_id=deal.id,
        to_stage_id=lost.id,
        after_id=None,
        expected_version=None,
        lost_reason=action.reason,
        # A rule's reason may predate the pick-list or leave it: filed under "Other" then.
        off_list="other",
        now=f.now,
    )
    return ActionResult(
        "close_as_lost",
        "done",
        f"Closed as lost ({action.reason}) in {lost.name!r}",
        {"stage_id": str(lost.id), "lost_reason": action.reason},
    )


async def _subject_snapshot(f: Firing) -> dict[str, object]:
    if f.subject.type == "contact":
        return snapshot(await contacts.get_contact(f.session, f.principal, f.subject.id))
    if f.subject.type == "activity":
        return snapshot(await activities.get_activity(f.session, f.principal, f.subject.id))
    record = await deals.get_deal(f.session, f.principal, f.subject.id)
    return snapshot(record.deal, contact_ids=record.contact_ids)


async def send_webhook(f: Firing, action: SendWebhook) -> ActionResult:
    """The webhooks concern delivers it: this only writes the request to the outbox."""
    event = await emit(
        f.session,
        workspace_id=f.workspace_id,
        type=WEBHOOK_REQUESTED,
        now=f.now,
        actor=f.principal,
        subject_type=f.subject.type,
        subject_id=f.subject.id,
        payload={
            "subscription_id": str(action.subscription_id),
            "automation_id": str(f.automation.id),
            "automation_name": f.automation.name,
            "run_id": str(f.run_id),
            "cause": f.cause.reason,
            "subject_type": f.subject.type,
            "subject_id": str(f.subject.id),
            "data": await _subject_snapshot(f),
        },
    )
    return ActionResult(
        "send_webhook",
        "done",
        "Asked for a webhook delivery",
        {"event_id": str(event.id), "subscription_id": str(action.subscription_id)},
    )


async def create_renewal_deal(f: Firing, action: CreateRenewalDeal) -> ActionResult:
    if f.deal_id is None:
        return ActionResult("create_renewal_deal", "skipped", "There is no deal to renew")
    # The same opening the renewal sweep uses: a deal is renewed once, whoever gets there first.
    from domain.renewals import existing_renewal, open_renewal

    owner, _ = await _owner_or_admin(f)
    opened = await open_renewal(
        f.session,
        principal=f.principal,
        deal_id=f.deal_id,
        pipeline_id=action.pipeline_id,
        stage_id=action.stage_id,
        owner_id=owner,
        with_task=False,
        now=f.now,
    )
    if opened is None:
        found = await existing_renewal(f.session, f.workspace_id, f.deal_id)
        return ActionResult(
            "create_renewal_deal",
            "skipped",
            "The deal already has its renewal deal",
            {"deal_id": str(found) if found else None},
        )
    return ActionResult(
        "create_renewal_deal",
        "done",
        f"Created the renewal deal {opened.deal.deal.title!r}",
        {"deal_id": str(opened.deal.deal.id)},
    )


async def run_action(f: Firing, action: Action) -> ActionResult:
    if isinstance(action, CreateTask):
        return await create_task(f, action)
    if isinstance(action, NotifyOwner):
        return await notify_owner(f, action)
    if isinstance(action, AssignOwner):
        return await assign_owner(f, action)
    if isinstance(action, AddTag):
        return await add_tag(f, action)
    if isinstance(action, CloseAsLost):
        return await close_as_lost(f, action)
    if isinstance(action, SendWebhook):
        return await send_webhook(f, action)
    return await create_renewal_deal(f, action)
