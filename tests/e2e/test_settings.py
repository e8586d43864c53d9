"""Settings in a real browser: stages, members, API keys, forms and automations, as an admin and
as a member (who reads but cannot change)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.conftest import User
from tests.e2e.pages import BoardPage, SettingsPage
from tests.e2e.support import E2E, PASSWORD, WorkspaceApi, log_in

pytestmark = E2E


def _get(workspace: WorkspaceApi, path: str) -> Any:
    response = workspace.http.get(path)
    assert response.is_success, response.text
    return response.json()


def _automation(workspace: WorkspaceApi, name: str) -> dict[str, Any]:
    return dict(next(a for a in _get(workspace, "/automations")["items"] if a["name"] == name))


def test_a_renamed_and_reordered_stage_shows_on_the_board(signed_in: Page, workspace: WorkspaceApi) -> None:
    workspace.create_deal("Pied Piper", stage="Qualified")
    pipeline = workspace.pipeline["name"]
    settings = SettingsPage(signed_in).open("Pipelines")

    settings.rename_stage("Qualified", "Discovery")
    settings.move_stage_up("Discovery")

    stages = signed_in.get_by_role("list", name=f"Stages of {pipeline}").get_by_role("listitem")
    expect(stages.first).to_have_attribute("aria-label", "Discovery")
    board = BoardPage(signed_in).open()
    expect(board.column("Discovery")).to_be_visible()
    expect(board.column("Qualified")).to_have_count(0)
    expect(board.card("Pied Piper", stage="Discovery")).to_be_visible()
    assert board.stage_names()[:2] == ["Discovery", "Prospect"]


def test_deleting_a_stage_that_holds_deals_asks_where_they_go(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    workspace.create_deal("Hooli", stage="Negotiation", amount="500", expected_close_date="2026-12-31")
    settings = SettingsPage(signed_in).open("Pipelines")

    signed_in.get_by_role("button", name="Delete Negotiation", exact=True).click()
    confirm = settings.form("Delete stage Negotiation")
    confirm.get_by_role("button", name="Delete stage").click()
    expect(confirm.get_by_role("alert")).to_contain_text("Negotiation still holds deals")
    expect(settings.stage("Negotiation")).to_be_visible()

    confirm.get_by_label("Move its deals to").select_option(label="Proposal Sent")
    confirm.get_by_role("button", name="Delete stage").click()

    expect(settings.stage("Negotiation")).to_have_count(0)
    board = BoardPage(signed_in).open()
    expect(board.card("Hooli", stage="Proposal Sent")).to_be_visible()


def test_inviting_a_member_lists_the_invitation_until_it_is_revoked(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    settings = SettingsPage(signed_in).open("Members")

    settings.invite("gilfoyle@example.com", role="Admin")

    expect(
        signed_in.get_by_role("status").filter(has_text="Invitation sent to gilfoyle@example.com")
    ).to_be_visible()
    expect(signed_in.get_by_label("Invitation link", exact=True)).to_contain_text("/invitations/")
    expect(settings.pending_invitations).to_have_count(1)
    expect(settings.pending_invitations.first).to_contain_text("gilfoyle@example.com as admin")
    assert [i["email"] for i in _get(workspace, "/invitations")["items"]] == ["gilfoyle@example.com"]

    signed_in.get_by_role("button", name="Revoke invitation for gilfoyle@example.com").click()

    expect(signed_in.get_by_text("No invitations are waiting for an answer.")).to_be_visible()
    assert _get(workspace, "/invitations")["items"] == []


def test_a_new_api_key_is_shown_once_and_works(
    signed_in: Page, workspace: WorkspaceApi, live_server: Any
) -> None:
    settings = SettingsPage(signed_in).open("API keys")

    secret = settings.create_api_key("Zapier")

    assert secret.startswith("rk_")
    me = httpx.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert me.status_code == 200 and me.json()["auth"] == "api_key"
    keys = signed_in.get_by_role("table", name="API keys")
    expect(keys.get_by_role("rowheader", name="Zapier")).to_be_visible()
    expect(keys).not_to_contain_text(secret)

    signed_in.get_by_role("button", name="I have copied it").click()
    signed_in.reload()
    expect(keys.get_by_role("rowheader", name="Zapier")).to_be_visible()
    expect(signed_in.get_by_text(secret)).to_have_count(0)


def test_a_new_form_shows_its_embed_snippets(signed_in: Page, workspace: WorkspaceApi) -> None:
    settings = SettingsPage(signed_in).open("Forms")

    settings.create_form("Demo request")

    expect(signed_in.get_by_role("heading", name="Demo request", level=3)).to_be_visible()
    key = _get(workspace, "/forms")["items"][0]["key"]
    html = settings.snippet("HTML embed snippet")
    expect(html).to_contain_text(f"/api/v1/forms/{key}/submissions")
    expect(html).to_contain_text('name="_gotcha"')
    expect(settings.snippet("JavaScript embed snippet")).to_contain_text(f"/api/v1/forms/{key}/submissions")
    expect(signed_in.get_by_role("button", name="Copy html embed snippet")).to_be_visible()
    expect(signed_in.get_by_text("Nothing has been submitted yet.")).to_be_visible()


def test_creating_an_automation_saves_its_trigger_conditions_and_actions(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    settings = SettingsPage(signed_in).open("Automations")

    signed_in.get_by_role("button", name="New automation").click()
    form = settings.form("New automation")
    form.get_by_label("Automation name").fill("Chase idle big deals")
    form.get_by_label("Trigger").select_option(label="A deal sits idle")
    form.get_by_label("Idle for: amount").fill("3")
    form.get_by_label("Idle for: unit").select_option(label="days")
    form.get_by_role("button", name="Add condition").click()
    form.get_by_label("Condition 1 field").select_option(label="Amount")
    form.get_by_label("Condition 1 operator").select_option(label="is at least")
    form.get_by_label("Condition 1 value").fill("5000")
    form.get_by_label("Task subject").fill("Call about {deal.title}")
    form.get_by_role("button", name="Save automation").click()

    expect(form).to_be_hidden()
    row = signed_in.get_by_role("row").filter(
        has=signed_in.get_by_role("rowheader", name="Chase idle big deals")
    )
    expect(row).to_contain_text("A deal is idle for 3 days")
    expect(row.get_by_role("checkbox", name="Chase idle big deals enabled")).to_be_checked()
    saved = _automation(workspace, "Chase idle big deals")
    assert saved["trigger"] == {"type": "deal_idle", "duration": "P3D"}
    assert saved["conditions"] == [{"field": "amount", "op": "gte", "value": "5000"}]
    assert saved["actions"] == [
        {"type": "create_task", "subject": "Call about {deal.title}", "due_in": "P1D", "assignee": "owner"}
    ]

    with signed_in.expect_response(
        lambda r: r.request.method == "PATCH" and "/api/v1/automations/" in r.url
    ) as patched:
        row.get_by_role("checkbox", name="Chase idle big deals enabled").uncheck()
    assert patched.value.status == 200
    expect(row.get_by_role("checkbox", name="Chase idle big deals enabled")).not_to_be_checked()
    assert _automation(workspace, "Chase idle big deals")["enabled"] is False


def test_a_member_reads_settings_but_cannot_change_them(
    page: Page, workspace: WorkspaceApi, live_server: Any
) -> None:
    invitation = workspace.http.post("/invitations", json={"email": "dinesh@example.com", "role": "member"})
    token = invitation.json()["accept_url"].rsplit("/", 1)[1]
    joined = httpx.post(
        f"{live_server.url}/api/v1/invitations/{token}/accept",
        json={"name": "Dinesh", "password": PASSWORD},
        timeout=10,
    ).json()
    member = User(
        "dinesh@example.com",
        PASSWORD,
        joined["access_token"],
        joined["user"]["id"],
        joined["workspace"]["id"],
    )
    log_in(page, member)
    settings = SettingsPage(page).open("Workspace")

    expect(page.get_by_role("note")).to_have_text(re.compile("Only admins can change these settings"))
    expect(page.get_by_label("Workspace name")).to_be_disabled()
    expect(page.get_by_role("button", name="Save workspace")).to_have_count(0)

    settings.go_to("Pipelines")
    expect(page.get_by_role("list", name=re.compile("^Stages of")).get_by_role("listitem")).not_to_have_count(
        0
    )
    expect(page.get_by_role("button", name=re.compile("^Edit "))).to_have_count(0)

    settings.go_to("API keys")
    expect(page.get_by_text("Only admins can see and make API keys.")).to_be_visible()


def test_a_webhook_shows_its_secret_refuses_internal_targets_and_rotates(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    settings = SettingsPage(signed_in).open("Webhooks")
    signed_in.get_by_role("button", name="New webhook").click()
    form = settings.form("New webhook")
    form.get_by_label("Endpoint URL").fill("http://localhost:9000/hook")
    form.get_by_label("deal.stage_changed").check()
    form.get_by_role("button", name="Create webhook").click()
    expect(form.get_by_role("alert")).to_contain_text("may not target loopback")

    form.get_by_label("Endpoint URL").fill("https://hooks.example.com/rapport")
    form.get_by_role("button", name="Create webhook").click()

    shown = signed_in.get_by_role("region", name="Webhook signing secret")
    first = shown.get_by_label("Signing secret", exact=True).inner_text().strip()
    assert first.startswith("whsec_")
    saved = _get(workspace, "/webhooks")["items"]
    assert [(w["url"], sorted(w["events"]), w["secret"]) for w in saved] == [
        ("https://hooks.example.com/rapport", ["deal.stage_changed", "deal.won"], first)
    ]
    webhook = signed_in.get_by_role("listitem", name="https://hooks.example.com/rapport")

    webhook.get_by_role("button", name="Rotate secret").click()
    expect(shown.get_by_label("Signing secret", exact=True)).not_to_have_text(first)
    assert _get(workspace, "/webhooks")["items"][0]["secret"] != first

    webhook.get_by_role("button", name=re.compile("^Disable")).click()
    expect(webhook.get_by_role("button", name=re.compile("^Enable"))).to_be_visible()
    assert _get(workspace, "/webhooks")["items"][0]["active"] is False
