"""An import's life in the database: the upload stored in chunks, its lease, its progress.

The lease is how a killed worker's import resumes without duplicating rows. A job runs an import
only while `attempt` is its own; each batch locks the import row, checks that, writes, and moves
the counts and `position` in the same transaction, so a batch is either in with its progress or
not at all. A live job heartbeats `lease_until`; the dispatcher (a worker loop, across
workspaces) hands an import whose lease ran out to a new attempt, which carries on from
`position`. A job of an older attempt (arq reruns a killed job after its timeout) finds the
attempt moved on and stops.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import case, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import workspace_transaction
from domain.errors import DomainError, NotFound, ValidationFailed, invalid
from domain.imports.mapping import FIELDS, known_header, plan
from domain.imports.reading import SAMPLE_BYTES, UnreadableFile, sniff
from domain.models import Import, ImportChunk, ImportRowError
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal

ImportKind = Literal["contacts", "accounts", "deals"]
Policy = Literal["skip", "merge", "create"]
CHUNK_BYTES = 4 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024 * 1024
LEASE = timedelta(seconds=8)
HEARTBEAT_SECONDS = 2.0
# An import whose jobs keep dying (a file that crashes the worker) stops being retried.
MAX_ATTEMPTS = 10
SORT = "-created_at"


class FileTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class LeaseLost(Exception):
    """Another attempt owns this import now; this job must stop without writing."""


@dataclass(frozen=True)
class Claim:
    workspace_id: uuid.UUID
    import_id: uuid.UUID
    attempt: int


Reader = Callable[[int], Awaitable[bytes]]


async def create_import(
    session: AsyncSession,
    *,
    principal: Principal,
    read: Reader,
    filename: str | None,
    kind: str,
    on_duplicate: str,
    dry_run: bool,
    mapping: Mapping[str, str | None] | None,
    now: datetime,
    claim: bool = False,
) -> Import:
    """Store the upload (streamed, in chunks) and queue the import; `claim` starts attempt 1 at
    once, for a caller that runs the job itself (the CLI)."""
    if kind not in FIELDS:
        raise invalid("object", "object must be contacts, accounts or deals")
    first = await read(CHUNK_BYTES)
    explicit = dict(mapping or {})
    try:
        layout = sniff(
            first[:SAMPLE_BYTES], lambda cell: known_header(kind, cell) or cell.strip() in explicit
        )
    except UnreadableFile as exc:
        raise ValidationFailed(str(exc), errors=[]) from exc
    chosen = plan(kind, layout.columns, explicit)
    if not any(chosen.columns):
        raise invalid("mapping", f"No column of the file maps to a field of {kind}; send a mapping")
    record = Import(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        object=kind,
        status="running" if claim else "queued",
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        filename=(filename or "").replace("\x00", "")[:500] or None,
        size=0,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        header_index=layout.header_index,
        columns=layout.columns,
        mapping=chosen.mapping,
        preview=[],
        position=0,
        processed=0,
        created=0,
        merged=0,
        skipped=0,
        failed=0,
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
        attempt=1 if claim else 0,
        lease_until=now + LEASE if claim else None,
    )
    session.add(record)
    await session.flush()
    seq, chunk = 0, first
    while chunk:
        record.size += len(chunk)
        if record.size > MAX_FILE_BYTES:
            raise FileTooLarge(f"An import file may be at most {MAX_FILE_BYTES // 2**20} MiB")
        session.add(
            ImportChunk(workspace_id=principal.workspace_id, import_id=record.id, seq=seq, data=chunk)
        )
        await session.flush()
        seq, chunk = seq + 1, await read(CHUNK_BYTES)
    return record


async def get_import(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> Import:
    found = (
        await session.execute(
            select(Import).where(Import.workspace_id == principal.workspace_id, Import.id == import_id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("Import not found")
    return found


async def list_imports(
    session: AsyncSession, principal: Principal, *, after: Keyset | None, limit: int
) -> PageResult[Import]:
    query = apply_keyset(
        select(Import).where(Import.workspace_id == principal.workspace_id),
        column=Import.created_at,
        id_column=Import.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda r: (r.created_at, r.id))


async def read_chunk(
    sessionmaker: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID, import_id: uuid.UUID, seq: int
) -> bytes | None:
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        data: bytes | None = await session.scalar(
            select(ImportChunk.data).where(
                ImportChunk.workspace_id == workspace_id,
                ImportChunk.import_id == import_id,
                ImportChunk.seq == seq,
            )
        )
        return data


async def errors_csv_rows(
    sessionmaker: async_sessionmaker[AsyncSession], workspace_id: uuid.UUID, import_id: uuid.UUID
) -> AsyncIterator[list[str]]:
    """`row`, `reason`, then the file's columns: the header first, then failed rows in order."""
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        columns = await session.scalar(select(Import.columns).where(Import.id == import_id)) or []
        yield ["row", "reason", *columns]
        result = await session.stream(
            select(ImportRowError.row, ImportRowError.reason, ImportRowError.values)
            .where(ImportRowError.workspace_id == workspace_id, ImportRowError.import_id == import_id)
            .order_by(ImportRowError.row)
            .execution_options(yield_per=1000)
        )
        async for row, reason, values in result:
            yield [str(row), reason, *values]


async def lock_for_batch(session: AsyncSession, claim: Claim) -> Import:
    """The import row, locked for this batch's transaction; LeaseLost when the attempt moved on."""
    record = (
        await session.execute(
            select(Import)
            .where(Import.workspace_id == claim.workspace_id, Import.id == claim.import_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if record is None or record.attempt != claim.attempt:
        raise LeaseLost
    return record


async def heartbeat(sessionmaker: async_sessionmaker[AsyncSession], claim: Claim, now: datetime) -> bool:
    """Extend the lease; False when this attempt no longer owns the import."""
    async with workspace_transaction(sessionmaker, claim.workspace_id) as session:
        result = await session.execute(
            update(Import)
            .where(Import.id == claim.import_id, Import.attempt == claim.attempt)
            .values(lease_until=now + LEASE)
        )
        return bool(getattr(result, "rowcount", 0))


async def release(sessionmaker: async_sessionmaker[AsyncSession], claim: Claim) -> None:
    """A job stopping cleanly (worker shutdown) lets the next attempt start at once."""
    async with workspace_transaction(sessionmaker, claim.workspace_id) as session:
        await session.execute(
            update(Import)
            .where(Import.id == claim.import_id, Import.attempt == claim.attempt)
            .values(lease_until=None)
        )


_DUE = or_(Import.status.in_(("queued", "running")), Import.scanned_at.is_(None))


async def claim_due_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime, limit: int = 20
) -> list[Claim]:
    """New attempts for imports nobody holds: queued, or their worker died (lease ran out)."""
    async with sessionmaker() as session, session.begin():
        unfinished = Import.status.in_(("queued", "running"))
        # A done import whose scan keeps failing stays done, only unscanned.
        await session.execute(
            update(Import)
            .where(
                _DUE,
                Import.attempt >= MAX_ATTEMPTS,
                or_(Import.lease_until.is_(None), Import.lease_until < now),
            )
            .values(
                status=case((unfinished, "failed"), else_=Import.status),
                error=case((unfinished, f"Gave up after {MAX_ATTEMPTS} attempts"), else_=Import.error),
                finished_at=func.coalesce(Import.finished_at, now),
                scanned_at=now,
                updated_at=now,
            )
        )
        due = (
            select(Import.id)
            .where(_DUE, or_(Import.lease_until.is_(None), Import.lease_until < now))
            .order_by(Import.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = (
            await session.execute(
                update(Import)
                .where(Import.id.in_(due.scalar_subquery()))
                .values(attempt=Import.attempt + 1, lease_until=now + LEASE)
                .returning(Import.workspace_id, Import.id, Import.attempt)
            )
        ).all()
        return [Claim(row.workspace_id, row.id, row.attempt) for row in rows]


async def release_dispatch_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], claims: list[Claim]
) -> None:
    """The queue refused these (Redis away): the attempts never started; due again next round."""
    if not claims:
        return
    async with sessionmaker() as session, session.begin():
        for claim in claims:
            await session.execute(
                update(Import)
                .where(Import.id == claim.import_id, Import.attempt == claim.attempt)
                .values(attempt=Import.attempt - 1, lease_until=None)
            )


async def refresh_statistics_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession],
    tables: tuple[str, ...] = ("contacts", "accounts", "deals"),
) -> None:
    """ANALYZE after a bulk load, on the connecting role (the tables' owner; `rapport_app` may not).

    Autovacuum would get there in a minute; until it does the planner believes the tables are
    as small as before the import and picks nested loops that take minutes on the new rows.
    """
    async with sessionmaker() as session, session.begin():
        for table in tables:
            await session.execute(text(f"ANALYZE {table}"))
