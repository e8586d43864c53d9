"""A batch of prepared contact or account rows: repeats within the file, then the database.

`on_duplicate` applies within the file as against existing records. A row repeating an earlier
row of the file (same email or phone; same domain or name for accounts) is merged into it (its
values fill what the earlier row lacks) or skipped, and counts so; under `create` every row is
its own record. The file's keys are remembered across batches (`FileMemory`), so a repeat is
recognised wherever it sits in the file, even when its key was not the one stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.imports.rows import Failed, Prepared
from domain.imports.writing import ACCOUNTS, CONTACTS, Outcome, StagedRow, TableSpec, write_batch
from domain.models import Account

_FOLDED = {
    "contacts": (*CONTACTS.fill, "company", "email_domain"),
    "accounts": ACCOUNTS.fill,
    "deals": ("amount", "expected_close_date", "lost_reason", "source", "account_id"),
}


@dataclass(eq=False, slots=True)
class Target:
    """The record a group of repeating rows goes into: a row of this batch, or a known record."""

    row: StagedRow | None = None
    record_id: uuid.UUID | None = None


@dataclass
class FileMemory:
    policy: str
    seen: dict[str, Target] = field(default_factory=dict)


@dataclass
class BatchResult:
    outcomes: dict[int, tuple[Outcome, uuid.UUID | None]] = field(default_factory=dict)
    failures: list[Failed] = field(default_factory=list)
    records: dict[int, dict[str, Any]] = field(default_factory=dict)  # what the preview shows


def fold(kind: str, into: dict[str, Any], values: dict[str, Any]) -> None:
    """What a merge of `values` into `into` leaves: empty fields filled, tags and custom fields
    unioned (the earlier row's values win), as the SQL merge does to a stored record."""
    for name in _FOLDED[kind]:
        if into.get(name) is None and values.get(name) is not None:
            into[name] = values[name]
    into["tags"] = list(dict.fromkeys([*into["tags"], *values["tags"]]))
    into["custom_fields"] = {**values["custom_fields"], **into["custom_fields"]}
    if "contact_ids" in into:
        into["contact_ids"] = list(dict.fromkeys([*into["contact_ids"], *values["contact_ids"]]))


def plan_batch(
    kind: str, memory: FileMemory, rows: list[Prepared]
) -> tuple[list[StagedRow], dict[int, Target], list[Target]]:
    """The rows to stage, the repeats settled here (row -> its target), and this batch's targets."""
    staged: list[StagedRow] = []
    repeats: dict[int, Target] = {}
    fresh: list[Target] = []
    if memory.policy == "create":
        return [StagedRow(p.row, uuid.uuid4(), None, p.values) for p in rows], repeats, fresh
    seen = memory.seen
    for prepared in rows:
        target = None
        for key in prepared.keys:
            target = seen.get(key)
            if target is not None:
                break
        if target is None:
            row = StagedRow(prepared.row, uuid.uuid4(), None, prepared.values)
            staged.append(row)
            target = Target(row=row)
            fresh.append(target)
        elif memory.policy == "skip":
            repeats[prepared.row] = target
        elif target.row is not None:
            fold(kind, target.row.values, prepared.values)
            repeats[prepared.row] = target
        else:
            # Its record was written by an earlier batch: merge this row into it in SQL.
            staged.append(StagedRow(prepared.row, uuid.uuid4(), target.record_id, prepared.values))
        for key in prepared.keys:
            seen.setdefault(key, target)
    return staged, repeats, fresh


async def _unknown_accounts(
    session: AsyncSession, workspace_id: uuid.UUID, rows: list[Prepared]
) -> set[uuid.UUID]:
    wanted = {p.values["account_id"] for p in rows if p.values.get("account_id") is not None}
    if not wanted:
        return set()
    found = set(
        (
            await session.scalars(
                select(Account.id).where(
                    Account.workspace_id == workspace_id,
                    Account.id.in_(wanted),
                    Account.merged_into_id.is_(None),
                )
            )
        ).all()
    )
    return wanted - found


async def write_records(
    session: AsyncSession,
    *,
    kind: str,
    memory: FileMemory,
    rows: list[Prepared],
    workspace_id: uuid.UUID,
    import_id: uuid.UUID,
    actor: dict[str, Any],
    now: datetime,
    detail_upto: int = 0,
) -> tuple[BatchResult, list[Target]]:
    """Write a batch of contacts or accounts; the targets are settled once the batch commits."""
    spec: TableSpec = CONTACTS if kind == "contacts" else ACCOUNTS
    result = BatchResult()
    if kind == "contacts":
        unknown = await _unknown_accounts(session, workspace_id, rows)
        if unknown:
            result.failures = [
                Failed(p.row, "account_id does not name an account of this workspace", p.cells)
                for p in rows
                if p.values.get("account_id") in unknown
            ]
            rows = [p for p in rows if p.values.get("account_id") not in unknown]
    for prepared in rows:
        if kind == "accounts":
            prepared.values["name_key"] = " ".join(prepared.values["name"].casefold().split())
    staged, repeats, fresh = plan_batch(kind, memory, rows)
    written = await write_batch(
        session,
        spec,
        workspace_id=workspace_id,
        rows=staged,
        policy=memory.policy,
        import_id=import_id,
        actor=actor,
        now=now,
        detail_upto=detail_upto,
    )
    for target in fresh:
        assert target.row is not None
        target.record_id = written[target.row.row].record_id
    for row_number, done in written.items():
        result.outcomes[row_number] = (done.outcome, done.record_id)
    merged_or_skipped: Outcome = "skipped" if memory.policy == "skip" else "merged"
    for row_number, target in repeats.items():
        result.outcomes[row_number] = (merged_or_skipped, target.record_id)
    by_row = {p.row: p.values for p in rows if p.row <= detail_upto}
    for row_number, values in by_row.items():
        shown = dict(values)
        if kind == "contacts" and row_number in written:
            shown["account_id"] = written[row_number].account_id
        result.records[row_number] = shown
    return result, fresh


def settle(targets: list[Target]) -> None:
    """After the batch committed: later batches refer to its records by id."""
    for target in targets:
        target.row = None
