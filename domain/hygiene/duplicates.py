"""Near-duplicate candidates: flagged when a record is written, scanned after an import, listed
as groups, dismissed by a person.

A pair is stored once, older record first, with its score and reasons. A dismissed pair keeps its
row (and `dismissed_at`), so re-flagging the same two records never brings it back. Merging or
deleting a record drops its pairs (a merge explicitly; a delete through the foreign keys).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, delete, func, or_, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import invalid
from domain.hygiene.normalise import company_domain
from domain.hygiene.similarity import Person, compare_accounts, compare_people, fold
from domain.models import Account, AccountDuplicate, Contact, ContactDuplicate, ContactEmail, ContactPhone
from domain.pagination import Keyset

DuplicateKind = Literal["contacts", "accounts"]
PAIR_MODELS: dict[str, type[ContactDuplicate] | type[AccountDuplicate]] = {
    "contacts": ContactDuplicate,
    "accounts": AccountDuplicate,
}
# A single write compares against this many neighbours at most (the newest), so a create stays
# a few milliseconds however large the account or email domain is.
CANDIDATES_PER_WRITE = 200
SORT = "-score"


@dataclass
class DuplicateGroup:
    object: DuplicateKind
    score: int
    reasons: list[str]
    record_ids: list[uuid.UUID]


@dataclass
class Pair:
    older: uuid.UUID
    newer: uuid.UUID
    score: int
    reasons: list[str]


def person(row: Any) -> Person:
    return Person(
        id=row.id,
        first=fold(row.first_name),
        last=fold(row.last_name),
        email=row.email,
        phone=row.phone,
        account_id=row.account_id,
        domain=company_domain(row.email),
        emails=frozenset(
            [
                *([row.email] if row.email else []),
                *(e["email"] for e in getattr(row, "other_emails", None) or []),
            ]
        ),
        phones=frozenset(
            [
                *([row.phone] if row.phone else []),
                *(p["phone"] for p in getattr(row, "other_phones", None) or []),
            ]
        ),
    )


_PERSON_COLUMNS = (
    Contact.id,
    Contact.first_name,
    Contact.last_name,
    Contact.email,
    Contact.phone,
    Contact.account_id,
    Contact.created_at,
    Contact.other_emails,
    Contact.other_phones,
)


async def save_pairs(
    session: AsyncSession, workspace_id: uuid.UUID, kind: DuplicateKind, pairs: Sequence[Pair], now: datetime
) -> None:
    """Upsert pairs; a dismissed pair stays dismissed and keeps what it said."""
    model = PAIR_MODELS[kind]
    unique = list({(p.older, p.newer): p for p in pairs}.values())
    # A statement's bind parameters are limited (32767): a thousand rows of six at a time.
    for start in range(0, len(unique), 1000):
        statement = insert(model).values(
            [
                {
                    "workspace_id": workspace_id,
                    "record_id": p.older,
                    "other_id": p.newer,
                    "score": p.score,
                    "reasons": p.reasons,
                    "created_at": now,
                }
                for p in unique[start : start + 1000]
            ]
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["workspace_id", "record_id", "other_id"],
                set_={"score": statement.excluded.score, "reasons": statement.excluded.reasons},
                where=model.dismissed_at.is_(None),
            )
        )


async def forget(
    session: AsyncSession, workspace_id: uuid.UUID, kind: DuplicateKind, ids: Iterable[uuid.UUID]
) -> None:
    """Drop the open pairs of these records (their data changed, or they were merged away)."""
    model = PAIR_MODELS[kind]
    id_list = list(ids)
    await session.execute(
        delete(model).where(
            model.workspace_id == workspace_id,
            model.dismissed_at.is_(None),
            or_(model.record_id.in_(id_list), model.other_id.in_(id_list)),
        )
    )


def ordered_pair(a: Any, b: Any, score: int, reasons: list[str]) -> Pair:
    """The pair of two rows (with `id` and `created_at`), the older first."""
    first, second = sorted((a, b), key=lambda r: (r.created_at, r.id))
    return Pair(first.id, second.id, score, reasons)


async def flag_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact: Contact, now: datetime
) -> None:
    """Compare a written contact with its likely twins: the same account, email domain, email or
    phone. Stale open pairs of the contact go first, so an edit that settles a doubt clears it."""
    await forget(session, workspace_id, "contacts", [contact.id])
    me = person(contact)
    near: list[ColumnElement[bool]] = []
    if me.emails:
        others = select(ContactEmail.contact_id).where(
            ContactEmail.workspace_id == workspace_id, ContactEmail.email.in_(me.emails)
        )
        near += [Contact.email.in_(me.emails), Contact.id.in_(others)]
    if me.phones:
        others = select(ContactPhone.contact_id).where(
            ContactPhone.workspace_id == workspace_id, ContactPhone.phone.in_(me.phones)
        )
        near += [Contact.phone.in_(me.phones), Contact.id.in_(others)]
    if me.account_id is not None:
        near.append(Contact.account_id == me.account_id)
    if me.domain is not None:
        near.append(func.split_part(Contact.email, "@", 2) == me.domain)
    if not near:
        return
    # One branch per neighbourhood, each on its own index and cut to the newest few, rather than
    # one OR that PostgreSQL would answer by sorting a whole big company's contacts.
    branches = [
        select(*_PERSON_COLUMNS)
        .where(
            Contact.workspace_id == workspace_id,
            Contact.merged_into_id.is_(None),
            Contact.id != contact.id,
            condition,
        )
        .order_by(Contact.created_at.desc())
        .limit(CANDIDATES_PER_WRITE)
        for condition in near
    ]
    rows = {row.id: row for row in (await session.execute(union_all(*branches))).all()}.values()
    pairs = [ordered_pair(contact, row, *found) for row in rows if (found := compare_people(me, person(row)))]
    await save_pairs(session, workspace_id, "contacts", pairs, now)


async def flag_account(
    session: AsyncSession, workspace_id: uuid.UUID, account: Account, now: datetime
) -> None:
    """The same domain, or a near-identical name (trigram candidates, then rapidfuzz)."""
    await forget(session, workspace_id, "accounts", [account.id])
    near = [func.similarity(func.lower(Account.name), account.name.lower()) > 0.4]
    if account.domain:
        near.append(Account.domain == account.domain)
    rows = (
        await session.execute(
            select(Account.id, Account.name, Account.domain, Account.created_at)
            .where(
                Account.workspace_id == workspace_id,
                Account.merged_into_id.is_(None),
                Account.id != account.id,
                or_(*near),
            )
            .order_by(Account.created_at.desc())
            .limit(CANDIDATES_PER_WRITE)
        )
    ).all()
    pairs = [
        ordered_pair(account, row, *found)
        for row in rows
        if (found := compare_accounts(account.name, account.domain, row.name, row.domain))
    ]
    await save_pairs(session, workspace_id, "accounts", pairs, now)


_GROUPS = """
WITH pairs AS (
    SELECT 'contacts' AS object, d.record_id, d.other_id, d.score, d.reasons
    FROM contact_duplicates d
    JOIN contacts a ON a.workspace_id = d.workspace_id AND a.id = d.record_id AND a.merged_into_id IS NULL
    JOIN contacts b ON b.workspace_id = d.workspace_id AND b.id = d.other_id AND b.merged_into_id IS NULL
    WHERE d.workspace_id = :ws AND d.dismissed_at IS NULL AND :contacts
    UNION ALL
    SELECT 'accounts', d.record_id, d.other_id, d.score, d.reasons
    FROM account_duplicates d
    JOIN accounts a ON a.workspace_id = d.workspace_id AND a.id = d.record_id AND a.merged_into_id IS NULL
    JOIN accounts b ON b.workspace_id = d.workspace_id AND b.id = d.other_id AND b.merged_into_id IS NULL
    WHERE d.workspace_id = :ws AND d.dismissed_at IS NULL AND :accounts
)
SELECT object, record_id, max(score) AS score, array_agg(other_id ORDER BY score DESC, other_id) AS others,
       jsonb_agg(reasons) AS reasons
FROM pairs GROUP BY object, record_id
"""


def _kinds(kind: DuplicateKind | None) -> dict[str, bool]:
    return {"contacts": kind in (None, "contacts"), "accounts": kind in (None, "accounts")}


async def list_groups(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    *,
    kind: DuplicateKind | None = None,
    record_id: uuid.UUID | None = None,
    after: Keyset | None = None,
    limit: int,
) -> tuple[list[DuplicateGroup], Keyset | None]:
    """Groups around their oldest record, most certain first: `record_ids` starts with it.

    With `record_id`, only the groups holding that record (a record page's "possible duplicates").
    """
    params: dict[str, Any] = {"ws": workspace_id, "limit": limit + 1, **_kinds(kind)}
    conditions: list[str] = []
    if record_id is not None:
        conditions.append("(record_id = CAST(:record_id AS uuid) OR CAST(:record_id AS uuid) = ANY(others))")
        params["record_id"] = record_id
    if after is not None:
        conditions.append("(score, record_id) < (:after_score, :after_id)")
        params.update(after_score=int(after.value), after_id=after.id)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    rows = (
        await session.execute(
            text(
                f"SELECT * FROM ({_GROUPS}) groups {where} ORDER BY score DESC, record_id DESC LIMIT :limit"
            ),
            params,
        )
    ).all()
    groups = [
        DuplicateGroup(
            object=row.object,
            score=int(row.score),
            reasons=list(dict.fromkeys(r for reasons in row.reasons for r in reasons)),
            record_ids=[row.record_id, *row.others],
        )
        for row in rows[:limit]
    ]
    following = None
    if len(rows) > limit:
        last = rows[limit - 1]
        following = Keyset(sort=SORT, value=int(last.score), id=last.record_id)
    return groups, following


async def count_groups(
    session: AsyncSession, workspace_id: uuid.UUID, kind: DuplicateKind | None = None
) -> int:
    count = await session.scalar(
        text(f"SELECT count(*) FROM ({_GROUPS}) groups"), {"ws": workspace_id, **_kinds(kind)}
    )
    return int(count or 0)


async def dismiss(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: DuplicateKind,
    record_ids: Sequence[uuid.UUID],
    now: datetime,
) -> int:
    """Mark every pair among `record_ids` as "not the same"; returns how many pairs that was."""
    ids = list(dict.fromkeys(record_ids))
    if len(ids) < 2:
        raise invalid("record_ids", "Name at least two records")
    model = PAIR_MODELS[kind]
    result = await session.execute(
        update(model)
        .where(
            model.workspace_id == workspace_id,
            model.record_id.in_(ids),
            model.other_id.in_(ids),
            model.dismissed_at.is_(None),
        )
        .values(dismissed_at=now, dismissed_by=user_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)
