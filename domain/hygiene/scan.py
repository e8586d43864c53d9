"""Scanning many records for near duplicates at once: after an import, a block at a time.

A record written one by one is compared with its neighbours as it is written (duplicates.py).
An import writes thousands at once, so the scan works in blocks instead: contacts that share an
account, contacts that share a company email domain, accounts whose names start alike. Within a
block, `rapidfuzz.process.extract` finds each new record's closest few members (names with
nicknames folded to one given name and words sorted, so swapped names meet too), and only those
pairs are scored in full by `similarity`. Exact email and phone twins come straight from SQL.
Memory is one block at a time; a block's rows stream from a server-side cursor.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.hygiene.duplicates import Pair, ordered_pair, person, save_pairs
from domain.hygiene.normalise import FREE_MAIL_DOMAINS
from domain.hygiene.similarity import (
    Person,
    account_key,
    canonical_given_name,
    compare_accounts,
    compare_people,
)
from domain.models import Account, Contact

PREFILTER = 75
SAVE_EVERY = 2000
# A scan stops flagging after this many pairs: a file that is mostly look-alikes (test data,
# generated names) should not bury the list, nor keep a worker busy for minutes.
MAX_PAIRS_PER_SCAN = 10_000
# A record keeps its closest few look-alikes: a list of a thousand "maybe"s helps nobody.
MATCHES_PER_RECORD = 5
# Past this size a block is searched by sorted neighbourhoods (close_pairs), not pairwise.
BLOCK_LIMIT = 500
WINDOW = 30


def _probe(p: Person) -> str:
    words = [canonical_given_name(p.first), p.last]
    return " ".join(sorted(word for word in words if word))


def _closest(a: int, candidates: Sequence[int], probes: Sequence[str], found: set[tuple[int, int]]) -> None:
    matches = process.extract(
        probes[a],
        [probes[i] for i in candidates],
        scorer=fuzz.ratio,
        score_cutoff=PREFILTER,
        limit=MATCHES_PER_RECORD + 1,
    )
    for _, _, position in matches:
        b = candidates[position]
        if a != b:
            found.add((min(a, b), max(a, b)))


def close_pairs(new: Sequence[int], probes: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (a new member, any member) whose probes are close, each pair once.

    A small block compares every new member with every member. A big one (a large customer's
    thousands of contacts) uses sorted neighbourhoods instead: members sorted by name, and by the
    name reversed, and each new member compared with its `WINDOW` neighbours either side in both
    orders, so near-identical names meet whether they differ at their start or their end.
    """
    found: set[tuple[int, int]] = set()
    everyone = list(range(len(probes)))
    if len(probes) <= BLOCK_LIMIT:
        for a in new:
            if probes[a]:
                _closest(a, everyone, probes, found)
        return sorted(found)
    for key in (lambda i: probes[i], lambda i: probes[i][::-1]):
        order = sorted(everyone, key=key)
        place = {member: k for k, member in enumerate(order)}
        for a in new:
            if probes[a]:
                k = place[a]
                _closest(a, order[max(0, k - WINDOW) : k + WINDOW + 1], probes, found)
    return sorted(found)


async def _blocks(session: AsyncSession, query: Any, key: Callable[[Any], Any]) -> AsyncIterator[list[Any]]:
    result = await session.stream(query.execution_options(yield_per=2000))
    async for _, rows in _grouped(result, key):
        yield rows


async def _grouped(result: Any, key: Callable[[Any], Any]) -> AsyncIterator[tuple[Any, list[Any]]]:
    current: Any = object()
    block: list[Any] = []
    async for row in result:
        k = key(row)
        if k != current and block:
            yield current, block
            block = []
        current = k
        block.append(row)
    if block:
        yield current, block


async def _exact_contact_pairs(session: AsyncSession, workspace_id: uuid.UUID, since: datetime) -> list[Any]:
    """New contacts sharing an email or a phone with another live one (each key on its index)."""
    twins = """
        SELECT n.id AS a, o.id AS b FROM contacts n
        JOIN contacts o ON o.workspace_id = n.workspace_id AND o.{key} = n.{key} AND o.id <> n.id
                        AND o.merged_into_id IS NULL
        WHERE n.workspace_id = :ws AND n.updated_at >= :since AND n.merged_into_id IS NULL
          AND n.{key} IS NOT NULL
    """
    query = text(twins.format(key="email") + " UNION " + twins.format(key="phone"))
    return list((await session.execute(query, {"ws": workspace_id, "since": since})).all())


async def scan_contacts(
    session: AsyncSession, workspace_id: uuid.UUID, since: datetime, now: datetime
) -> int:
    """Flag near duplicates among contacts written since `since`; returns the pairs saved."""
    live = (Contact.workspace_id == workspace_id, Contact.merged_into_id.is_(None))
    columns = (
        Contact.id,
        Contact.first_name,
        Contact.last_name,
        Contact.email,
        Contact.phone,
        Contact.account_id,
        Contact.created_at,
        Contact.updated_at,
    )
    pairs: list[Pair] = []
    # Certain twins first (the same email or phone), then look-alikes block by block.
    exact = await _exact_contact_pairs(session, workspace_id, since)
    saved = await _score_exact(session, workspace_id, exact[:MAX_PAIRS_PER_SCAN], columns, now)

    async def flush(force: bool = False) -> None:
        nonlocal pairs, saved
        if pairs and (force or len(pairs) >= SAVE_EVERY):
            await save_pairs(session, workspace_id, "contacts", pairs, now)
            saved += len(pairs)
            pairs = []

    def consider(block: Sequence[Any]) -> None:
        people = [person(row) for row in block]
        new = [i for i, row in enumerate(block) if row.updated_at >= since]
        for a, b in close_pairs(new, [_probe(p) for p in people]):
            found = compare_people(people[a], people[b])
            if found is not None:
                pairs.append(ordered_pair(block[a], block[b], *found))

    # The blocks' keys first, then their members: two plain index scans, whatever the statistics.
    touched = list(
        (
            await session.scalars(
                select(Contact.account_id)
                .where(*live, Contact.updated_at >= since, Contact.account_id.is_not(None))
                .distinct()
            )
        ).all()
    )
    by_account = select(*columns).where(*live, Contact.account_id.in_(touched)).order_by(Contact.account_id)
    async for block in _blocks(session, by_account, lambda row: row.account_id):
        consider(block)
        await flush()
        if saved >= MAX_PAIRS_PER_SCAN:
            return saved
    domain = func.split_part(Contact.email, "@", 2)
    domains = [
        d
        for d in (
            await session.scalars(
                select(domain)
                .where(*live, Contact.updated_at >= since, Contact.email.is_not(None))
                .distinct()
            )
        ).all()
        if d not in FREE_MAIL_DOMAINS
    ]
    by_domain = (
        select(*columns).where(*live, Contact.email.is_not(None), domain.in_(domains)).order_by(domain)
    )
    async for block in _blocks(session, by_domain, lambda row: row.email.rsplit("@", 1)[-1]):
        consider(block)
        await flush()
        if saved >= MAX_PAIRS_PER_SCAN:
            return saved
    await flush(force=True)
    return saved


async def _score_exact(
    session: AsyncSession, workspace_id: uuid.UUID, exact: list[Any], columns: tuple[Any, ...], now: datetime
) -> int:
    saved = 0
    for start in range(0, len(exact), SAVE_EVERY):
        chunk = exact[start : start + SAVE_EVERY]
        ids = {row.a for row in chunk} | {row.b for row in chunk}
        rows = {
            r.id: r
            for r in (
                await session.execute(
                    select(*columns).where(Contact.workspace_id == workspace_id, Contact.id.in_(ids))
                )
            ).all()
        }
        pairs = []
        for pair in chunk:
            a, b = rows[pair.a], rows[pair.b]
            found = compare_people(person(a), person(b))
            if found is not None:
                pairs.append(ordered_pair(a, b, *found))
        await save_pairs(session, workspace_id, "contacts", pairs, now)
        saved += len(pairs)
    return saved


async def scan_accounts(
    session: AsyncSession, workspace_id: uuid.UUID, since: datetime, now: datetime
) -> int:
    """Accounts written since `since` against all: the same domain, or names alike (blocked on the
    first three letters of the name without its legal form, which near-identical names share)."""
    rows = (
        await session.execute(
            select(Account.id, Account.name, Account.domain, Account.created_at, Account.updated_at).where(
                Account.workspace_id == workspace_id, Account.merged_into_id.is_(None)
            )
        )
    ).all()
    keys = {row.id: account_key(row.name) for row in rows}
    found_pairs: dict[tuple[uuid.UUID, uuid.UUID], Pair] = {}

    def consider(x: Any, y: Any) -> None:
        found = compare_accounts(x.name, x.domain, y.name, y.domain)
        if found is not None:
            pair = ordered_pair(x, y, *found)
            found_pairs[(pair.older, pair.newer)] = pair

    for _, group in groupby(
        sorted((r for r in rows if r.domain), key=lambda r: r.domain), key=lambda r: r.domain
    ):
        block = list(group)
        for x in block:
            if x.updated_at >= since:
                for y in block:
                    if y.id != x.id:
                        consider(x, y)
    for prefix, group in groupby(sorted(rows, key=lambda r: keys[r.id][:3]), key=lambda r: keys[r.id][:3]):
        block = list(group)
        new = [i for i, row in enumerate(block) if row.updated_at >= since]
        if prefix and len(block) > 1:
            for a, b in close_pairs(new, [keys[row.id] for row in block]):
                consider(block[a], block[b])
    pairs = list(found_pairs.values())[:MAX_PAIRS_PER_SCAN]
    for start in range(0, len(pairs), SAVE_EVERY):
        await save_pairs(session, workspace_id, "accounts", pairs[start : start + SAVE_EVERY], now)
    return len(pairs)
