"""Public form intake under a steady stream of submissions, then a worker drains them.

Load is open-loop, as website visitors are: submissions are sent at a fixed rate whatever the
server's latency (a closed loop would slow down with the server and hide its queueing). The mix
is what real senders post: browser HTML form posts (urlencoded, answered 303), JSON from scripts
and multipart, one in ten an email seen before (dedupe) and one in twenty a bot filling the
honeypot. Rate limits are raised for the run (SERVER_ENV). The 202/303 latency is measured from
when a request was due to be sent, so a client falling behind counts against the figure.

After the load a `rapport worker` processes the backlog, and the database is counted: every
acknowledged submission stored, every non-spam one processed exactly once (one note each, one
attempt each, one `form.submitted` each), one contact per distinct email.

`python -m bench forms_intake`, or `python -m bench.forms_intake` with BENCH_FORM_RATE /
BENCH_FORM_SECONDS / BENCH_FORM_SERVER_WORKERS to explore.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import asyncpg
import httpx

from bench.env import SECRET, World, percentile, signup

SERVER_WORKERS = int(os.environ.get("BENCH_FORM_SERVER_WORKERS", "2"))
SERVER_ENV = {"FORM_RATE_PER_IP": "10000000", "FORM_RATE_PER_FORM": "10000000"}
RATE = float(os.environ.get("BENCH_FORM_RATE", "600"))
SECONDS = float(os.environ.get("BENCH_FORM_SECONDS", "15"))
WARMUP_SECONDS = 3.0
MAX_CONNECTIONS = 256
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DRAIN_TIMEOUT = 1800.0
DRAIN_WORKERS = int(os.environ.get("BENCH_FORM_DRAIN_WORKERS", "2"))


def _encode(index: int) -> tuple[bytes, bytes]:
    """The index-th submission as (extra headers, body); its email repeats an earlier one now and then."""
    person = index - 7 if index % 10 == 9 else index
    fields = {
        "email": f"visitor{person}@company{person % 400}.example",
        "name": f"Visitor {person} Example",
        "company": f"Company {person % 400}",
        "message": "I would like a demo, please.",
        "utm_source": ("google", "newsletter", "partner")[index % 3],
        "utm_campaign": "spring",
    }
    if index % 20 == 0:
        return b"Content-Type: application/json\r\n", json.dumps(
            {**fields, "_gotcha": "http://spam.example"}
        ).encode()
    kind = index % 3
    if kind == 0:  # a browser submitting an HTML form
        head = (
            f"Content-Type: application/x-www-form-urlencoded\r\nAccept: {BROWSER_ACCEPT}\r\n"
            "Referer: https://www.example.com/demo\r\n"
        )
        return head.encode(), urlencode(fields).encode()
    if kind == 1:
        return b"Content-Type: application/json\r\n", json.dumps(fields).encode()
    boundary = f"----bench{index}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="note.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nsee you soon\r\n"
    )
    return (
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n".encode(),
        ("".join(parts) + f"--{boundary}--\r\n").encode(),
    )


class _Connection:
    """One keep-alive HTTP/1.1 connection: a client far lighter than the server it measures."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def post(self, host: str, path: str, head: bytes, body: bytes) -> int:
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n".encode()
            + head
            + b"\r\n"
            + body
        )
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def _load(
    base_url: str,
    path: str,
    *,
    rate: float,
    seconds: float,
    first: int,
    latencies: list[float],
    statuses: dict[int, int],
) -> tuple[float, float, int]:
    """Send rate x seconds submissions on schedule: (elapsed, worst lateness of a send, connections)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    total = int(rate * seconds)
    idle: deque[_Connection] = deque()
    opened: list[_Connection] = []
    lateness = 0.0
    requests = [_encode(first + offset) for offset in range(total)]

    slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def send(offset: int, due: float) -> None:
        head, body = requests[offset]
        # At most MAX_CONNECTIONS at once: a request waiting for one is late, and its latency
        # (counted from when it was due) says so.
        async with slots:
            # Oldest idle first, so no connection idles past the server's keep-alive timeout; one
            # the server closed anyway is replaced once (the request never reached it).
            for attempt in (1, 2):
                if idle and attempt == 1:
                    connection = idle.popleft()
                else:
                    connection = _Connection(*await asyncio.open_connection(host, port))
                    opened.append(connection)
                try:
                    status = await connection.post(f"{host}:{port}", path, head, body)
                    break
                except (ConnectionError, asyncio.IncompleteReadError, IndexError):
                    connection.writer.close()
                    if attempt == 2:
                        raise
            idle.append(connection)
        latencies.append((time.perf_counter() - due) * 1000)
        statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    tasks = []
    for offset in range(total):
        due = started + offset / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            lateness = max(lateness, -delay)
        tasks.append(asyncio.create_task(send(offset, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    for connection in opened:
        connection.writer.close()
    return elapsed, lateness, len(opened)


async def _counts(database_url: str, form_id: str) -> dict[str, int]:
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT status, count(*) AS n FROM form_submissions WHERE form_id = $1 GROUP BY status", form_id
        )
        counts = {row["status"]: int(row["n"]) for row in rows}
        counts["notes"] = int(
            await connection.fetchval(
                "SELECT count(*) FROM activities a JOIN form_submissions s ON s.activity_id = a.id "
                "WHERE s.form_id = $1",
                form_id,
            )
        )
        counts["notes_all"] = int(
            await connection.fetchval(
                "SELECT count(*) FROM activities WHERE subject = 'Form submitted: Bench form'"
            )
        )
        counts["max_attempts"] = int(
            await connection.fetchval(
                "SELECT coalesce(max(attempts), 0) FROM form_submissions WHERE form_id = $1", form_id
            )
        )
        counts["submitted_events"] = int(
            await connection.fetchval("SELECT count(*) FROM outbox_events WHERE type = 'form.submitted'")
        )
        counts["contacts"] = int(await connection.fetchval("SELECT count(*) FROM contacts"))
        counts["distinct_emails"] = int(
            await connection.fetchval(
                "SELECT count(DISTINCT lead->>'email') FROM form_submissions "
                "WHERE form_id = $1 AND status <> 'spam'",
                form_id,
            )
        )
        counts["outbox_pending"] = int(
            await connection.fetchval("SELECT count(*) FROM outbox_events WHERE processed_at IS NULL")
        )
        return counts
    finally:
        await connection.close()


def _drain(world: World, form_id: str) -> tuple[float, dict[str, int]]:
    """Run DRAIN_WORKERS `rapport worker` processes until nothing is pending: (seconds, final counts)."""
    env = {
        **os.environ,
        "DATABASE_URL": world.database_url,
        "REDIS_URL": world.redis_url,
        "SECRET_KEY": SECRET,
        "LOG_FORMAT": "json",
    }
    log = open(Path(tempfile.gettempdir()) / f"bench-forms-worker-{os.getpid()}.log", "wb")
    workers = [
        subprocess.Popen([sys.executable, "-m", "rapport", "worker"], env=env, stdout=log, stderr=log)
        for _ in range(DRAIN_WORKERS)
    ]
    started = time.perf_counter()
    try:
        while True:
            counts = asyncio.run(_counts(world.database_url, form_id))
            if counts.get("pending", 0) == 0 and counts["outbox_pending"] == 0:
                return time.perf_counter() - started, counts
            if time.perf_counter() - started > DRAIN_TIMEOUT or any(w.poll() is not None for w in workers):
                raise RuntimeError(f"the workers did not drain the backlog: {counts}; see {log.name}")
            time.sleep(1)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)


def run(world: World) -> dict[str, Any]:
    headers, _, _ = signup(world.base_url)
    created = httpx.post(
        f"{world.base_url}/api/v1/forms",
        headers=headers,
        timeout=30,
        json={"name": "Bench form", "thank_you_url": "https://www.example.com/thanks"},
    )
    created.raise_for_status()
    form = created.json()
    path = f"/api/v1/forms/{form['key']}/submissions"
    warm: list[float] = []
    warm_statuses: dict[int, int] = {}
    asyncio.run(
        _load(
            world.base_url,
            path,
            rate=RATE,
            seconds=WARMUP_SECONDS,
            first=0,
            latencies=warm,
            statuses=warm_statuses,
        )
    )
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    load_before = os.getloadavg()[0]
    elapsed, lateness, connections = asyncio.run(
        _load(
            world.base_url,
            path,
            rate=RATE,
            seconds=SECONDS,
            first=len(warm),
            latencies=latencies,
            statuses=statuses,
        )
    )
    load_after = os.getloadavg()[0]
    acknowledged = sum(n for code, n in {**warm_statuses}.items() if code in (202, 303)) + sum(
        n for code, n in statuses.items() if code in (202, 303)
    )
    drain_seconds, counts = _drain(world, form["id"])
    processed, spam = counts.get("processed", 0), counts.get("spam", 0)
    exactly_once = (
        processed + spam == acknowledged
        and counts.get("failed", 0) == 0
        and counts.get("rejected", 0) == 0
        and counts["notes"] == processed
        and counts["notes_all"] == processed
        and counts["max_attempts"] == 1
        and counts["submitted_events"] == processed
        and counts["contacts"] == counts["distinct_emails"]
    )
    return {
        "name": "forms_intake",
        "target_rate": RATE,
        "seconds": round(elapsed, 1),
        "connections": connections,
        "sent": len(latencies),
        "submissions_per_second": round(len(latencies) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(statistics.median(latencies), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "client_worst_lateness_ms": round(lateness * 1000, 2),
        # Other work on the machine shows here (1-minute load average, 2 cores).
        "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
        "acknowledged_incl_warmup": acknowledged,
        "processed": processed,
        "spam": spam,
        "drain_workers": DRAIN_WORKERS,
        "drain_seconds": round(drain_seconds, 1),
        "processed_per_second": round(processed / drain_seconds, 1),
        "counts": counts,
        "exactly_once": exactly_once,
    }


if __name__ == "__main__":
    from bench.env import machine, world

    with world(workers=SERVER_WORKERS, env=SERVER_ENV) as w:
        result = run(w)
    result.update(machine=machine(), postgres=w.server_version, server_workers=SERVER_WORKERS)
    print(json.dumps(result, indent=2))
