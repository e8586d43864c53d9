"""Today: my open tasks, overdue first, each finished with one click."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.e2e.pages import TodayPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_an_overdue_task_shows_and_one_click_completes_it(signed_in: Page, workspace: WorkspaceApi) -> None:
    now = dt.datetime.now(dt.UTC)
    overdue = workspace.create_task("Send the Initech proposal", due_at=now - dt.timedelta(days=1))
    workspace.create_task("Book the Globex demo", due_at=now + dt.timedelta(days=3))

    today = TodayPage(signed_in).open()

    expect(today.group("Overdue")).to_contain_text("Send the Initech proposal")
    expect(today.group("Overdue")).not_to_contain_text("Book the Globex demo")
    expect(today.group("Coming up")).to_contain_text("Book the Globex demo")

    today.complete("Send the Initech proposal")

    expect(today.task("Send the Initech proposal")).to_have_count(0)
    expect(today.group("Overdue")).to_have_count(0)
    expect(today.task("Book the Globex demo")).to_be_visible()
    assert workspace.activity(overdue["id"])["completed_at"] is not None
