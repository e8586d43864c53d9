"""Erase a contact's personal data on request (GDPR Art. 17), wherever the system wrote it down.

What is done, in one transaction:
- the contact (and contacts merged into it: the same person) keeps its id, owner, account and
  links, and loses names, email, phone, title, tags, custom fields and attribution; `erased_at`
  is set. Its own timeline events keep their type and time, not their data.
- its files are deleted (their bytes once the transaction committed), its duplicate pairs too,
  idempotency replays holding its email or phone are dropped, and form submissions it came from
  keep only their status.
- then every text, JSON, text-array and binary column of every table holding this workspace's
  rows is searched for the email and phone (as typed, URL-encoded, formatted) and each
  occurrence becomes `[erased]`: activities, logged emails, notifications, outbox and webhook
  payloads and answers, import previews, error rows and uploaded files, outgoing mail, and any
  table added later, without this module having to know it.
- an audit entry (no personal data) and a `contact.erased` event (the id only) are written.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import audit
from domain.contacts import get_contact
from domain.db import enter_workspace
from domain.files.attachments import delete_files_of
from domain.models import (
    Contact,
    ContactDuplicate,
    FormSubmission,
    IdempotencyRecord,
    Notification,
    TimelineEvent,
)
from domain.outbox import emit
from domain.principal import Principal
from domain.privacy.patterns import combined, email_patterns, literal, phone_patterns
from domain.records import expect_version

ERASED = "[erased]"
# Fields of a contact snapshot (event payloads, webhook bodies) that describe the person.
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "title", "attribution")
# Tables whose text is someone else's (a member's invitation) or handled before the sweep.
NOT_SWEPT = {"invitations", "idempotency_records", "import_chunks", "audit_entries"}
_TEXT_TYPES = {"text", "character varying", "character"}


@dataclass
class Erasure:
    contact: Contact
    file_keys: list[str] = field(default_factory=list)
    scrubbed: dict[str, int] = field(default_factory=dict)


async def _columns(session: AsyncSession) -> list[tuple[str, str, str, str]]:
    """(table, column, data_type, udt) of every writable text-like column of tenant tables."""
    rows = await session.execute(
        text(
            """
            SELECT c.table_name, c.column_name, c.data_type, c.udt_name
            FROM information_schema.columns c
            JOIN information_schema.columns w
              ON w.table_schema = c.table_schema AND w.table_name = c.table_name
             AND w.column_name = 'workspace_id'
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = current_schema()
              AND c.is_generated = 'NEVER'
              -- One call with a list would be true for either privilege; both are needed.
              AND has_table_privilege(format('%I.%I', c.table_schema, c.table_name), 'SELECT')
              AND has_table_privilege(format('%I.%I', c.table_schema, c.table_name), 'UPDATE')
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea')
                   OR c.udt_name IN ('_text', '_varchar'))
            ORDER BY c.table_name, c.column_name
            """
        )
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _found_and_value(column: str, data_type: str, udt: str) -> tuple[str, str] | None:
    """SQL that tells whether `column` holds the pattern, and its value with every match replaced."""
    c = f'"{column}"'
    if data_type in _TEXT_TYPES:
        return f"{c} ~* :p", f"regexp_replace({c}, :p, :r, 'gi')"
    if data_type in ("json", "jsonb"):
        return f"{c}::text ~* :p", f"regexp_replace({c}::text, :p, :r, 'gi')::{data_type}"
    if data_type == "bytea":
        # escape-encoding round-trips every byte and leaves ASCII text readable to the regex.
        return (
            f"encode({c}, 'escape') ~* :p",
            f"decode(regexp_replace(encode({c}, 'escape'), :p, :r, 'gi'), 'escape')",
        )
    if udt in ("_text", "_varchar"):
        return (
            f"array_to_string({c}, chr(31)) ~* :p",
            f"ARRAY(SELECT regexp_replace(x, :p, :r, 'gi') FROM unnest({c}) AS x)",
        )
    return None


def _sweep_sql(table: str, columns: list[tuple[str, str, str]]) -> str | None:
    """One UPDATE per table (one pass over its rows), changing only the columns that match."""
    parts = [(name, _found_and_value(name, data_type, udt)) for name, data_type, udt in columns]
    usable = [(name, fv) for name, fv in parts if fv is not None]
    if not usable:
        return None
    sets = ", ".join(
        f'"{name}" = CASE WHEN {found} THEN {value} ELSE "{name}" END' for name, (found, value) in usable
    )
    where = " OR ".join(found for _, (found, _) in usable)
    return f'UPDATE "{table}" SET {sets} WHERE workspace_id = :ws AND ({where})'


async def _sweep(session: AsyncSession, workspace_id: uuid.UUID, pattern: str) -> dict[str, int]:
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, data_type, udt in await _columns(session):
        if table not in NOT_SWEPT:
            by_table.setdefault(table, []).append((column, data_type, udt))
    counts: dict[str, int] = {}
    for table, columns in by_table.items():
        sql = _sweep_sql(table, columns)
        if sql is None:
            continue
        result: Any = await session.execute(text(sql), {"p": pattern, "r": ERASED, "ws": workspace_id})
        if result.rowcount:
            counts[table] = result.rowcount
    return counts


async def _scrub_outbound_mail_on_connecting_role(
    session: AsyncSession, workspace_id: uuid.UUID, pattern: str
) -> int:
    """Outgoing mail is write-only for the app role (it may hold password-reset links), so this
    one statement runs on the connecting role, confined to the workspace by its WHERE."""
    await session.execute(text("SELECT set_config('role', 'none', true)"))
    try:
        result: Any = await session.execute(
            text(
                "UPDATE outbound_emails SET subject = regexp_replace(subject, :p, :r, 'gi'), "
                "body = regexp_replace(body, :p, :r, 'gi'), "
                "to_address = regexp_replace(to_address, :p, :r, 'gi') "
                "WHERE workspace_id = :ws AND (subject ~* :p OR body ~* :p OR to_address ~* :p)"
            ),
            {"p": pattern, "r": ERASED, "ws": workspace_id},
        )
    finally:
        await enter_workspace(session, workspace_id)
    return int(result.rowcount or 0)


async def _scrub_import_uploads(session: AsyncSession, workspace_id: uuid.UUID, pattern: str) -> int:
    """Uploaded CSVs are kept in 4 MiB chunks: overwrite matches with as many `x`s, so offsets a
    running import resumes from stay true, including a match cut in two by a chunk boundary."""
    regex = re.compile(pattern.encode(), re.IGNORECASE)
    candidates = (
        await session.execute(
            text(
                "SELECT DISTINCT import_id FROM import_chunks WHERE workspace_id = :ws "
                "AND encode(data, 'escape') ~* :p"
                " UNION SELECT a.import_id FROM import_chunks a JOIN import_chunks b"
                " ON b.workspace_id = a.workspace_id AND b.import_id = a.import_id AND b.seq = a.seq + 1"
                " WHERE a.workspace_id = :ws AND encode(substring(a.data FROM"
                " greatest(length(a.data) - 511, 1)) || substring(b.data FROM 1 FOR 512), 'escape') ~* :p"
            ),
            {"ws": workspace_id, "p": pattern},
        )
    ).scalars()
    changed = 0
    for import_id in list(candidates):
        chunks = (
            await session.execute(
                text(
                    "SELECT seq, data FROM import_chunks WHERE workspace_id = :ws AND import_id = :i "
                    "ORDER BY seq"
                ),
                {"ws": workspace_id, "i": import_id},
            )
        ).all()
        whole = bytearray(b"".join(bytes(c.data) for c in chunks))
        for match in regex.finditer(bytes(whole)):
            whole[match.start() : match.end()] = b"x" * (match.end() - match.start())
        offset = 0
        for chunk in chunks:
            size = len(chunk.data)
            new = bytes(whole[offset : offset + size])
            offset += size
            if new != bytes(chunk.data):
                await session.execute(
                    text(
                        "UPDATE import_chunks SET data = :d "
                        "WHERE workspace_id = :ws AND import_id = :i AND seq = :s"
                    ),
                    {"d": new, "ws": workspace_id, "i": import_id, "s": chunk.seq},
                )
                changed += 1
    return changed


async def erase_contact(
    session: AsyncSession,
    *,
    principal: Principal,
    contact_id: uuid.UUID,
    now: datetime,
    expected_version: int | None = None,
) -> Erasure:
    # The row lock serialises two erasures of one contact: the second finds it erased.
    contact = await get_contact(session, principal, contact_id, for_update=True)
    ws = principal.workspace_id
    if contact.erased_at is not None:
        return Erasure(contact=contact)
    expect_version(contact, expected_version, "contact")
    merged = list(
        (
            await session.execute(
                select(Contact)
                .where(Contact.workspace_id == ws, Contact.merged_into_id == contact.id)
                .with_for_update()
            )
        ).scalars()
    )
    people = [contact, *merged]
    ids = [p.id for p in people]
    patterns: list[str] = []
    for person in people:
        # Every address the person gave, not only the primary ones.
        for entry in person.emails:
            patterns += email_patterns(entry["email"])
        for entry in person.phones:
            patterns += phone_patterns(entry["phone"])
    names = {f"{p.first_name} {p.last_name}" for p in people if p.first_name and p.last_name}
    erasure = Erasure(contact=contact)

    for person in people:
        for name in PERSONAL_FIELDS:
            setattr(person, name, None)
        person.email_label = person.phone_label = None
        person.other_emails, person.other_phones = [], []
        person.tags = []
        person.custom_fields = {}
        person.erased_at = now
        person.updated_at = now
    await session.flush()

    # What is about the person as a whole: emptied rather than searched.
    await session.execute(
        update(TimelineEvent)
        .where(TimelineEvent.workspace_id == ws, TimelineEvent.subject_type == "contact")
        .where(TimelineEvent.subject_id.in_(ids))
        .values(data={})
    )
    await session.execute(
        update(Notification)
        .where(Notification.workspace_id == ws, Notification.subject_type == "contact")
        .where(Notification.subject_id.in_(ids))
        .values(title="Erased contact", body=None)
    )
    await session.execute(
        update(FormSubmission)
        .where(FormSubmission.workspace_id == ws, FormSubmission.contact_id.in_(ids))
        .values(raw_body=b"", fields={}, lead={}, headers={}, source_ip=None, reason=None)
    )
    await session.execute(
        delete(ContactDuplicate).where(
            ContactDuplicate.workspace_id == ws,
            or_(ContactDuplicate.record_id.in_(ids), ContactDuplicate.other_id.in_(ids)),
        )
    )
    blank: dict[str, Any] = {name: None for name in PERSONAL_FIELDS} | {"tags": [], "custom_fields": {}}
    event_ids = list(
        (
            await session.execute(
                text(
                    "UPDATE outbox_events SET payload = payload || CAST(:blank AS jsonb) "
                    "WHERE workspace_id = :ws AND subject_type = 'contact' AND subject_id = ANY(:ids) "
                    "AND jsonb_typeof(payload) = 'object' RETURNING id"
                ),
                {"blank": json.dumps(blank), "ws": ws, "ids": ids},
            )
        ).scalars()
    )
    if event_ids:
        await session.execute(
            text(
                "UPDATE webhook_deliveries SET payload = jsonb_set(payload, '{data}', "
                "(payload -> 'data') || CAST(:blank AS jsonb)) WHERE workspace_id = :ws "
                "AND event_id = ANY(:ids) AND jsonb_typeof(payload -> 'data') = 'object'"
            ),
            {"blank": json.dumps(blank), "ws": ws, "ids": event_ids},
        )
    if names:
        # Notes and calls about the person often name them in the subject line.
        name_pattern = combined([literal(n) for n in sorted(names)])
        for column in ("subject", "body"):
            await session.execute(
                text(
                    f"UPDATE activities SET {column} = regexp_replace({column}, :p, :r, 'gi') "
                    f"WHERE workspace_id = :ws AND contact_id = ANY(:ids) AND {column} ~* :p"
                ),
                {"p": name_pattern, "r": ERASED, "ws": ws, "ids": ids},
            )
    erasure.file_keys = await delete_files_of(session, ws, "contact", ids)

    if patterns:
        pattern = combined(patterns)
        replays = await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.workspace_id == ws,
                or_(
                    text("encode(idempotency_records.body, 'escape') ~* :p"),
                    text("idempotency_records.headers::text ~* :p"),
                ),
            ),
            {"p": pattern},
        )
        erasure.scrubbed["idempotency_records"] = int(getattr(replays, "rowcount", 0) or 0)
        erasure.scrubbed["import_chunks"] = await _scrub_import_uploads(session, ws, pattern)
        erasure.scrubbed.update(await _sweep(session, ws, pattern))
        erasure.scrubbed["outbound_emails"] = await _scrub_outbound_mail_on_connecting_role(
            session, ws, pattern
        )

    audit.record(
        session,
        principal,
        "contact.erased",
        subject_type="contact",
        subject_id=contact.id,
        summary=f"Personal data of a contact erased on request ({len(merged)} merged records, "
        f"{len(erasure.file_keys)} files)",
        now=now,
    )
    await emit(
        session,
        workspace_id=ws,
        type="contact.erased",
        payload={"id": str(contact.id), "erased_at": now.isoformat()},
        now=now,
        subject_type="contact",
        subject_id=contact.id,
        actor=principal,
    )
    await session.flush()
    return erasure
