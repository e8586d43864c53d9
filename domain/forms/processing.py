"""Turning a stored submission into records, in a worker, exactly once.

Pending submissions are the queue: a worker takes the oldest one nobody holds (`FOR UPDATE SKIP
LOCKED`, across workspaces on the connecting role), enters its workspace and processes it in the
same transaction. The records, the submission's new status and its events commit together; a
worker killed half-way rolls back and releases the row at once for the next taker, and a row no
longer `pending` is never processed again. A domain refusal (a stage that needs an amount, say)
marks the submission `failed` with the reason, to be retried from the API.

What a submission becomes: the contact (an existing one, same email or phone, is updated, not
duplicated), its account (found or created from the company or the email's domain), a deal when
the form asks for one, a "form submitted" note with the message, the attribution touch, a
timeline event, the owner's notification, and the events `contact.created_from_form` (a new
contact) and `form.submitted` (for webhooks).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import custom_fields, outbox
from domain.accounts import account_with_domain, create_account
from domain.activities import create_activity
from domain.contacts import create_contact, find_duplicate
from domain.db import enter_workspace
from domain.deals import create_deal
from domain.errors import DomainError
from domain.forms.attribution import touch_attribution
from domain.forms.fields import other_fields, with_names
from domain.forms.routing import notify_lead_owner, route_owner
from domain.forms.views import submission_view
from domain.hygiene.normalise import company_domain
from domain.models import Account, Contact, Form, FormSubmission, Membership
from domain.principal import ADMIN, Principal
from domain.snapshots import snapshot
from domain.timeline import record

log = structlog.get_logger("rapport.forms")


@dataclass
class Outcome:
    contact: Contact
    created: bool
    account_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    activity_id: uuid.UUID
    routed: str
    lead: dict[str, Any]


async def process_next_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime
) -> uuid.UUID | None:
    """Take the oldest pending submission no other worker holds and process it; None when idle."""
    async with sessionmaker() as session, session.begin():
        taken = (
            await session.execute(
                select(FormSubmission.workspace_id, FormSubmission.id)
                .where(FormSubmission.status == "pending")
                .order_by(FormSubmission.received_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
        ).first()
        if taken is None:
            return None
        await enter_workspace(session, taken.workspace_id)
        await process_submission(session, workspace_id=taken.workspace_id, submission_id=taken.id, now=now)
        return uuid.UUID(str(taken.id))


async def process_submission(
    session: AsyncSession, *, workspace_id: uuid.UUID, submission_id: uuid.UUID, now: datetime
) -> str | None:
    """Process a pending submission; returns its new status (None when there was nothing to do)."""
    submission = (
        await session.execute(
            select(FormSubmission)
            .where(FormSubmission.workspace_id == workspace_id, FormSubmission.id == submission_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if submission is None or submission.status != "pending":
        return None
    form = (
        await session.execute(
            select(Form).where(Form.workspace_id == workspace_id, Form.id == submission.form_id)
        )
    ).scalar_one()
    submission.attempts += 1
    await session.flush()
    try:
        async with session.begin_nested():
            outcome = await _make_records(session, form, submission, now)
    except DomainError as exc:
        return await _failed(session, submission_id, _explain(exc))
    except Exception as exc:  # a bug or a refused statement: recorded, retryable, never silent
        log.exception("form_submission.failed", submission_id=str(submission_id))
        return await _failed(session, submission_id, f"{type(exc).__name__}: {exc}"[:1000])
    submission.status = "processed"
    submission.lead = outcome.lead
    submission.reason = f"owner by {outcome.routed}"
    submission.processed_at = now
    submission.contact_id = outcome.contact.id
    submission.account_id = outcome.account_id
    submission.deal_id = outcome.deal_id
    submission.activity_id = outcome.activity_id
    await session.flush()
    await outbox.emit(
        session,
        workspace_id=workspace_id,
        type="form.submitted",
        payload=submission_view(submission, form),
        now=now,
        subject_type="form_submission",
        subject_id=submission.id,
    )
    return "processed"


def _explain(exc: DomainError) -> str:
    details = "; ".join(f"{'.'.join(str(p) for p in e.loc[1:])}: {e.msg}" for e in exc.errors)
    return f"{exc.detail} ({details})" if details else exc.detail


async def _failed(session: AsyncSession, submission_id: uuid.UUID, reason: str) -> str:
    # Read again: the savepoint's rollback expired what the attempt had touched.
    submission = (
        await session.execute(
            select(FormSubmission)
            .where(FormSubmission.id == submission_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    submission.status = "failed"
    submission.reason = reason
    await session.flush()
    return "failed"


async def _fallback_owner(session: AsyncSession, form: Form) -> uuid.UUID:
    """Whom a lead belongs to when routing names nobody: the form's creator, else an admin."""
    members = select(Membership.user_id).where(Membership.workspace_id == form.workspace_id)
    if form.created_by is not None:
        found = await session.scalar(members.where(Membership.user_id == form.created_by))
        if found is not None:
            return found
    admin = await session.scalar(members.where(Membership.role == ADMIN).order_by(Membership.created_at))
    if admin is None:
        raise DomainError("The workspace has no admin to own this lead")
    return admin


async def _lock(session: AsyncSession, key: str) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


async def _account_for(
    session: AsyncSession, principal: Principal, lead: dict[str, Any], owner_id: uuid.UUID, now: datetime
) -> uuid.UUID | None:
    """The account of the email's company domain, else of the company name; created when absent."""
    workspace_id = principal.workspace_id
    domain = company_domain(lead["email"])
    company: str | None = lead.get("company")
    identity = domain or (company.casefold() if company else None)
    if identity is None:
        return None
    # Two leads of one new company, processed side by side, must not make it twice.
    await _lock(session, f"form-account:{workspace_id}:{identity}")
    if domain is not None and (found := await account_with_domain(session, workspace_id, domain)):
        return found
    if company is not None:
        found = await session.scalar(
            select(Account.id)
            .where(
                Account.workspace_id == workspace_id,
                func.lower(Account.name) == company.lower(),
                Account.merged_into_id.is_(None),
            )
            .order_by(Account.created_at, Account.id)
            .limit(1)
        )
        if found is not None:
            return found
    fields: dict[str, Any] = {"name": company or domain, "domain": domain, "owner_id": owner_id}
    if lead.get("website"):
        fields["website"] = lead["website"]
    account = await create_account(session, principal=principal, fields=fields, now=now)
    return account.id


def _label(lead: dict[str, Any]) -> str:
    name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p)
    return name or lead.get("name") or lead["email"]


def _note_body(form: Form, submission: FormSubmission, refused: list[str]) -> str | None:
    parts = [submission.lead["message"]] if submission.lead.get("message") else []
    extra = other_fields(submission.fields, form.field_mapping)
    if extra:
        parts.append("\n".join(f"{name}: {value}" for name, value in extra.items()))
    if refused:
        parts.append("Not stored (does not fit the field):\n" + "\n".join(refused))
    return "\n\n".join(parts) or None


async def _make_records(
    session: AsyncSession, form: Form, submission: FormSubmission, now: datetime
) -> Outcome:
    # Nothing of the submission changes in here: a rolled-back savepoint would expire it.
    lead, workspace_id = with_names(submission.lead), form.workspace_id
    existing = await find_duplicate(session, workspace_id, email=lead["email"], phone=None)
    if existing is not None and existing.owner_id is not None:
        owner_id: uuid.UUID | None = existing.owner_id
        routed = "the existing contact"
    else:
        owner_id, routed = await route_owner(session, form, lead, submission.fields)
    if owner_id is None:
        owner_id, routed = await _fallback_owner(session, form), "default (the form's creator)"
    principal = Principal(
        workspace_id=workspace_id,
        user_id=owner_id,
        role=ADMIN,
        kind="system",
        name=f"Web form: {form.name}"[:200],
    )
    account_id = await _account_for(session, principal, lead, owner_id, now)
    custom, refused = await custom_fields.keep_fitting(
        session, workspace_id, "contacts", lead.get("custom_fields") or {}
    )
    contact_fields: dict[str, Any] = {
        key: lead[key] for key in ("first_name", "last_name", "email", "phone", "title") if lead.get(key)
    }
    contact_fields.update(
        source=lead.get("utm_source") or "form",
        owner_id=owner_id,
        account_id=account_id,
        custom_fields=custom,
    )
    contact, created = await create_contact(
        session, principal=principal, fields=contact_fields, on_duplicate="merge", now=now
    )
    touch = await touch_attribution(
        session, principal, contact, lead, at=submission.received_at, created=created, now=now
    )
    account_id = contact.account_id or account_id
    deal_id = None
    if form.create_deal:
        deal = await create_deal(
            session=session,
            principal=principal,
            title=f"{lead.get('company') or _label(lead)} - {form.name}",
            pipeline_id=form.pipeline_id,
            stage_id=form.stage_id,
            account_id=account_id,
            contact_ids=[contact.id],
            owner_id=contact.owner_id or owner_id,
            now=now,
        )
        deal_id = deal.deal.id
    activity = await create_activity(
        session,
        principal=principal,
        fields={
            "type": "note",
            "subject": f"Form submitted: {form.name}"[:500],
            "body": _note_body(form, submission, refused),
            "contact_id": contact.id,
            "account_id": account_id,
            "deal_id": deal_id,
            "owner_id": contact.owner_id or owner_id,
        },
        now=now,
    )
    await record(
        session,
        principal=principal,
        subject_type="contact",
        subject_id=contact.id,
        type="form_submitted",
        at=submission.received_at,
        data={
            "form_id": str(form.id),
            "form_name": form.name,
            "submission_id": str(submission.id),
            "deal_id": str(deal_id) if deal_id else None,
            "activity_id": str(activity.id),
            "touch": touch,
            "new_contact": created,
        },
    )
    if created:
        await outbox.emit(
            session,
            workspace_id=workspace_id,
            type="contact.created_from_form",
            payload=snapshot(contact, form_id=form.id, submission_id=submission.id, deal_id=deal_id),
            now=now,
            subject_type="contact",
            subject_id=contact.id,
            actor=principal,
        )
    if contact.owner_id is not None:
        await notify_lead_owner(
            session,
            form=form,
            owner_id=contact.owner_id,
            contact_id=contact.id,
            contact_label=_label(lead),
            is_new=created,
            submission_id=submission.id,
            now=now,
        )
    return Outcome(
        contact=contact,
        created=created,
        account_id=account_id,
        deal_id=deal_id,
        activity_id=activity.id,
        routed=routed,
        lead=lead,
    )
