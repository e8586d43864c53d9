"""Attachments on records: spool and check an upload, keep its record, list, read, delete.

The bytes are stored under `<workspace>/<file id>`; the record holds what the upload turned out
to be (size, sha256, the content type sniffed from the bytes) and who uploaded it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.accounts import get_account
from domain.activities import get_activity
from domain.contacts import get_contact
from domain.deals import load_deal
from domain.errors import DomainError, NotFound
from domain.files.detect import SNIFF_BYTES, clean_filename, content_type_of
from domain.files.storage import Storage, scratch_path
from domain.models import FileAttachment
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal

log = structlog.get_logger("rapport.files")

SubjectType = Literal["contact", "account", "deal", "activity"]
SORT = "-created_at"
READ_CHUNK = 256 * 1024

Reader = Callable[[int], Awaitable[bytes]]


class FileTooLarge(DomainError):
    status = 413
    title = "Payload too large"


async def require_subject(
    session: AsyncSession, principal: Principal, subject_type: SubjectType, subject_id: uuid.UUID
) -> None:
    """404 unless the record exists in this workspace (merged-away records answer as usual)."""
    if subject_type == "contact":
        await get_contact(session, principal, subject_id)
    elif subject_type == "account":
        await get_account(session, principal, subject_id)
    elif subject_type == "deal":
        await load_deal(session, principal, subject_id, lock=False)
    else:
        await get_activity(session, principal, subject_id)


@dataclass
class Spooled:
    path: Path
    size: int
    sha256: str
    content_type: str


async def spool(storage: Storage, read: Reader, *, max_bytes: int) -> Spooled:
    """Copy an upload into scratch space, hashing and counting; 413 as soon as it is too big."""
    path = scratch_path(storage)
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle = await asyncio.to_thread(path.open, "wb")
    try:
        while chunk := await read(READ_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FileTooLarge(f"A file may be at most {max_bytes // 2**20} MiB")
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            digest.update(chunk)
            await asyncio.to_thread(handle.write, chunk)
    except BaseException:
        handle.close()
        path.unlink(missing_ok=True)
        raise
    handle.close()
    return Spooled(path=path, size=size, sha256=digest.hexdigest(), content_type=content_type_of(head))


def storage_key(workspace_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"{workspace_id}/{file_id}"


async def add_file(
    session: AsyncSession,
    storage: Storage,
    *,
    principal: Principal,
    file_id: uuid.UUID,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    filename: str | None,
    spooled: Spooled,
    now: datetime,
) -> FileAttachment:
    """Record the file and move its bytes into storage. The caller commits, and on failure
    removes the key (`discard_unless_committed`)."""
    record = FileAttachment(
        id=file_id,
        workspace_id=principal.workspace_id,
        subject_type=subject_type,
        subject_id=subject_id,
        name=clean_filename(filename),
        size=spooled.size,
        sha256=spooled.sha256,
        content_type=spooled.content_type,
        storage_key=storage_key(principal.workspace_id, file_id),
        uploaded_by=principal.user_id,
        uploaded_by_api_key_id=principal.api_key_id,
        created_at=now,
    )
    session.add(record)
    await session.flush()
    await storage.put(record.storage_key, spooled.path)
    return record


@asynccontextmanager
async def discard_unless_committed(storage: Storage, keys: list[str]) -> AsyncIterator[None]:
    """Stored bytes whose record did not commit are removed again: no orphans on a failure."""
    try:
        yield
    except BaseException:
        for key in keys:
            try:
                await asyncio.shield(storage.delete(key))
            except Exception:
                log.warning("orphan_file", key=key, exc_info=True)
        raise


async def delete_blobs(storage: Storage, keys: list[str]) -> None:
    """After the records' deletion committed; a failure leaves an orphan, logged, never a dangling record."""
    for key in keys:
        try:
            await storage.delete(key)
        except Exception:
            log.warning("orphan_file", key=key, exc_info=True)


async def get_file(session: AsyncSession, principal: Principal, file_id: uuid.UUID) -> FileAttachment:
    found = (
        await session.execute(
            select(FileAttachment).where(
                FileAttachment.workspace_id == principal.workspace_id, FileAttachment.id == file_id
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("File not found")
    return found


async def list_files(
    session: AsyncSession,
    principal: Principal,
    *,
    subject_type: SubjectType,
    subject_id: uuid.UUID,
    after: Keyset | None,
    limit: int,
) -> PageResult[FileAttachment]:
    query = select(FileAttachment).where(
        FileAttachment.workspace_id == principal.workspace_id,
        FileAttachment.subject_type == subject_type,
        FileAttachment.subject_id == subject_id,
    )
    query = apply_keyset(
        query,
        column=FileAttachment.created_at,
        id_column=FileAttachment.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda f: (f.created_at, f.id))


async def delete_file(session: AsyncSession, principal: Principal, file_id: uuid.UUID) -> str:
    """Delete the record; returns the storage key to remove once the deletion committed."""
    record = await get_file(session, principal, file_id)
    key = record.storage_key
    await session.delete(record)
    await session.flush()
    return key


async def files_of(
    session: AsyncSession, workspace_id: uuid.UUID, subject_type: SubjectType, subject_ids: list[uuid.UUID]
) -> list[FileAttachment]:
    return list(
        (
            await session.execute(
                select(FileAttachment)
                .where(
                    FileAttachment.workspace_id == workspace_id,
                    FileAttachment.subject_type == subject_type,
                    FileAttachment.subject_id.in_(subject_ids),
                )
                .order_by(FileAttachment.created_at, FileAttachment.id)
            )
        ).scalars()
    )


async def delete_files_of(
    session: AsyncSession, workspace_id: uuid.UUID, subject_type: SubjectType, subject_ids: list[uuid.UUID]
) -> list[str]:
    """Delete the records of a subject's files; returns their keys to remove after commit."""
    keys = (
        await session.execute(
            delete(FileAttachment)
            .where(
                FileAttachment.workspace_id == workspace_id,
                FileAttachment.subject_type == subject_type,
                FileAttachment.subject_id.in_(subject_ids),
            )
            .returning(FileAttachment.storage_key)
        )
    ).scalars()
    return list(keys)


def remove_scratch(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
