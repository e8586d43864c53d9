"""Inbound email: a message posted by an inbound-parse service becomes email activities.

Each workspace has an inbound secret (shown to admins, looked up by its digest). A message is
logged once per Message-ID (a unique key, claimed with `INSERT ... ON CONFLICT DO NOTHING`, so
two racing posts of one message log it once). It is linked to every known contact among its
From/To/Cc addresses and to their open deals: one email activity per contact (with the account
and one open deal), and one more for each further open deal, so the message shows once on every
timeline it belongs to.
"""

from __future__ import annotations

import hashlib
import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.activities import create_activity
from domain.models import Contact, Deal, DealContact, EmailMessage, InboundMailbox, Membership, User
from domain.normalise import try_normalise_email
from domain.principal import ADMIN, Principal
from domain.security import digest, new_secret

SECRET_PREFIX = "rin_"
_TAGS = re.compile(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


@dataclass
class InboundMessage:
    from_: str | list[str] | None
    to: str | list[str] | None
    cc: str | list[str] | None
    subject: str | None
    text: str | None
    html: str | None
    message_id: str | None
    date: str | None
    in_reply_to: str | None


@dataclass
class Logged:
    status: Literal["logged", "duplicate", "no_known_contacts"]
    message_id: str
    activity_ids: list[uuid.UUID] = field(default_factory=list)
    contact_ids: list[uuid.UUID] = field(default_factory=list)
    deal_ids: list[uuid.UUID] = field(default_factory=list)


async def mailbox(
    session: AsyncSession, principal: Principal, *, secret_key: str, now: datetime, rotate: bool = False
) -> InboundMailbox:
    """The workspace's inbound secret, made on first use (or replaced when rotating)."""
    box = (
        await session.execute(
            select(InboundMailbox)
            .where(InboundMailbox.workspace_id == principal.workspace_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if box is None or rotate:
        secret = new_secret(SECRET_PREFIX)
        if box is None:
            box = InboundMailbox(id=uuid.uuid4(), workspace_id=principal.workspace_id, created_at=now)
            session.add(box)
        box.secret, box.secret_digest, box.updated_at = secret, digest(secret, secret_key), now
        await session.flush()
    return box


async def workspace_for_secret_across_workspaces(
    session: AsyncSession, secret: str, *, secret_key: str
) -> uuid.UUID | None:
    if not secret.startswith(SECRET_PREFIX):
        return None
    return await session.scalar(
        select(InboundMailbox.workspace_id).where(InboundMailbox.secret_digest == digest(secret, secret_key))
    )


def addresses(value: str | list[str] | None) -> list[str]:
    """Normalised addresses of a header value (`"Ann <ann@x.com>, bob@y.com"`) or a list of them."""
    raw = [value] if isinstance(value, str) else list(value or [])
    found = [try_normalise_email(address) for _, address in getaddresses(raw) if address]
    return list(dict.fromkeys(a for a in found if a))


def _sent_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(message: InboundMessage) -> str | None:
    if message.text and message.text.strip():
        return message.text[:100_000]
    if message.html:
        return html.unescape(_TAGS.sub(" ", message.html)).strip()[:100_000] or None
    return None


def message_key(message: InboundMessage) -> str:
    """The Message-ID, or (rarely absent) a stable digest of what identifies the message."""
    if message.message_id and message.message_id.strip():
        return message.message_id.strip()[:998]
    basis = "|".join(str(v) for v in (message.from_, message.to, message.date, message.subject, message.text))
    return f"<{hashlib.sha256(basis.encode()).hexdigest()}@rapport.generated>"


async def _members_by_email(
    session: AsyncSession, workspace_id: uuid.UUID, emails: list[str]
) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(User.email, User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id, User.email.in_(emails))
    )
    return {email: user_id for email, user_id in rows.all()}


async def _open_deals(
    session: AsyncSession, workspace_id: uuid.UUID, contact_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    rows = await session.execute(
        select(DealContact.contact_id, Deal.id)
        .join(Deal, (Deal.workspace_id == DealContact.workspace_id) & (Deal.id == DealContact.deal_id))
        .where(
            DealContact.workspace_id == workspace_id,
            DealContact.contact_id.in_(contact_ids),
            Deal.status == "open",
        )
        .order_by(Deal.updated_at.desc(), Deal.id)
    )
    deals: dict[uuid.UUID, list[uuid.UUID]] = {c: [] for c in contact_ids}
    for contact_id, deal_id in rows.all():
        deals[contact_id].append(deal_id)
    return deals


async def _principal(
    session: AsyncSession, workspace_id: uuid.UUID, member: uuid.UUID | None, contact: Contact
) -> Principal:
    """The member whose mail this is acts; without one, the system on behalf of the contact's owner."""
    if member is not None:
        name = await session.scalar(select(User.name).where(User.id == member))
        return Principal(workspace_id=workspace_id, user_id=member, role=ADMIN, kind="user", name=name or "")
    seats = select(Membership.user_id).where(Membership.workspace_id == workspace_id)
    owner = None
    if contact.owner_id is not None:
        owner = await session.scalar(seats.where(Membership.user_id == contact.owner_id))
    if owner is None:  # the owner has left (or there is none): an admin stands in
        owner = await session.scalar(
            seats.where(Membership.role == ADMIN).order_by(Membership.created_at).limit(1)
        )
    assert owner is not None
    return Principal(
        workspace_id=workspace_id, user_id=owner, role=ADMIN, kind="system", name="Inbound email"
    )


async def log_inbound_email(
    session: AsyncSession, *, workspace_id: uuid.UUID, message: InboundMessage, now: datetime
) -> Logged:
    key = message_key(message)
    sender, to, cc = addresses(message.from_), addresses(message.to), addresses(message.cc)
    everyone = list(dict.fromkeys([*sender, *to, *cc]))
    members = await _members_by_email(session, workspace_id, everyone) if everyone else {}
    direction = "outbound" if sender and sender[0] in members else "inbound"
    claimed = await session.scalar(
        insert(EmailMessage)
        .values(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            message_id=key,
            from_address=sender[0] if sender else None,
            to_addresses=to,
            cc_addresses=cc,
            subject=message.subject,
            sent_at=_sent_at(message.date),
            in_reply_to=message.in_reply_to,
            direction=direction,
            activity_ids=[],
            contact_ids=[],
            deal_ids=[],
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "message_id"])
        .returning(EmailMessage.id)
    )
    if claimed is None:
        existing = (
            await session.execute(
                select(EmailMessage).where(
                    EmailMessage.workspace_id == workspace_id, EmailMessage.message_id == key
                )
            )
        ).scalar_one()
        return Logged(
            "duplicate", key, list(existing.activity_ids), list(existing.contact_ids), list(existing.deal_ids)
        )
    found = (
        {
            c.email: c
            for c in (
                await session.execute(
                    select(Contact)
                    .where(
                        Contact.workspace_id == workspace_id,
                        Contact.email.in_(everyone),
                        Contact.merged_into_id.is_(None),
                    )
                    .order_by(Contact.created_at)
                )
            ).scalars()
        }
        if everyone
        else {}
    )
    contacts = [found[a] for a in everyone if a in found]
    row = await session.get(EmailMessage, claimed)
    assert row is not None
    if not contacts:
        row.note = "No known contact among the addresses"
        return Logged("no_known_contacts", key)
    member = sender[0] if direction == "outbound" else next((a for a in everyone if a in members), None)
    principal = await _principal(session, workspace_id, members.get(member) if member else None, contacts[0])
    deals = await _open_deals(session, workspace_id, [c.id for c in contacts])
    links: list[dict[str, Any]] = []
    seen_accounts: set[uuid.UUID] = set()
    seen_deals: set[uuid.UUID] = set()
    for contact in contacts:
        deal = next((d for d in deals[contact.id] if d not in seen_deals), None)
        account = contact.account_id if contact.account_id not in seen_accounts else None
        links.append({"contact_id": contact.id, "account_id": account, "deal_id": deal})
        seen_deals.update([deal] if deal else [])
        seen_accounts.update([account] if account else [])
    for deal_id in dict.fromkeys(d for c in contacts for d in deals[c.id]):
        if deal_id not in seen_deals:
            links.append({"contact_id": None, "account_id": None, "deal_id": deal_id})
            seen_deals.add(deal_id)
    subject = (message.subject or "").strip()[:500] or "(no subject)"
    body, done = _text(message), _sent_at(message.date) or now
    activity_ids = []
    for link in links:
        activity = await create_activity(
            session,
            principal=principal,
            fields={
                "type": "email",
                "subject": subject,
                "body": body,
                "completed_at": done,
                "owner_id": principal.user_id,
                **link,
            },
            now=now,
        )
        activity_ids.append(activity.id)
    row.activity_ids, row.contact_ids, row.deal_ids = activity_ids, [c.id for c in contacts], list(seen_deals)
    return Logged("logged", key, activity_ids, row.contact_ids, list(seen_deals))
