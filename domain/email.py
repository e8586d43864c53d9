"""Outgoing email: queued in the writer's transaction, delivered by a worker.

With SMTP_URL set the worker sends through it; unset, the message goes to the log (and `rapport
run` prints it), so a password reset link is never silently lost in development.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
import uuid
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.models import OutboundEmail

log = structlog.get_logger("rapport.email")

SENDER = "Rapport <no-reply@example.com>"


async def queue_email(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    workspace_id: uuid.UUID | None = None,
) -> uuid.UUID:
    email_id = uuid.uuid4()
    session.add(
        OutboundEmail(
            id=email_id, workspace_id=workspace_id, to_address=to, subject=subject, body=body, created_at=now
        )
    )
    return email_id


def _send_smtp(smtp_url: str, message: EmailMessage) -> None:
    parts = urlsplit(smtp_url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        with smtplib.SMTP_SSL(host, parts.port or 465, context=ssl.create_default_context()) as smtp:
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(message)
        return
    with smtplib.SMTP(host, parts.port or 25) as smtp:
        if "starttls" in parts.query:
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)


async def deliver_pending_emails(
    sessionmaker: async_sessionmaker[AsyncSession], *, smtp_url: str | None, now: datetime, limit: int = 50
) -> int:
    """Send queued emails; each row is locked while sending so two workers never send one twice."""
    sent = 0
    async with sessionmaker() as session, session.begin():
        emails = (
            (
                await session.execute(
                    select(OutboundEmail)
                    .where(OutboundEmail.sent_at.is_(None))
                    .order_by(OutboundEmail.created_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            .scalars()
            .all()
        )
        for email in emails:
            if smtp_url:
                message = EmailMessage()
                message["From"] = SENDER
                message["To"] = email.to_address
                message["Subject"] = email.subject
                message.set_content(email.body)
                await asyncio.to_thread(_send_smtp, smtp_url, message)
            else:
                log.warning(
                    "email.logged (SMTP_URL unset)",
                    to=email.to_address,
                    subject=email.subject,
                    body=email.body,
                )
            email.sent_at = now
            sent += 1
    return sent
