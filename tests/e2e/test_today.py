"""Today (GET /today): overdue tasks finished in one click, deals at risk with their reasons,
follow-ups, and a day with nothing to do."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import DealPage, TodayPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_an_overdue_task_shows_and_one_click_completes_it(signed_in: Page, workspace: WorkspaceApi) -> None:
    now = dt.datetime.now(dt.UTC)
    overdue = workspace.create_task("Send the Initech proposal", due_at=now - dt.timedelta(days=1))
    workspace.create_task("Book the Globex demo", due_at=now + dt.timedelta(days=3))
    workspace.create_task("Renew the Hooli NDA", due_at=now - dt.timedelta(days=2))

    today = TodayPage(signed_in).open()

    expect(today.group("Overdue")).to_contain_text("Send the Initech proposal")
    expect(today.group("Overdue")).to_contain_text("Renew the Hooli NDA")
    # Today is about today: a task due in three days waits for its day.
    expect(today.task("Book the Globex demo")).to_have_count(0)

    today.complete("Send the Initech proposal")

    expect(today.task("Send the Initech proposal")).to_have_count(0)
    expect(today.task("Renew the Hooli NDA")).to_be_visible()
    assert workspace.activity(overdue["id"])["completed_at"] is not None
    signed_in.reload()
    expect(today.task("Renew the Hooli NDA")).to_be_visible()
    expect(today.task("Send the Initech proposal")).to_have_count(0)


def test_deals_at_risk_show_their_reasons_and_open(signed_in: Page, workspace: WorkspaceApi) -> None:
    now = dt.datetime.now(dt.UTC)
    late = workspace.create_deal(
        "Initech renewal", amount="48000", expected_close_date=(now.date() - dt.timedelta(days=5)).isoformat()
    )
    workspace.create_deal("Hooli pilot", amount="9000")
    planned = workspace.create_deal("Globex rollout", amount="15000")
    workspace.create_task("Globex kickoff call", due_at=now + dt.timedelta(days=2), deal_id=planned["id"])

    today = TodayPage(signed_in).open()

    expect(today.deal("Initech renewal")).to_contain_text("$48,000.00")
    expect(
        today.reasons("Initech renewal").filter(has_text="expected close date passed 5 days ago")
    ).to_be_visible()
    expect(today.reasons("Initech renewal").filter(has_text="no next step scheduled")).to_be_visible()
    # No risk, but nothing planned: a follow-up. A deal with its next step booked is in neither list.
    expect(today.deal("Hooli pilot", group="Follow-ups")).to_be_visible()
    expect(today.group("At risk")).not_to_contain_text("Hooli pilot")
    expect(signed_in.get_by_role("link", name="Globex rollout")).to_have_count(0)

    today.open_deal("Initech renewal")

    expect(signed_in).to_have_url(re.compile(f"/deals/{late['id']}$"))
    expect(DealPage(signed_in).title).to_have_text("Initech renewal")


def test_a_clear_day_says_so(signed_in: Page) -> None:
    today = TodayPage(signed_in).open()
    expect(today.all_caught_up).to_be_visible()


def test_a_refused_completion_puts_the_task_back(signed_in: Page, workspace: WorkspaceApi) -> None:
    now = dt.datetime.now(dt.UTC)
    workspace.create_task("Call Initech back", due_at=now - dt.timedelta(hours=30))
    today = TodayPage(signed_in).open()
    signed_in.route(
        "**/api/v1/activities/*/complete",
        lambda route: route.fulfill(
            status=404,
            content_type="application/problem+json",
            body='{"type": "about:blank", "title": "Not found", "status": 404, "detail": "Activity not found"}',
        ),
    )

    signed_in.get_by_role("listitem").filter(has_text="Call Initech back").get_by_role(
        "button", name="Mark done"
    ).click()

    expect(signed_in.get_by_role("alert")).to_contain_text("Activity not found")
    expect(today.group("Overdue")).to_contain_text("Call Initech back")
