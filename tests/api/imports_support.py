"""Helpers for import tests: upload a file, run the queued imports in-process, read the results."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from domain.clock import SystemClock
from domain.imports import runner, store
from tests.conftest import Api, Db, User

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
IMPORTS = "/api/v1/imports"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def upload(
    api: Api, user: User, content: bytes, *, filename: str = "file.csv", expect: int = 202, **form: Any
) -> dict[str, Any]:
    data = {
        k: (json.dumps(v) if k == "mapping" else str(v).lower() if isinstance(v, bool) else str(v))
        for k, v in form.items()
    }
    response = await api.post(
        IMPORTS, files={"file": (filename, content, "text/csv")}, data=data, headers=user.headers
    )
    assert response.status_code == expect, response.text
    body: dict[str, Any] = response.json()
    return body


async def run_due(db: Db) -> None:
    """What the worker's dispatcher and the import queue do, in this process."""
    for claim in await store.claim_due_across_workspaces(db.sessionmaker, now=SystemClock().now()):
        await runner.run_import(db.sessionmaker, claim, clock=SystemClock())


async def imported(api: Api, user: User, db: Db, content: bytes, **form: Any) -> dict[str, Any]:
    """Upload, run, and return the finished import (checking that every row is accounted for)."""
    created = await upload(api, user, content, **form)
    assert created["status"] == "queued"
    await run_due(db)
    response = await api.get(f"{IMPORTS}/{created['id']}", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "done", body
    assert_accounted(body)
    return body


def assert_accounted(body: dict[str, Any]) -> None:
    counts = body["created"] + body["merged"] + body["skipped"] + body["failed"]
    assert counts == body["total"] == body["processed"], body


async def error_rows(api: Api, user: User, import_id: str) -> list[dict[str, str]]:
    response = await api.get(f"{IMPORTS}/{import_id}/errors", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert all(list(row)[:2] == ["row", "reason"] for row in rows)
    return rows


async def all_contacts(api: Api, user: User, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        response = await api.get(
            f"/api/v1/contacts?limit=200&sort=created_at{cursor}{query}", headers=user.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if not body["next_cursor"]:
            return items
        cursor = f"&cursor={body['next_cursor']}"
