"""Undo for deletes: a deleted record waits 30 days in the trash, restorable with its links.

Why a snapshot table and not a `deleted_at` column: a soft-deleted row stays in its table, so
every read (lists, `q` search and its SECURITY DEFINER functions, the board and its trigger-kept
stage totals, the report summary tables, automations' candidates, duplicates, exports, Today,
imports matching by email) would need a filter, and one forgotten filter leaks a deleted record.
Here the delete is the delete it always was, and the trash keeps what it undid
(domain.trash_links); restoring re-inserts the rows, which fires the same triggers an insert
always fires, so stage totals and report summaries come back with them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import trash_links
from domain.errors import Conflict, NotFound
from domain.models import Account, Activity, Contact, Deal, TrashItem
from domain.outbox import emit
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal
from domain.snapshots import snapshot
from domain.timeline import record

if TYPE_CHECKING:
    from domain.files.storage import Storage

KEPT_FOR = timedelta(days=30)

TrashObject = Literal["contacts", "accounts", "deals", "activities"]
SubjectName = Literal["contact", "account", "deal", "activity"]
SUBJECTS: dict[str, SubjectName] = {
    "contacts": "contact",
    "accounts": "account",
    "deals": "deal",
    "activities": "activity",
}
MODELS: dict[str, type[Contact] | type[Account] | type[Deal] | type[Activity]] = {
    "contacts": Contact,
    "accounts": Account,
    "deals": Deal,
    "activities": Activity,
}
SORT = "-deleted_at"


def title_of(table: str, row: dict[str, Any]) -> str:
    if table == "contacts":
        name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
        return name or row.get("email") or row.get("phone") or "Unnamed contact"
    if table == "accounts":
        return str(row.get("name") or "Unnamed account")
    if table == "deals":
        return str(row.get("title") or "Untitled deal")
    return str(row.get("subject") or "Activity")


async def move_to_trash(
    session: AsyncSession, principal: Principal, table: TrashObject, record_id: uuid.UUID, now: datetime
) -> None:
    """Keep the record and the links its delete will undo; call just before deleting it."""
    await session.flush()
    row = await trash_links.read_row(session, table, principal.workspace_id, record_id)
    if row is None:
        raise NotFound(f"{SUBJECTS[table].capitalize()} not found")
    snap = await trash_links.capture(session, table, row)
    session.add(
        TrashItem(
            id=record_id,
            workspace_id=principal.workspace_id,
            object=table,
            title=title_of(table, row)[:500],
            snapshot=snap,
            deleted_at=now,
            deleted_by_type=principal.kind,
            deleted_by_id=principal.actor_id,
            deleted_by_name=principal.name,
            purge_at=now + KEPT_FOR,
        )
    )
    # The timeline outlives the delete (events are not tied to the row): a restored record
    # shows who deleted it and who brought it back.
    await record(
        session,
        principal=principal,
        subject_type=SUBJECTS[table],
        subject_id=record_id,
        type="deleted",
        data={},
        at=now,
    )


@dataclass
class Restored:
    object: str
    id: uuid.UUID
    dropped_links: int


async def restore(
    session: AsyncSession, *, principal: Principal, table: TrashObject, record_id: uuid.UUID, now: datetime
) -> Restored:
    """Put the record back with its links; 404 when it is not in this workspace's trash."""
    item = (
        await session.execute(
            select(TrashItem)
            .where(
                TrashItem.workspace_id == principal.workspace_id,
                TrashItem.id == record_id,
                TrashItem.object == table,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFound(f"No {SUBJECTS[table]} with this id is in the trash")
    snap = item.snapshot
    cat = await trash_links.catalog(session)
    row = dict(snap["row"])
    dropped = 0
    for missing in await trash_links.missing_links(session, table, row):
        fk = missing.fk
        if fk.on_delete != "n" or not fk.set_null:
            raise Conflict(
                f"This {SUBJECTS[table]} cannot be restored: the {fk.ref_table[:-1]} it belongs to "
                f"({', '.join(fk.columns[1:] or fk.columns)}) no longer exists"
            )
        for column in fk.set_null:
            row[column] = None
        if missing.trashed_id:
            await trash_links.hand_over(
                session,
                missing.trashed_id,
                "set_null",
                {
                    "table": table,
                    "columns": list(fk.set_null),
                    "keys": [trash_links.primary_key(cat, table, row)],
                    "fk": list(fk.columns),
                },
            )
        else:
            dropped += 1
    try:
        async with session.begin_nested():
            await trash_links.insert_row(session, table, row, skip_existing=False)
    except IntegrityError:
        # A unique value (a tracking token, say) was taken by another record meanwhile.
        raise Conflict(
            f"This {SUBJECTS[table]} cannot be restored: another record now holds one of its unique values"
        ) from None
    for entry in snap.get("cascade", []):
        dropped += await _restore_cascaded(session, cat, entry["table"], dict(entry["row"]))
    for link in snap.get("set_null", []):
        await trash_links.relink(session, table, row, link)
    await session.delete(item)
    await session.flush()
    await record(
        session,
        principal=principal,
        subject_type=SUBJECTS[table],
        subject_id=record_id,
        type="restored",
        data={},
        at=now,
    )
    await _announce(session, principal, table, record_id, now)
    return Restored(object=table, id=record_id, dropped_links=dropped)


async def _restore_cascaded(
    session: AsyncSession, cat: trash_links.Catalog, table: str, row: dict[str, Any]
) -> int:
    """Re-insert one row the delete cascaded to; returns 1 when it had to be left out."""
    if table not in cat.columns:
        return 1
    waiting_on: str | None = None
    for missing in await trash_links.missing_links(session, table, row):
        fk = missing.fk
        if fk.on_delete == "n" and fk.set_null:
            for column in fk.set_null:
                row[column] = None
            if missing.trashed_id:
                await trash_links.hand_over(
                    session,
                    missing.trashed_id,
                    "set_null",
                    {
                        "table": table,
                        "columns": list(fk.set_null),
                        "keys": [trash_links.primary_key(cat, table, row)],
                        "fk": list(fk.columns),
                    },
                )
        elif missing.trashed_id and waiting_on is None:
            waiting_on = missing.trashed_id
        else:
            return 1
    if waiting_on is not None:
        # E.g. a deal's link to a contact that is in the trash too: it comes back with the contact.
        await trash_links.hand_over(session, waiting_on, "cascade", {"table": table, "row": row})
        return 0
    await trash_links.insert_row(session, table, row, skip_existing=True)
    return 0


async def _announce(
    session: AsyncSession, principal: Principal, table: str, record_id: uuid.UUID, now: datetime
) -> None:
    model = MODELS[table]
    restored = (
        await session.execute(
            select(model)
            .where(model.workspace_id == principal.workspace_id, model.id == record_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    extra: dict[str, Any] = {}
    if table == "deals":
        from domain.deals import contact_ids_by_deal

        extra["contact_ids"] = (await contact_ids_by_deal(session, principal.workspace_id, [record_id]))[
            record_id
        ]
    await emit(
        session,
        workspace_id=principal.workspace_id,
        type=f"{SUBJECTS[table]}.restored",
        payload=snapshot(restored, **extra),
        now=now,
        subject_type=SUBJECTS[table],
        subject_id=record_id,
        actor=principal,
    )


async def list_trash(
    session: AsyncSession,
    *,
    principal: Principal,
    object: TrashObject | None,
    after: Keyset | None,
    limit: int,
) -> PageResult[TrashItem]:
    query = select(TrashItem).where(TrashItem.workspace_id == principal.workspace_id)
    if object is not None:
        query = query.where(TrashItem.object == object)
    query = apply_keyset(
        query, column=TrashItem.deleted_at, id_column=TrashItem.id, descending=True, after=after, limit=limit
    )
    rows = list((await session.execute(query)).scalars().all())
    return page_of(rows, limit=limit, sort=SORT, key=lambda item: (item.deleted_at, item.id))


async def purge_trash_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, storage: Storage | None = None
) -> int:
    """Forget what has been in any workspace's trash for 30 days (a sweep: on the connecting role).

    The records themselves left their tables when deleted; their snapshots go now, and with them
    the files that were kept attached so a restore could bring them back (their bytes after the
    commit: a failure there leaves an orphan, never a file record without bytes). Running it
    again removes nothing more.
    """
    # Files know the records they hang on (domain.files imports the record modules, which import
    # this one): imported here, not at the top.
    from domain.files.attachments import delete_blobs, delete_files_of

    keys: list[str] = []
    async with sessionmaker() as session, session.begin():
        purged = (
            await session.execute(
                delete(TrashItem)
                .where(TrashItem.purge_at <= now)
                .returning(TrashItem.workspace_id, TrashItem.object, TrashItem.id)
            )
        ).all()
        by_subject: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = {}
        for workspace_id, table, record_id in purged:
            by_subject.setdefault((workspace_id, table), []).append(record_id)
        for (workspace_id, table), ids in by_subject.items():
            keys += await delete_files_of(session, workspace_id, SUBJECTS[table], ids)
    if storage is not None:
        await delete_blobs(storage, keys)
    return len(purged)
