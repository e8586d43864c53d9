"""Killing `rapport worker` while submissions are pending loses none and doubles none."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from domain.models import Activity, FormSubmission, OutboxEvent
from rapport.embedded import start_redis
from tests.api.forms_support import create_form, submit_url
from tests.conftest import Api, Db, User, server_env, start_process

SUBMISSIONS = 60


async def _statuses(db: Db, form_id: str) -> dict[str, int]:
    async with db.sessionmaker() as session:
        rows = await session.execute(
            select(FormSubmission.status, func.count())
            .where(FormSubmission.form_id == uuid.UUID(form_id))
            .group_by(FormSubmission.status)
        )
        return {status: int(count) for status, count in rows.all()}


@pytest.mark.slow
async def test_killed_worker_loses_no_submission(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    accepted = []
    for index in range(SUBMISSIONS):
        response = await api.post(
            submit_url(form),
            data={"email": f"kill{index}@survivor{index}.example", "name": f"Kill {index}", "message": "hi"},
        )
        assert response.status_code == 202
        accepted.append(response.json()["submission_id"])
    with tempfile.TemporaryDirectory(prefix="rapport-kill-") as tmp:
        redis = start_redis(Path(tmp))  # a Redis of its own: no other test's queue
        env = server_env(db.url, redis.url)
        worker = start_process(["worker"], env, "worker-1")
        try:
            deadline = time.monotonic() + 60
            while (await _statuses(db, form["id"])).get("processed", 0) == 0:
                assert time.monotonic() < deadline, "the worker processed nothing"
                await asyncio.sleep(0.02)
            os.kill(worker.pid, signal.SIGKILL)  # mid-stream: no shutdown, jobs left in flight
            worker.wait(timeout=10)
            at_kill = await _statuses(db, form["id"])
            assert at_kill.get("pending", 0) > 0, f"everything was done before the kill: {at_kill}"

            worker = start_process(["worker"], env, "worker-2")
            deadline = time.monotonic() + 240  # in-flight jobs come back when their lease runs out
            while (await _statuses(db, form["id"])).get("processed", 0) < SUBMISSIONS:
                assert worker.poll() is None, "the restarted worker died"
                assert time.monotonic() < deadline, f"not all processed: {await _statuses(db, form['id'])}"
                await asyncio.sleep(0.5)
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
            redis.stop()
    assert await _statuses(db, form["id"]) == {"processed": SUBMISSIONS}
    async with db.sessionmaker() as session:
        notes = await session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(
                Activity.workspace_id == uuid.UUID(user.workspace_id),
                Activity.subject == "Form submitted: Contact us",
            )
        )
        attempts = await session.scalar(
            select(func.max(FormSubmission.attempts)).where(FormSubmission.form_id == uuid.UUID(form["id"]))
        )
        submitted = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.workspace_id == uuid.UUID(user.workspace_id), OutboxEvent.type == "form.submitted"
            )
        )
    assert notes == SUBMISSIONS and submitted == SUBMISSIONS
    assert attempts == 1  # a killed attempt rolled back whole: none counted twice
