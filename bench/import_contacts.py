"""A 100,000-row contacts CSV imported through the API and a worker, beside the floors it stands on.

The file is what a team exports from a spreadsheet: first and last name, email, phone, company,
and one row in ten repeating an earlier person with the email in other capitals and the phone in
another format ("(415) 555-0142", "415.555.0142", "+1 415 555 0142"). Measured:

- end to end: from the upload's first byte to the import reporting `done` (every row written
  and counted); the duplicate scan that follows is timed on its own;
- the worker's peak memory (VmHWM of a `rapport worker` started for the run);
- floor 1, PostgreSQL: the same rows, already normalised, copied into a staging table and moved
  into `contacts` with one INSERT ... SELECT per batch, under the tenant policy, as the import
  does, in a fresh workspace: what writing the rows costs with nothing else;
- floor 2, Python: reading the CSV and normalising every row (the import's row code), no database.

`python -m bench import_contacts` (or `python -m bench.import_contacts`); BENCH_IMPORT_ROWS.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.data import FIRST, LAST
from bench.env import SECRET, World, signup

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
EXISTING = int(os.environ.get("BENCH_EXISTING_CONTACTS", "1000000"))
BATCH = 5000


def _phone(n: int, style: int) -> str:
    area, exchange, line = 200 + n // 1_000_000 % 700, 200 + n // 10_000 % 700, n % 10_000
    return (
        f"({area}) {exchange}-{line:04d}",
        f"{area}.{exchange}.{line:04d}",
        f"+1 {area} {exchange} {line:04d}",
        f"{area}-{exchange}-{line:04d}",
    )[style % 4]


def make_csv(rows: int) -> tuple[bytes, int]:
    """The file, and how many of its rows repeat an earlier one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["First Name", "Last Name", "Email", "Phone", "Company"])
    repeats = 0
    for i in range(rows):
        person = i - 997 if i % 10 == 9 and i >= 997 else i  # 997 rows back: another batch, usually
        repeats += person != i
        first, last = FIRST[person % len(FIRST)], LAST[person // len(FIRST) % len(LAST)]
        email = f"{first.lower()}.{last.lower().replace(' ', '')}.{person}@company{person % 2000}.com"
        writer.writerow(
            [
                first,
                last,
                email.upper() if person != i else email,
                _phone(person, i),
                f"Company {person % 2000}",
            ]
        )
    return out.getvalue().encode(), repeats


def _normalise_floor(content: bytes) -> float:
    """Reading and converting every row as the import's worker thread does, in this process."""
    from domain.imports.mapping import plan
    from domain.imports.reading import records
    from domain.imports.rows import RowContext, contact_row, convert

    header, *_ = content.split(b"\r\n", 1)
    columns = plan("contacts", header.decode().split(",")).columns
    owner = uuid.uuid4()
    ctx = RowContext(
        kind="contacts",
        columns=columns,
        region="US",
        rules=[],
        default_owner=owner,
        owners={},
        member_ids=frozenset({owner}),
    )
    started = time.perf_counter()
    for index, cells in enumerate(records([content], "utf-8", ","), start=0):
        if index:
            convert(ctx, contact_row, index, cells)
    return time.perf_counter() - started


async def _copy_floor(database_url: str, content: bytes) -> dict[str, float]:
    """The normalised rows COPYed to staging and INSERT ... SELECTed into contacts, per batch."""
    from domain.imports.mapping import plan
    from domain.imports.reading import records
    from domain.imports.rows import Prepared, RowContext, contact_row, convert

    header, *_ = content.split(b"\r\n", 1)
    connection = await asyncpg.connect(database_url)
    try:
        workspace, owner = uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO workspaces (id, name, currency, timezone, default_region, version) "
            "VALUES ($1, 'Floor', 'USD', 'UTC', 'US', 1)",
            workspace,
        )
        await connection.execute(
            "INSERT INTO users (id, email, name) VALUES ($1, $2, 'Floor')", owner, f"{owner}@floor.example"
        )
        ctx = RowContext(
            kind="contacts",
            columns=plan("contacts", header.decode().split(",")).columns,
            region="US",
            rules=[],
            default_owner=owner,
            owners={},
            member_ids=frozenset({owner}),
        )
        rows = []
        for index, cells in enumerate(records([content], "utf-8", ","), start=0):
            item = convert(ctx, contact_row, index, cells) if index else None
            if isinstance(item, Prepared):
                v = item.values
                rows.append(
                    (index, uuid.uuid4(), v["first_name"], v["last_name"], v["email"], v["phone"], owner)
                )
        copy_only = insert = 0.0
        for start in range(0, len(rows), BATCH):
            async with connection.transaction():
                await connection.execute("SET LOCAL ROLE rapport_app")
                await connection.execute(
                    "SELECT set_config('rapport.workspace_id', $1, true)", str(workspace)
                )
                await connection.execute(
                    "CREATE TEMP TABLE floor_stage (row int, id uuid, first_name text, "
                    "last_name text, email text, phone text, owner_id uuid) ON COMMIT DROP"
                )
                began = time.perf_counter()
                await connection.copy_records_to_table("floor_stage", records=rows[start : start + BATCH])
                copied = time.perf_counter()
                await connection.execute(
                    "INSERT INTO contacts (id, workspace_id, first_name, last_name, email, phone, owner_id, "
                    "tags, custom_fields, version, created_at, updated_at) "
                    "SELECT id, $1, first_name, last_name, email, phone, owner_id, '{}', '{}', 1, now(), "
                    "now() FROM floor_stage",
                    workspace,
                )
                copy_only += copied - began
                insert += time.perf_counter() - copied
        return {
            "copy_to_staging_seconds": round(copy_only, 2),
            "insert_select_seconds": round(insert, 2),
            "copy_floor_seconds": round(copy_only + insert, 2),
        }
    finally:
        await connection.close()


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _import(world: World, content: bytes) -> dict[str, Any]:
    from rapport.embedded import start_redis

    headers, _, _ = signup(world.base_url)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-redis-") as tmp:
        # A Redis of its own: another process's worker on a shared one must not take this job.
        redis = start_redis(Path(tmp))
        env = {
            **os.environ,
            "DATABASE_URL": world.database_url,
            "REDIS_URL": redis.url,
            "SECRET_KEY": SECRET,
            "LOG_FORMAT": "json",
        }
        log = open(Path(tmp) / "worker.log", "wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "rapport", "worker"], env=env, stdout=log, stderr=log
        )
        try:
            time.sleep(3)  # the worker is up and idle before the clock starts
            started = time.perf_counter()
            response = httpx.post(
                f"{world.base_url}/api/v1/imports",
                headers=headers,
                timeout=120,
                files={"file": ("contacts.csv", content, "text/csv")},
                data={"object": "contacts"},
            )
            response.raise_for_status()
            uploaded = time.perf_counter() - started
            url = f"{world.base_url}/api/v1/imports/{response.json()['id']}"
            while (body := httpx.get(url, headers=headers, timeout=30).json())["status"] not in (
                "done",
                "failed",
            ):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            timings = asyncio.run(_wait_scanned(world.database_url, body["id"]))
            peak = _peak_rss_mb(worker.pid)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            redis.stop()
    return {
        "status": body["status"],
        "end_to_end_seconds": round(elapsed, 2),
        "upload_seconds": round(uploaded, 2),
        **timings,
        "worker_peak_rss_mb": peak,
        **{k: body[k] for k in ("total", "created", "merged", "skipped", "failed")},
    }


async def _wait_scanned(database_url: str, import_id: str) -> dict[str, float]:
    """The import's own clock: waiting for a worker, running, and the duplicate scan after it."""
    connection = await asyncpg.connect(database_url)
    query = "SELECT created_at, started_at, finished_at, scanned_at FROM imports WHERE id = $1"
    pairs = "SELECT count(*) FROM contact_duplicates"
    try:
        while True:
            row = await connection.fetchrow(query, uuid.UUID(import_id))
            if row["scanned_at"] is not None:
                return {
                    "queued_seconds": round((row["started_at"] - row["created_at"]).total_seconds(), 2),
                    "job_seconds": round((row["finished_at"] - row["started_at"]).total_seconds(), 2),
                    "duplicate_scan_seconds": round(
                        (row["scanned_at"] - row["finished_at"]).total_seconds(), 2
                    ),
                    "duplicate_pairs_flagged": await connection.fetchval(pairs),
                }
            await asyncio.sleep(0.2)
    finally:
        await connection.close()


def _single_creates(world: World) -> dict[str, Any]:
    """`POST /contacts` beside 1,000,000 contacts: a new one (exact check, near-duplicate flagging
    against its 10,000-strong email domain) and a duplicate (409)."""
    from bench.data import insert_contacts
    from bench.env import percentile

    headers, workspace_id, user_id = signup(world.base_url)
    asyncio.run(
        insert_contacts(world.database_url, workspace_id=workspace_id, owner_id=user_id, count=EXISTING)
    )
    fresh, duplicate = [], []
    with httpx.Client(base_url=world.base_url, headers=headers, timeout=30) as client:
        for i in range(60):
            body = {
                "first_name": "Hank",
                "last_name": f"Scorpio{i}",
                "email": f"hank.{i}@example{i % 97}.com",
            }
            began = time.perf_counter()
            assert client.post("/api/v1/contacts", json=body).status_code == 201
            fresh.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            assert client.post("/api/v1/contacts", json=body).status_code == 409
            duplicate.append((time.perf_counter() - began) * 1000)
    return {
        "existing_contacts": EXISTING,
        "create_ms_median": round(percentile(fresh[10:], 50), 1),
        "create_ms_p95": round(percentile(fresh[10:], 95), 1),
        "duplicate_409_ms_median": round(percentile(duplicate[10:], 50), 1),
    }


def run(world: World) -> dict[str, Any]:
    content, repeats = make_csv(ROWS)
    result: dict[str, Any] = {
        "rows": ROWS,
        "repeated_rows": repeats,
        "file_mb": round(len(content) / 2**20, 1),
    }
    result.update(_import(world, content))
    result["python_normalise_floor_seconds"] = round(_normalise_floor(content), 2)
    result.update(asyncio.run(_copy_floor(world.database_url, content)))
    if EXISTING:
        result.update(_single_creates(world))
    return result


if __name__ == "__main__":
    import json

    from bench.env import machine, world

    with world() as w:
        figures = run(w)
    print(json.dumps({**figures, "machine": machine(), "postgres": w.server_version}, indent=2))
