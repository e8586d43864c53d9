"""Bulk actions on contacts, accounts and deals: the same domain functions as single edits, per record.

An operation fixes its records when created (one `bulk_operation_items` row per record, in the
order given). Each record is changed in a savepoint by the function a single edit uses (so the
timeline, outbox events, required fields and stage rules apply alike), and its result is written
in the same transaction as the change. A small set runs inside the request; a large one in
worker batches that each commit their changes and results together: a job killed mid-way leaves
the unfinished items `pending`, and the next run (or a second job racing it: the operation row
is locked per batch) takes only those, so nothing is applied twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import accounts, board, contacts, deals
from domain.clock import Clock
from domain.db import enter_workspace
from domain.deals import DealFilters
from domain.errors import DomainError, NotFound, invalid
from domain.members import require_member
from domain.models import Account, BulkOperation, BulkOperationItem, Contact, Deal
from domain.pagination import Keyset, PageResult
from domain.principal import Principal

BulkObject = Literal["contacts", "accounts", "deals"]
BulkAction = Literal["update", "assign_owner", "add_tag", "remove_tag", "delete", "move_stage"]

# Up to this many records answer at once (200 with every result); more go to a worker (202).
INLINE_LIMIT = 200
# A filter or id list may name at most this many records.
MAX_RECORDS = 50_000
BATCH_SIZE = 50
# An operation nobody has worked on for this long is picked up again by the sweep.
STALE_AFTER = timedelta(seconds=60)
QUEUED_GRACE = timedelta(seconds=0)

Record = Contact | Account | Deal


@dataclass(frozen=True)
class Outcome:
    status: Literal["ok", "skipped", "failed"]
    error: dict[str, Any] | None = None


def principal_json(principal: Principal) -> dict[str, Any]:
    data = asdict(principal)
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()}


def principal_of(data: dict[str, Any]) -> Principal:
    def as_uuid(value: Any) -> uuid.UUID | None:
        return uuid.UUID(value) if value else None

    return Principal(
        workspace_id=uuid.UUID(data["workspace_id"]),
        user_id=uuid.UUID(data["user_id"]),
        role=data["role"],
        kind=data["kind"],
        name=data["name"],
        token_id=as_uuid(data.get("token_id")),
        api_key_id=as_uuid(data.get("api_key_id")),
    )


async def check_params(
    session: AsyncSession,
    principal: Principal,
    object: BulkObject,
    action: BulkAction,
    params: dict[str, Any],
) -> None:
    """What is wrong for every record is refused once, before anything is created (422)."""
    ws = principal.workspace_id
    if action == "move_stage":
        if object != "deals":
            raise invalid("action", "move_stage applies to deals only")
        if params.get("stage_id") is None:
            raise invalid("stage_id", "move_stage needs stage_id")
        if await deals.load_stage(session, ws, uuid.UUID(str(params["stage_id"]))) is None:
            raise invalid("stage_id", "stage_id is not a stage of this workspace")
    elif action == "assign_owner":
        if params.get("owner_id") is None:
            raise invalid("owner_id", "assign_owner needs owner_id")
        await require_member(session, ws, uuid.UUID(str(params["owner_id"])), field="owner_id")
    elif action in ("add_tag", "remove_tag"):
        if not str(params.get("tag") or "").strip():
            raise invalid("tag", f"{action} needs a tag")
    elif action == "update" and not params.get("changes"):
        raise invalid("changes", "update needs the fields to change in changes")


async def ids_matching(
    session: AsyncSession, principal: Principal, object: BulkObject, filter: dict[str, Any]
) -> list[uuid.UUID]:
    """Every record the list endpoint would show with these filters, newest first."""
    found: list[uuid.UUID] = []
    after: Keyset | None = None
    while True:
        page: PageResult[Any]
        if object == "contacts":
            page = await contacts.list_contacts(
                session, principal=principal, after=after, limit=200, **filter
            )
            found.extend(c.id for c in page.items)
            next_key = page.next
        elif object == "accounts":
            page = await accounts.list_accounts(
                session, principal=principal, after=after, limit=200, **filter
            )
            found.extend(a.id for a in page.items)
            next_key = page.next
        else:
            deal_page = await deals.list_deals(
                session=session,
                principal=principal,
                filters=DealFilters(**filter),
                sort=None,
                after=after,
                limit=200,
            )
            found.extend(r.deal.id for r in deal_page.items)
            next_key = deal_page.next
        if len(found) > MAX_RECORDS:
            raise invalid("filter", f"The filter matches more than {MAX_RECORDS} records; narrow it")
        if next_key is None:
            return found
        after = next_key


async def create_operation(
    session: AsyncSession,
    *,
    principal: Principal,
    object: BulkObject,
    action: BulkAction,
    params: dict[str, Any],
    record_ids: Sequence[uuid.UUID],
    if_match: dict[str, int],
    now: datetime,
) -> BulkOperation:
    ordered = list(dict.fromkeys(record_ids))
    if len(ordered) > MAX_RECORDS:
        raise invalid("ids", f"At most {MAX_RECORDS} records per operation")
    operation = BulkOperation(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        object=object,
        action=action,
        params=params,
        if_match=if_match,
        principal=principal_json(principal),
        status="queued" if ordered else "done",
        total=len(ordered),
        processed=0,
        succeeded=0,
        failed=0,
        skipped=0,
        created_at=now,
        finished_at=None if ordered else now,
    )
    session.add(operation)
    await session.flush()
    for start in range(0, len(ordered), 5000):
        await session.execute(
            insert(BulkOperationItem),
            [
                {
                    "workspace_id": principal.workspace_id,
                    "operation_id": operation.id,
                    "record_id": record_id,
                    "position": start + offset,
                    "status": "pending",
                }
                for offset, record_id in enumerate(ordered[start : start + 5000])
            ],
        )
    return operation


async def get_operation(
    session: AsyncSession, principal: Principal, operation_id: uuid.UUID
) -> BulkOperation:
    operation = (
        await session.execute(
            select(BulkOperation).where(
                BulkOperation.workspace_id == principal.workspace_id, BulkOperation.id == operation_id
            )
        )
    ).scalar_one_or_none()
    if operation is None:
        raise NotFound("Bulk operation not found")
    return operation


async def results(
    session: AsyncSession, operation: BulkOperation, *, after: int | None, limit: int
) -> tuple[list[BulkOperationItem], int | None]:
    """Per-record results in the order the records were given; the position to continue after."""
    query = select(BulkOperationItem).where(
        BulkOperationItem.workspace_id == operation.workspace_id,
        BulkOperationItem.operation_id == operation.id,
    )
    if after is not None:
        query = query.where(BulkOperationItem.position > after)
    rows = list(
        (await session.execute(query.order_by(BulkOperationItem.position).limit(limit + 1))).scalars()
    )
    if len(rows) > limit:
        return rows[:limit], rows[limit - 1].position
    return rows, None


async def _load(
    session: AsyncSession, principal: Principal, object: BulkObject, record_id: uuid.UUID
) -> Record:
    if object == "contacts":
        return await contacts.get_contact(session, principal, record_id, for_update=True)
    if object == "accounts":
        return await accounts.get_account(session, principal, record_id, for_update=True)
    return await deals.load_deal(session, principal, record_id, lock=True)


async def _update(
    session: AsyncSession,
    principal: Principal,
    object: BulkObject,
    record_id: uuid.UUID,
    changes: dict[str, Any],
    expected: int | None,
    now: datetime,
) -> None:
    if object == "contacts":
        await contacts.update_contact(
            session,
            principal=principal,
            contact_id=record_id,
            changes=changes,
            expected_version=expected,
            now=now,
        )
    elif object == "accounts":
        await accounts.update_account(
            session,
            principal=principal,
            account_id=record_id,
            changes=changes,
            expected_version=expected,
            now=now,
        )
    else:
        await deals.update_deal(
            session=session,
            principal=principal,
            deal_id=record_id,
            changes=changes,
            expected_version=expected,
            now=now,
        )


async def _delete(
    session: AsyncSession,
    principal: Principal,
    object: BulkObject,
    record_id: uuid.UUID,
    expected: int | None,
    now: datetime,
) -> None:
    if object == "contacts":
        await contacts.delete_contact(
            session, principal=principal, contact_id=record_id, expected_version=expected, now=now
        )
    elif object == "accounts":
        await accounts.delete_account(
            session, principal=principal, account_id=record_id, expected_version=expected, now=now
        )
    else:
        await deals.delete_deal(
            session=session, principal=principal, deal_id=record_id, expected_version=expected, now=now
        )


async def apply_one(
    session: AsyncSession,
    principal: Principal,
    operation: BulkOperation,
    record_id: uuid.UUID,
    now: datetime,
) -> Literal["ok", "skipped"]:
    """One record's change through the single-edit function; raises what a single edit would."""
    object = cast(BulkObject, operation.object)
    params = operation.params
    expected = operation.if_match.get(str(record_id))
    if operation.action == "delete":
        await _delete(session, principal, object, record_id, expected, now)
        return "ok"
    record_ = await _load(session, principal, object, record_id)
    version = record_.version
    if operation.action == "move_stage":
        stage_id = uuid.UUID(str(params["stage_id"]))
        assert isinstance(record_, Deal)
        if record_.stage_id == stage_id and expected in (None, version):
            return "skipped"
        await board.move_deal(
            session=session,
            principal=principal,
            deal_id=record_id,
            to_stage_id=stage_id,
            after_id=None,
            expected_version=expected,
            lost_reason=params.get("lost_reason"),
            pipeline_id=uuid.UUID(str(params["pipeline_id"])) if params.get("pipeline_id") else None,
            now=now,
        )
        return "ok"
    changes: dict[str, Any]
    if operation.action == "update":
        changes = typed_changes(params["changes"])
    elif operation.action == "assign_owner":
        changes = {"owner_id": uuid.UUID(str(params["owner_id"]))}
    else:
        tag = str(params["tag"]).strip()
        tags = list(record_.tags)
        if operation.action == "add_tag":
            changes = {"tags": tags if tag in tags else [*tags, tag]}
        else:
            changes = {"tags": [t for t in tags if t != tag]}
    await _update(session, principal, object, record_id, changes, expected, now)
    # Nothing to change (already the owner, already tagged): the record is left as it was.
    return "ok" if record_.version != version else "skipped"


def typed_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Stored changes (JSON) back in the types a single edit passes: ids as UUIDs, dates as dates."""
    typed: dict[str, Any] = {}
    for key, value in changes.items():
        if value is not None and key.endswith("_id"):
            typed[key] = uuid.UUID(str(value))
        elif value is not None and key.endswith("_ids"):
            typed[key] = [uuid.UUID(str(v)) for v in value]
        elif value is not None and key.endswith("_date"):
            typed[key] = date.fromisoformat(str(value))
        else:
            typed[key] = value
    return typed


def _error(exc: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {"status": exc.status, "title": exc.title, "detail": exc.detail}
    if exc.errors:
        body["errors"] = [{"loc": list(e.loc), "msg": e.msg, "type": e.type} for e in exc.errors]
    body.update({k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool | None)})
    return body


async def process_items(
    session: AsyncSession,
    operation: BulkOperation,
    items: Sequence[BulkOperationItem],
    now: datetime,
) -> None:
    """Apply each pending item in its own savepoint and record its result beside the change."""
    principal = principal_of(operation.principal)
    for item in items:
        try:
            async with session.begin_nested():
                status = await apply_one(session, principal, operation, item.record_id, now)
            outcome = Outcome(status)
        except DomainError as exc:
            outcome = Outcome("failed", _error(exc))
        item.status = outcome.status
        item.error = outcome.error
        item.done_at = now
        operation.processed += 1
        if outcome.status == "ok":
            operation.succeeded += 1
        elif outcome.status == "skipped":
            operation.skipped += 1
        else:
            operation.failed += 1
    await session.flush()


async def run_inline(session: AsyncSession, operation: BulkOperation, now: datetime) -> None:
    items = (
        await session.execute(
            select(BulkOperationItem)
            .where(
                BulkOperationItem.workspace_id == operation.workspace_id,
                BulkOperationItem.operation_id == operation.id,
            )
            .order_by(BulkOperationItem.position)
        )
    ).scalars()
    operation.status = "running"
    operation.started_at = now
    await process_items(session, operation, list(items), now)
    operation.status = "done"
    operation.heartbeat_at = now
    operation.finished_at = now


async def run_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    operation_id: uuid.UUID,
    now: datetime,
    *,
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Process the next batch in one transaction; False when nothing is left to do."""
    async with sessionmaker() as session, session.begin():
        await enter_workspace(session, workspace_id)
        # Locked for the batch: a second job on the same operation waits, then sees these done.
        operation = (
            await session.execute(
                select(BulkOperation)
                .where(BulkOperation.workspace_id == workspace_id, BulkOperation.id == operation_id)
                .with_for_update()
            )
        ).scalar_one_or_none()
        if operation is None or operation.status in ("done", "failed"):
            return False
        items = list(
            (
                await session.execute(
                    select(BulkOperationItem)
                    .where(
                        BulkOperationItem.workspace_id == workspace_id,
                        BulkOperationItem.operation_id == operation_id,
                        BulkOperationItem.status == "pending",
                    )
                    .order_by(BulkOperationItem.position)
                    .limit(batch_size)
                )
            ).scalars()
        )
        if operation.started_at is None:
            operation.started_at = now
        operation.status = "running"
        operation.heartbeat_at = now
        if not items:
            operation.status = "done"
            operation.finished_at = now
            return False
        await process_items(session, operation, items, now)
        return True


async def run_operation(
    sessionmaker: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    operation_id: uuid.UUID,
    clock: Clock,
    *,
    max_batches: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Work through an operation's pending items; True when none is left (`max_batches`: stop early)."""
    batches = 0
    while await run_batch(sessionmaker, workspace_id, operation_id, clock.now(), batch_size=batch_size):
        batches += 1
        if max_batches is not None and batches >= max_batches:
            return False
    return True


async def unfinished_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Operations nobody is working on: queued past a grace period, or running without a heartbeat."""
    async with sessionmaker() as session, session.begin():
        rows = await session.execute(
            select(BulkOperation.workspace_id, BulkOperation.id).where(
                BulkOperation.status.in_(("queued", "running")),
                or_(
                    BulkOperation.heartbeat_at < now - STALE_AFTER,
                    (BulkOperation.heartbeat_at.is_(None)) & (BulkOperation.created_at < now - QUEUED_GRACE),
                ),
            )
        )
        return [(r.workspace_id, r.id) for r in rows]
