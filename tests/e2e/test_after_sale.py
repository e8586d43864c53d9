"""After the sale in the browser: a promise recorded on the deal, kept on the delivery project."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.pages import DealPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_a_promise_made_on_the_deal_is_kept_on_its_project(signed_in: Page, workspace: WorkspaceApi) -> None:
    deal = workspace.create_deal("Globex platform", amount="12000")
    page = DealPage(signed_in).open(deal["id"])
    commitments = signed_in.get_by_role("list", name="Commitments")
    form = signed_in.get_by_role("form", name="New commitment")
    form.get_by_label("Promise").fill("SSO before go-live")
    form.get_by_label("Due").fill("2031-03-01")
    form.get_by_role("button", name="Add commitment").click()
    expect(commitments.get_by_role("listitem", name="SSO before go-live")).to_contain_text("due")
    [promise] = workspace._ok(workspace.http.get("/commitments", params={"deal_id": deal["id"]}))["items"]
    assert promise["due_date"] == "2031-03-01" and promise["status"] == "open"

    # The worker opens the project on the win; here it is opened by hand the same way.
    workspace.move_deal(deal["id"], "Closed Won")
    workspace._ok(workspace.http.post("/projects", json={"name": "Globex rollout", "deal_id": deal["id"]}))
    page.open(deal["id"])
    page.details.get_by_role("link", name="Open the delivery project").click()
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Globex rollout")
    signed_in.get_by_role("form", name="New milestone").get_by_label("Milestone").fill("Kickoff")
    signed_in.get_by_role("button", name="Add milestone").click()
    milestone = signed_in.get_by_role("list", name="Milestones").get_by_role("listitem", name="Kickoff")
    milestone.get_by_role("button", name="Complete Kickoff").click()
    expect(milestone).to_contain_text("done")
