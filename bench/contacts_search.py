"""`GET /contacts?q=` over 1,000,000 contacts: what a person types to find someone."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

import httpx

from bench.data import SYLLABLES, insert_contacts
from bench.env import World, percentile, signup

CONTACTS = 1_000_000
QUERIES = 80


def run(world: World) -> dict[str, Any]:
    headers, workspace_id, user_id = signup(world.base_url)
    started = time.perf_counter()
    asyncio.run(
        insert_contacts(world.database_url, workspace_id=workspace_id, owner_id=user_id, count=CONTACTS)
    )
    load_seconds = time.perf_counter() - started
    rng = random.Random(3)
    # Part of a surname, part of an email, a first name plus a fragment: what people type.
    terms = []
    for i in range(QUERIES):
        fragment = "".join(rng.choice(SYLLABLES) for _ in range(3))
        terms.append(fragment if i % 3 else f"{fragment}{i % 97}@")
    broad = ["scorpio", "head of sales"]
    timings, broad_timings, hits = [], [], 0
    with httpx.Client(base_url=world.base_url, headers=headers, timeout=60) as client:
        for term in terms[:5]:
            client.get("/api/v1/contacts", params={"q": term})
        for term in terms:
            t0 = time.perf_counter()
            response = client.get("/api/v1/contacts", params={"q": term})
            timings.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
            hits += len(response.json()["items"])
        for term in broad:
            t0 = time.perf_counter()
            client.get("/api/v1/contacts", params={"q": term}).raise_for_status()
            broad_timings.append((time.perf_counter() - t0) * 1000)
    return {
        "name": "contacts_search",
        "contacts": CONTACTS,
        "queries": QUERIES,
        "load_seconds": round(load_seconds, 1),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "results_returned": hits,
        "broad_terms_ms": {t: round(v, 1) for t, v in zip(broad, broad_timings, strict=True)},
    }
