"""Writing a batch of deals: their accounts and contacts found or made, history and ranks kept.

Deals arrive in thousands, not hundreds of thousands, and each row names other records (an
account by name or domain, contacts by email), so a batch resolves those with one query each and
writes with multi-row INSERTs. A deal matches an existing one with the same title (any case) at
the same account. New deals go to the bottom of their column in file order (the column locked
as a card drop locks it), with a stage history that starts at `created_at`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain import ranks
from domain.imports.batches import BatchResult, FileMemory, Target, plan_batch
from domain.imports.rows import Prepared
from domain.models import Account, Contact, Deal, DealContact, StageChange, TimelineEvent
from domain.normalise import domain_from_website

_DOMAIN_LIKE = re.compile(r"(https?://)?(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}/?", re.IGNORECASE)


def _account_key(cell: str) -> tuple[str, str]:
    """("domain", "acme.com") or ("name", "acme corp")."""
    if _DOMAIN_LIKE.fullmatch(cell.strip()):
        return "domain", domain_from_website(cell)
    return "name", cell.strip().lower()


async def _accounts(
    session: AsyncSession, ws: uuid.UUID, cells: Iterable[str], owner: uuid.UUID, now: datetime
) -> dict[str, uuid.UUID]:
    wanted = {cell: _account_key(cell) for cell in cells}
    found: dict[tuple[str, str], uuid.UUID] = {}
    for kind, expression in (("name", "lower(name)"), ("domain", "domain")):
        keys = [key for k, key in wanted.values() if k == kind]
        if keys:
            rows = await session.execute(
                text(
                    f"SELECT DISTINCT ON ({expression}) {expression} AS key, id FROM accounts "
                    f"WHERE workspace_id = :ws AND merged_into_id IS NULL AND {expression} = ANY(:keys) "
                    f"ORDER BY {expression}, created_at, id"
                ),
                {"ws": ws, "keys": keys},
            )
            found.update({(kind, row.key): row.id for row in rows})
    new: list[dict[str, Any]] = []
    for cell, key in wanted.items():
        if key not in found:
            found[key] = uuid.uuid4()
            new.append(
                {
                    "id": found[key],
                    "workspace_id": ws,
                    "name": cell.strip(),
                    "domain": key[1] if key[0] == "domain" else None,
                    "owner_id": owner,
                    "tags": [],
                    "custom_fields": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if new:
        await session.execute(insert(Account), new)
    return {cell: found[key] for cell, key in wanted.items()}


async def _contacts(
    session: AsyncSession, ws: uuid.UUID, rows: list[Prepared], now: datetime
) -> dict[str, uuid.UUID]:
    """Contacts by email; one not found is made, at the account and with the owner of its first deal."""
    first_use: dict[str, Prepared] = {}
    for prepared in rows:
        for email in prepared.values["contact_emails"]:
            first_use.setdefault(email, prepared)
    if not first_use:
        return {}
    found = {
        row.email: row.id
        for row in await session.execute(
            text(
                "SELECT DISTINCT ON (email) email, id FROM contacts WHERE workspace_id = :ws "
                "AND merged_into_id IS NULL AND email = ANY(:emails) ORDER BY email, created_at, id"
            ),
            {"ws": ws, "emails": list(first_use)},
        )
    }
    new = []
    for email, prepared in first_use.items():
        if email not in found:
            found[email] = uuid.uuid4()
            new.append(
                {
                    "id": found[email],
                    "workspace_id": ws,
                    "email": email,
                    "account_id": prepared.values["account_id"],
                    "owner_id": prepared.values["owner_id"],
                    "tags": [],
                    "custom_fields": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if new:
        await session.execute(insert(Contact), new)
    return found


async def _match(session: AsyncSession, ws: uuid.UUID, rows: list[Any]) -> None:
    """Rows not matched within the file take an existing deal of the same title and account."""
    titles = list({row.values["title"].lower() for row in rows if row.match_id is None})
    if not titles:
        return
    existing = {
        (row.title, row.account_id): row.id
        for row in await session.execute(
            text(
                "SELECT DISTINCT ON (search_text, account_id) search_text AS title, account_id, id "
                "FROM deals WHERE workspace_id = :ws AND search_text = ANY(:titles) "
                "ORDER BY search_text, account_id, created_at, id"
            ),
            {"ws": ws, "titles": titles},
        )
    }
    for row in rows:
        if row.match_id is None:
            row.match_id = existing.get((row.values["title"].lower(), row.values["account_id"]))


_MERGE = text("""
    UPDATE deals SET
        amount = CASE WHEN amount IS NULL AND currency = :currency THEN :amount ELSE amount END,
        expected_close_date = coalesce(expected_close_date, :expected_close_date),
        lost_reason = coalesce(lost_reason, :lost_reason), source = coalesce(source, :source),
        lost_reason_detail = CASE WHEN lost_reason IS NULL THEN :lost_reason_detail
                                  ELSE lost_reason_detail END,
        account_id = coalesce(account_id, :account_id),
        tags = tags || ARRAY(SELECT t FROM unnest(CAST(:tags AS text[])) t WHERE NOT t = ANY(tags)),
        custom_fields = CAST(:custom_fields AS jsonb) || custom_fields,
        version = version + 1, updated_at = :now
    WHERE workspace_id = :ws AND id = :id
""")
_LINK = text("""
    INSERT INTO deal_contacts (workspace_id, deal_id, contact_id, position)
    SELECT :ws, :id, c.contact_id, coalesce((SELECT max(position) + 1 FROM deal_contacts
                                             WHERE workspace_id = :ws AND deal_id = :id), 0) + c.n
    FROM unnest(CAST(:contacts AS uuid[])) WITH ORDINALITY c(contact_id, n)
    ON CONFLICT DO NOTHING
""")


def _event(
    ws: uuid.UUID, deal_id: uuid.UUID, kind: str, data: dict[str, Any], actor: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "workspace_id": ws,
        "subject_type": "deal",
        "subject_id": deal_id,
        "type": kind,
        "actor_type": actor["type"],
        "actor_id": actor["id"],
        "actor_name": actor["name"],
        "data": data,
        "at": at,
    }


async def _create(
    session: AsyncSession,
    ws: uuid.UUID,
    rows: list[Any],
    actor: dict[str, Any],
    import_id: uuid.UUID,
    now: datetime,
) -> None:
    deals, links, history, events = [], [], [], []
    last_rank: dict[uuid.UUID, str | None] = {}
    for row in rows:
        v = row.values
        stage_id = v["stage_id"]
        if stage_id not in last_rank:
            await ranks.lock_column(session, stage_id)
            last_rank[stage_id] = await session.scalar(
                select(Deal.rank)
                .where(Deal.workspace_id == ws, Deal.stage_id == stage_id)
                .order_by(Deal.rank.desc(), Deal.id.desc())
                .limit(1)
            )
        last_rank[stage_id] = rank = ranks.rank_between(last_rank[stage_id], None)
        created = v["created_at"] or now
        closed = v["closed_at"] or (now if v["status"] != "open" else None)
        deals.append(
            {
                "id": row.id,
                "workspace_id": ws,
                "title": v["title"],
                "amount": v["amount"],
                "currency": v["currency"],
                "pipeline_id": v["pipeline_id"],
                "stage_id": stage_id,
                "status": v["status"],
                "account_id": v["account_id"],
                "owner_id": v["owner_id"],
                "expected_close_date": v["expected_close_date"],
                "closed_at": closed,
                "lost_reason": v["lost_reason"],
                "lost_reason_detail": v.get("lost_reason_detail"),
                "source": v["source"],
                "rank": rank,
                "stage_entered_at": closed or created,
                "tags": v["tags"],
                "custom_fields": v["custom_fields"],
                "version": 1,
                "created_at": created,
                "updated_at": now,
            }
        )
        links += [
            {"workspace_id": ws, "deal_id": row.id, "contact_id": c, "position": i}
            for i, c in enumerate(v["contact_ids"])
        ]
        entries = [(None, v["entered_stage_id"], created)]
        if v["entered_stage_id"] != stage_id:
            entries.append((v["entered_stage_id"], stage_id, closed or created))
        history += [
            {
                "id": uuid.uuid4(),
                "workspace_id": ws,
                "deal_id": row.id,
                "pipeline_id": v["pipeline_id"],
                "from_stage_id": a,
                "to_stage_id": b,
                "actor_type": actor["type"],
                "actor_id": actor["id"],
                "at": at,
            }
            for a, b, at in entries
        ]
        events.append(
            _event(
                ws,
                row.id,
                "created",
                {
                    "title": v["title"],
                    "stage_id": str(stage_id),
                    "stage": v["stage"],
                    "import_id": str(import_id),
                },
                actor,
                created,
            )
        )
    for model, values in (
        (Deal, deals),
        (DealContact, links),
        (StageChange, history),
        (TimelineEvent, events),
    ):
        if values:
            await session.execute(insert(model), values)


async def write_deals(
    session: AsyncSession,
    *,
    memory: FileMemory,
    rows: list[Prepared],
    workspace_id: uuid.UUID,
    import_id: uuid.UUID,
    actor: dict[str, Any],
    now: datetime,
) -> tuple[BatchResult, list[Target]]:
    ws = workspace_id
    accounts = await _accounts(
        session, ws, {p.values["account"] for p in rows if p.values["account"]}, actor["id"], now
    )
    for prepared in rows:
        prepared.values["account_id"] = accounts.get(prepared.values["account"] or "")
    contacts = await _contacts(session, ws, rows, now)
    for prepared in rows:
        prepared.values["contact_ids"] = [contacts[e] for e in prepared.values["contact_emails"]]
    staged, repeats, fresh = plan_batch("deals", memory, rows)
    if memory.policy != "create":
        await _match(session, ws, staged)
    result = BatchResult()
    new = [row for row in staged if row.match_id is None]
    for row in staged:
        if row.match_id is None:
            result.outcomes[row.row] = ("created", row.id)
        elif memory.policy == "skip":
            result.outcomes[row.row] = ("skipped", row.match_id)
        else:
            v = row.values
            await session.execute(
                _MERGE,
                {
                    "ws": ws,
                    "id": row.match_id,
                    "now": now,
                    "currency": v["currency"],
                    "amount": v["amount"],
                    "expected_close_date": v["expected_close_date"],
                    "lost_reason": v["lost_reason"],
                    "lost_reason_detail": v.get("lost_reason_detail"),
                    "source": v["source"],
                    "account_id": v["account_id"],
                    "tags": v["tags"],
                    "custom_fields": orjson.dumps(v["custom_fields"]).decode(),
                },
            )
            await session.execute(_LINK, {"ws": ws, "id": row.match_id, "contacts": v["contact_ids"]})
            await session.execute(
                insert(TimelineEvent),
                [
                    _event(
                        ws,
                        row.match_id,
                        "imported",
                        {"import_id": str(import_id), "row": row.row},
                        actor,
                        now,
                    )
                ],
            )
            result.outcomes[row.row] = ("merged", row.match_id)
    await _create(session, ws, new, actor, import_id, now)
    for target in fresh:
        assert target.row is not None
        target.record_id = result.outcomes[target.row.row][1]
    for number, target in repeats.items():
        result.outcomes[number] = ("skipped" if memory.policy == "skip" else "merged", target.record_id)
    return result, fresh
