"""Everything held on one contact, as JSON (GDPR Art. 15: the right of access).

The contact, its activities, the deals it is on, its timeline events, the form submissions it
came from (fields as sent and as understood), its logged emails and its files' metadata (the
files themselves download from their own URLs).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, cast, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.contacts import get_contact
from domain.files.attachments import files_of
from domain.models import (
    Activity,
    Contact,
    Deal,
    DealContact,
    EmailMessage,
    FormSubmission,
    TimelineEvent,
)
from domain.principal import Principal
from domain.snapshots import json_value, snapshot

FILE_FIELDS = ("id", "subject_type", "subject_id", "name", "size", "sha256", "content_type", "created_at")


async def export_contact(
    session: AsyncSession, *, principal: Principal, contact_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    contact = await get_contact(session, principal, contact_id)
    ws = principal.workspace_id
    # Records merged into this one are the same person: their history is part of the answer.
    merged = list(
        (
            await session.execute(
                select(Contact).where(Contact.workspace_id == ws, Contact.merged_into_id == contact.id)
            )
        ).scalars()
    )
    ids = [contact.id, *(m.id for m in merged)]
    activities = (
        await session.execute(
            select(Activity)
            .where(Activity.workspace_id == ws, Activity.contact_id.in_(ids))
            .order_by(Activity.created_at, Activity.id)
        )
    ).scalars()
    deals = (
        await session.execute(
            select(Deal, DealContact.role)
            .join(
                DealContact,
                (DealContact.workspace_id == Deal.workspace_id) & (DealContact.deal_id == Deal.id),
            )
            .where(Deal.workspace_id == ws, DealContact.contact_id.in_(ids))
            .order_by(Deal.created_at, Deal.id)
        )
    ).all()
    timeline = (
        await session.execute(
            select(TimelineEvent)
            .where(
                TimelineEvent.workspace_id == ws,
                TimelineEvent.subject_type == "contact",
                TimelineEvent.subject_id.in_(ids),
            )
            .order_by(TimelineEvent.at, TimelineEvent.id)
        )
    ).scalars()
    submissions = (
        await session.execute(
            select(FormSubmission)
            .where(FormSubmission.workspace_id == ws, FormSubmission.contact_id.in_(ids))
            .order_by(FormSubmission.received_at, FormSubmission.id)
        )
    ).scalars()
    emails = (
        await session.execute(
            select(EmailMessage)
            .where(
                EmailMessage.workspace_id == ws,
                EmailMessage.contact_ids.overlap(cast(ids, ARRAY(Uuid))),
            )
            .order_by(EmailMessage.id)
        )
    ).scalars()
    files = await files_of(session, ws, "contact", ids)
    return {
        "exported_at": now.isoformat(),
        "contact": snapshot(contact),
        "merged_records": [snapshot(m) for m in merged],
        "activities": [snapshot(a) for a in activities],
        "deals": [snapshot(deal, contact_role=role) for deal, role in deals],
        "timeline": [
            {
                "id": str(e.id),
                "type": e.type,
                "at": e.at.isoformat(),
                "actor_type": e.actor_type,
                "actor_name": e.actor_name,
                "data": json_value(e.data),
            }
            for e in timeline
        ],
        "form_submissions": [
            {
                "id": str(s.id),
                "form_id": str(s.form_id),
                "status": s.status,
                "received_at": s.received_at.isoformat(),
                "content_type": s.content_type,
                "fields": json_value(s.fields),
                "lead": json_value(s.lead),
                "source_ip": s.source_ip,
            }
            for s in submissions
        ],
        "email_messages": [snapshot(m) for m in emails],
        "files": [{name: json_value(getattr(f, name)) for name in FILE_FIELDS} for f in files],
    }
