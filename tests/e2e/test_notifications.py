"""The notifications bell: a notification made by the worker arrives over the server-sent-events
stream without a reload, and is marked read one at a time or all at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import AppShell, TodayPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = [*E2E, pytest.mark.usefixtures("worker")]


def _notify_on_new_deals(workspace: WorkspaceApi) -> None:
    body = {
        "name": "Big deal alert",
        "enabled": True,
        "trigger": {"type": "deal_created"},
        "conditions": [],
        "actions": [{"type": "notify_owner", "message": "New deal: {deal.title}"}],
    }
    response = workspace.http.post("/automations", json=body)
    assert response.status_code == 201, response.text


def test_a_notification_arrives_live_and_is_read(signed_in: Page, workspace: WorkspaceApi) -> None:
    _notify_on_new_deals(workspace)
    TodayPage(signed_in).open()
    shell = AppShell(signed_in)
    expect(shell.bell).to_have_accessible_name("Notifications")
    # The stream is open before anything happens, so the count can only come from it.
    signed_in.wait_for_timeout(500)

    workspace.create_deal("Initech expansion")

    expect(shell.bell).to_have_accessible_name("Notifications, 1 unread", timeout=20_000)
    shell.open_notifications()
    item = shell.notification("Big deal alert")
    expect(item).to_contain_text("New deal: Initech expansion")
    item.get_by_role("button", name="Mark read").click()
    expect(shell.bell).to_have_accessible_name("Notifications")
    expect(item.get_by_role("button", name="Mark read")).to_have_count(0)

    workspace.create_deal("Globex renewal")
    workspace.create_deal("Hooli pilot")
    expect(shell.bell).to_have_accessible_name("Notifications, 2 unread", timeout=20_000)
    expect(shell.notifications.get_by_role("listitem")).to_have_count(3)
    shell.notifications.get_by_role("button", name="Mark all read").click()
    expect(shell.bell).to_have_accessible_name("Notifications")

    signed_in.reload()
    expect(shell.bell).to_have_accessible_name("Notifications")
    page = workspace.http.get("/notifications").json()
    assert page["unread_count"] == 0 and len(page["items"]) == 3

    # A notification about a deal opens it.
    shell.open_notifications()
    shell.notification("Big deal alert").filter(has_text="Hooli pilot").get_by_role("link").click()
    expect(signed_in.get_by_role("heading", name="Hooli pilot", level=1)).to_be_visible()
