"""Idempotency-Key for POSTs: the first answer is stored with the write and replayed for 24 h."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from domain.errors import BadRequest, Conflict
from domain.models import IdempotencyRecord

REPLAY_WINDOW = timedelta(hours=24)
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Replaying these would hand out a secret a second time.
NOT_REPLAYED_PREFIXES = ("/api/v1/auth/", "/api/v1/api-keys")


class Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        self.record = record


@dataclass
class Claim:
    scope_id: uuid.UUID
    key: str
    fingerprint: str


async def _payload(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # Parsed, so a new multipart boundary on a retry is still the same body.
        form = await request.form()
        items: list[tuple[str, str]] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                await value.seek(0)
                items.append((name, f"file:{value.filename}:{hashlib.sha256(content).hexdigest()}"))
            else:
                items.append((name, str(value)))
        return sorted(items)
    body = await request.body()
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("latin-1")


async def fingerprint(request: Request) -> str:
    canonical = json.dumps(
        {
            "method": request.method,
            "path": request.url.path,
            "query": sorted(request.query_params.multi_items()),
            "body": await _payload(request),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _requested_key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or request.url.path.startswith(NOT_REPLAYED_PREFIXES):
        return None
    key = key.strip()
    if not key or len(key) > 255:
        raise BadRequest(f"{HEADER} must be 1 to 255 characters")
    return key


async def _claim_key(
    session: AsyncSession, *, scope_id: uuid.UUID, key: str, print_: str, now: datetime
) -> Claim:
    # A concurrent duplicate waits here until the first commits, then sees its record.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"idem:{scope_id}:{key}"}
    )
    record = (
        await session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.workspace_id == scope_id, IdempotencyRecord.key == key
            )
        )
    ).scalar_one_or_none()
    if record is not None and record.created_at < now - REPLAY_WINDOW:
        await session.delete(record)
        await session.flush()
        record = None
    if record is not None:
        if record.fingerprint != print_:
            raise Conflict(f"This {HEADER} was already used with a different request")
        raise Replay(record)
    return Claim(scope_id=scope_id, key=key, fingerprint=print_)


async def claim(
    session: AsyncSession, request: Request, *, scope_id: uuid.UUID, now: datetime
) -> Claim | None:
    """Serialise on (scope, key); raise Replay when answered before, Conflict on another body."""
    key = _requested_key(request)
    if key is None:
        return None
    return await _claim_key(session, scope_id=scope_id, key=key, print_=await fingerprint(request), now=now)


async def claim_for_form(
    session: AsyncSession,
    request: Request,
    *,
    workspace_id: uuid.UUID,
    form_id: uuid.UUID,
    payload: Any,
    now: datetime,
) -> Claim | None:
    """A public submission's key, scoped to its form: kept in the form's workspace under `form:<id>:`.

    `payload` is the parsed submission (a multipart retry has a new boundary but the same fields).
    """
    key = _requested_key(request)
    if key is None:
        return None
    stored = f"form:{form_id}:{key}"
    if len(stored) > 255:
        stored = f"form:{form_id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    canonical = json.dumps(
        {"form": str(form_id), "body": payload}, sort_keys=True, separators=(",", ":"), default=str
    )
    print_ = hashlib.sha256(canonical.encode()).hexdigest()
    return await _claim_key(session, scope_id=workspace_id, key=stored, print_=print_, now=now)


def store(
    session: AsyncSession,
    claim_: Claim,
    *,
    status_code: int,
    headers: dict[str, str],
    body: bytes,
    now: datetime,
) -> None:
    session.add(
        IdempotencyRecord(
            id=uuid.uuid4(),
            workspace_id=claim_.scope_id,
            key=claim_.key,
            fingerprint=claim_.fingerprint,
            status_code=status_code,
            headers=headers,
            body=body,
            created_at=now,
        )
    )


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - REPLAY_WINDOW))
