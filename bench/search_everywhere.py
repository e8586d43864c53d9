"""`GET /search?q=` over 1,000,000 contacts, 100,000 accounts, 200,000 deals, 500,000 activities.

What a person types into the search box: a full name, a surname, a company, words of a deal or
a task; then the same with a typo (two letters swapped, one dropped, one wrong). Terms are taken
from the stored records, so each has an intended record; a typo's "found" means a record whose
title holds the original term came back among the answers.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from bench.data import FIRST, SYLLABLES, insert_contacts
from bench.env import World, percentile, signup
from domain.ranks import spread_ranks

# BENCH_SEARCH_SCALE=0.01 makes a quick smoke run of the same shape.
SCALE = float(os.environ.get("BENCH_SEARCH_SCALE", "1"))
CONTACTS = int(1_000_000 * SCALE)
ACCOUNTS = int(100_000 * SCALE)
DEALS = int(200_000 * SCALE)
ACTIVITIES = int(500_000 * SCALE)
TERMS_PER_KIND = 20
COMPANY_SUFFIXES = ["Industries", "Labs", "Group", "Systems", "Partners", "Foods", "Logistics", "Energy"]
PRODUCTS = ["licences", "renewal", "pilot", "upgrade", "support plan", "hardware", "training", "expansion"]
ACTIVITY_KINDS = [("call", "Call"), ("email", "Email"), ("meeting", "Meet"), ("task", "Send proposal to")]


def company(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
    return f"{stem} {rng.choice(COMPANY_SUFFIXES)}"


async def _copy(
    connection: asyncpg.Connection, table: str, columns: list[str], records: list[tuple[Any, ...]]
) -> None:
    """COPY with the table's own indexes dropped and rebuilt from the catalog (as a bulk load does)."""
    indexes = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname LIKE 'ix_%'", table
    )
    definitions = [row["indexdef"] for row in indexes]
    for row in indexes:
        await connection.execute(f"DROP INDEX {row['indexname']}")
    for start in range(0, len(records), 50_000):
        await connection.copy_records_to_table(
            table, records=records[start : start + 50_000], columns=columns
        )
    for definition in definitions:
        await connection.execute(definition)
    await connection.execute(f"VACUUM ANALYZE {table}")


async def load(
    database_url: str, workspace_id: str, user_id: str, pipeline_id: str, stage_ids: list[str]
) -> None:
    await insert_contacts(database_url, workspace_id=workspace_id, owner_id=user_id, count=CONTACTS)
    rng = random.Random(5)
    ws, owner, now = uuid.UUID(workspace_id), uuid.UUID(user_id), datetime.now(UTC)
    connection = await asyncpg.connect(database_url)
    try:
        names = [company(rng) for _ in range(ACCOUNTS)]
        accounts = [
            (uuid.uuid4(), ws, name, f"{name.split()[0].lower()}{i}.com", owner, now, now, 1)
            for i, name in enumerate(names)
        ]
        await _copy(
            connection,
            "accounts",
            ["id", "workspace_id", "name", "domain", "owner_id", "created_at", "updated_at", "version"],
            accounts,
        )
        ranks = list(spread_ranks(DEALS))
        deals = []
        for i in range(DEALS):
            account = accounts[rng.randrange(ACCOUNTS)]
            deals.append(
                (
                    uuid.uuid4(),
                    ws,
                    f"{account[2].split()[0]} {rng.choice(PRODUCTS)}",
                    Decimal(rng.randrange(500, 200_000)),
                    "USD",
                    uuid.UUID(pipeline_id),
                    uuid.UUID(stage_ids[i % len(stage_ids)]),
                    "open",
                    account[0],
                    owner,
                    ranks[i],
                    now - timedelta(days=rng.randrange(0, 90)),
                    now,
                    now,
                    1,
                )
            )
        await _copy(
            connection,
            "deals",
            [
                "id",
                "workspace_id",
                "title",
                "amount",
                "currency",
                "pipeline_id",
                "stage_id",
                "status",
                "account_id",
                "owner_id",
                "rank",
                "stage_entered_at",
                "created_at",
                "updated_at",
                "version",
            ],
            deals,
        )
        activities = []
        for i in range(ACTIVITIES):
            kind, verb = rng.choice(ACTIVITY_KINDS)
            about = deals[rng.randrange(DEALS)][2]
            person = f"{rng.choice(FIRST)} " + "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
            activities.append(
                (
                    uuid.uuid4(),
                    ws,
                    kind,
                    f"{verb} {person} about {about}",
                    owner,
                    "user",
                    now - timedelta(minutes=i),
                    now,
                    1,
                )
            )
        await _copy(
            connection,
            "activities",
            [
                "id",
                "workspace_id",
                "type",
                "subject",
                "owner_id",
                "created_by_type",
                "created_at",
                "updated_at",
                "version",
            ],
            activities,
        )
    finally:
        await connection.close()


def typo(term: str, rng: random.Random) -> str:
    """One mistake somewhere after the first letter of the longest word."""
    words = term.split()
    index = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[index]
    if len(word) < 4:
        return term[:-1]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "wrong"))
    if kind == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + rng.choice([c for c in "aeioulnrst" if c != word[at]]) + word[at + 1 :]
    words[index] = word
    return " ".join(words)


async def sample_terms(database_url: str) -> list[str]:
    """Terms people would type, read back from what was stored (a full name, a surname, ...)."""
    connection = await asyncpg.connect(database_url)
    try:
        few, some = min(100.0, 0.1 / SCALE), min(100.0, 1 / SCALE)
        queries = [
            f"SELECT first_name || ' ' || last_name FROM contacts TABLESAMPLE SYSTEM ({few}) REPEATABLE (1)",
            f"SELECT last_name FROM contacts TABLESAMPLE SYSTEM ({few}) REPEATABLE (2)"
            " WHERE length(last_name) >= 6",
            f"SELECT name FROM accounts TABLESAMPLE SYSTEM ({some}) REPEATABLE (3)",
            f"SELECT split_part(name, ' ', 1) FROM accounts TABLESAMPLE SYSTEM ({some}) REPEATABLE (4)",
            f"SELECT title FROM deals TABLESAMPLE SYSTEM ({some}) REPEATABLE (5)",
        ]
        terms: list[str] = []
        for query in queries:
            rows = await connection.fetch(f"{query} LIMIT {TERMS_PER_KIND}")
            terms += [row[0] for row in rows if row[0] and len(row[0]) >= 5]
        return terms
    finally:
        await connection.close()


def _stats(timings: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 1),
    }


def run(world: World) -> dict[str, Any]:
    headers, workspace_id, user_id = signup(world.base_url)
    pipeline = httpx.get(f"{world.base_url}/api/v1/pipelines", headers=headers, timeout=30).json()["items"][0]
    stage_ids = [s["id"] for s in pipeline["stages"] if s["kind"] == "open"]
    started = time.perf_counter()
    asyncio.run(load(world.database_url, workspace_id, user_id, pipeline["id"], stage_ids))
    load_seconds = time.perf_counter() - started
    terms = asyncio.run(sample_terms(world.database_url))
    rng = random.Random(9)
    typos = [(term, typo(term, rng)) for term in terms]
    load_before = os.getloadavg()
    exact_ms: list[float] = []
    typo_ms: list[float] = []
    exact_found = typo_found = 0
    with httpx.Client(base_url=world.base_url, headers=headers, timeout=60) as client:
        for term in terms[:5]:
            client.get("/api/v1/search", params={"q": term})

        def timed(q: str) -> tuple[float, list[dict[str, Any]]]:
            t0 = time.perf_counter()
            response = client.get("/api/v1/search", params={"q": q})
            elapsed = (time.perf_counter() - t0) * 1000
            response.raise_for_status()
            return elapsed, response.json()["items"]

        for term in terms:
            elapsed, items = timed(term)
            exact_ms.append(elapsed)
            exact_found += any(term.lower() in item["title"].lower() for item in items)
        for term, mistyped in typos:
            elapsed, items = timed(mistyped)
            typo_ms.append(elapsed)
            typo_found += any(term.lower() in item["title"].lower() for item in items)
    load_after = os.getloadavg()
    return {
        "name": "search_everywhere",
        "records": {"contacts": CONTACTS, "accounts": ACCOUNTS, "deals": DEALS, "activities": ACTIVITIES},
        "load_seconds": round(load_seconds, 1),
        "queries": {"exact": len(terms), "typo": len(typos)},
        "exact": {**_stats(exact_ms), "found": exact_found},
        "typo": {**_stats(typo_ms), "found": typo_found},
        "all": _stats(exact_ms + typo_ms),
        "typo_examples": typos[:: max(1, len(typos) // 8)],
        "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
    }
