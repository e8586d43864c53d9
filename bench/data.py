"""Data generators: rows straight into PostgreSQL with COPY, as the benchmarks need them.

They write as the connecting (owner) role, outside row-level security, which is what a bulk
load of test data needs; the API under test still reads through RLS like any request.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from domain.ranks import spread_ranks

SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ven",
    "tor",
    "sel",
    "bri",
    "dan",
    "mor",
    "quin",
    "zel",
    "har",
    "pet",
    "lin",
    "gus",
    "nor",
    "vik",
    "sta",
    "wen",
    "jor",
    "fel",
    "tam",
    "cor",
    "bel",
    "dru",
    "ost",
    "yar",
]
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Hank",
    "Marge",
    "Lisa",
    "Bart",
    "Ned",
    "Edna",
    "Moe",
    "Apu",
    "Selma",
    "Patty",
    "Waylon",
    "Monty",
    "Lenny",
    "Carl",
    "Otto",
    "Jimbo",
    "Nelson",
    "Milhouse",
    "Ralph",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Scorpio",
    "Simpson",
    "Flanders",
    "Krabappel",
    "Szyslak",
    "Nahasapeemapetilon",
    "Bouvier",
    "Smithers",
    "Burns",
    "Leonard",
    "Carlson",
    "Mann",
    "Jones",
    "Muntz",
    "Van Houten",
    "Wiggum",
    "Gumble",
    "Skinner",
    "Chalmers",
    "Hibbert",
    "Riviera",
]
TITLES = ["CEO", "CTO", "Head of Sales", "Buyer", "Engineer", "Office Manager", "Founder", "VP Marketing"]


def _pg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def insert_deals(
    database_url: str,
    *,
    workspace_id: str,
    pipeline_id: str,
    stage_ids: list[str],
    owner_id: str,
    per_stage: int,
    currency: str = "USD",
) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    connection = await asyncpg.connect(_pg_url(database_url))
    try:
        for stage_id in stage_ids:
            records = []
            for index, rank in enumerate(spread_ranks(per_stage)):
                records.append(
                    (
                        uuid.uuid4(),
                        uuid.UUID(workspace_id),
                        f"Deal {stage_id[:4]}-{index}",
                        Decimal(rng.randrange(500, 200_000)),
                        currency if index % 10 else "EUR",
                        uuid.UUID(pipeline_id),
                        uuid.UUID(stage_id),
                        "open",
                        uuid.UUID(owner_id),
                        rank,
                        now - timedelta(days=rng.randrange(0, 60)),
                        now,
                        now,
                        1,
                    )
                )
            await connection.copy_records_to_table(
                "deals",
                records=records,
                columns=[
                    "id",
                    "workspace_id",
                    "title",
                    "amount",
                    "currency",
                    "pipeline_id",
                    "stage_id",
                    "status",
                    "owner_id",
                    "rank",
                    "stage_entered_at",
                    "created_at",
                    "updated_at",
                    "version",
                ],
            )
        await connection.execute("VACUUM ANALYZE deals")
    finally:
        await connection.close()


def surname(rng: random.Random) -> str:
    """About 600,000 distinct surnames, so a name search is as selective as in a real CRM."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 4)))).capitalize()


async def insert_contacts(database_url: str, *, workspace_id: str, owner_id: str, count: int) -> None:
    rng = random.Random(11)
    now = datetime.now(UTC)
    connection = await asyncpg.connect(_pg_url(database_url))
    try:
        # Building the indexes once after the load is what any bulk load does; their definitions
        # are read back from the catalog, so the benchmark measures exactly the migrated schema.
        definitions = [
            row["indexdef"]
            for row in await connection.fetch(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'contacts' AND indexname LIKE 'ix_%'"
            )
        ]
        await connection.execute("SELECT 1" + "".join(f"; DROP INDEX {d.split()[2]}" for d in definitions))
        batch: list[tuple[object, ...]] = []
        for index in range(count):
            first, last = rng.choice(FIRST), surname(rng) if index % 20 else rng.choice(LAST)
            batch.append(
                (
                    uuid.uuid4(),
                    uuid.UUID(workspace_id),
                    first,
                    last,
                    f"{first.lower()}.{last.lower().replace(' ', '')}{index}@example{index % 97}.com",
                    f"+1415{index:07d}"[:12],
                    rng.choice(TITLES),
                    uuid.UUID(owner_id),
                    now - timedelta(seconds=index),
                    now,
                    1,
                )
            )
            if len(batch) == 50_000:
                await _copy_contacts(connection, batch)
                batch = []
        if batch:
            await _copy_contacts(connection, batch)
        for definition in definitions:
            await connection.execute(definition)
        await connection.execute("VACUUM ANALYZE contacts")
    finally:
        await connection.close()


async def _copy_contacts(connection: asyncpg.Connection, batch: list[tuple[object, ...]]) -> None:
    await connection.copy_records_to_table(
        "contacts",
        records=batch,
        columns=[
            "id",
            "workspace_id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "owner_id",
            "created_at",
            "updated_at",
            "version",
        ],
    )
