"""Custom fields on a deal: an admin defines them in Settings, a person fills them on the deal page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.pages import DealPage
from tests.e2e.pages.custom_fields import CustomFieldsSettings
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def _edit(deal: DealPage, label: str, value: str, *, select: bool = False) -> None:
    deal.details.get_by_role("button", name=f"Edit {label.lower()}").click()
    field = deal.details.get_by_label(label, exact=True)
    if select:
        field.select_option(label=value)
    else:
        field.fill(value)
    deal.details.get_by_role("button", name="Save").click()


def test_custom_fields_on_a_deal(signed_in: Page, workspace: WorkspaceApi) -> None:
    settings = CustomFieldsSettings(signed_in).open()
    settings.add("Seats", "Number")
    settings.add("Plan", "Pick one", options="Basic, Pro")
    expect(settings.row("Seats")).to_contain_text("seats")
    expect(settings.row("Plan")).to_contain_text("Basic, Pro")

    created = workspace.create_deal("Globex rollout", amount="12000")
    deal = DealPage(signed_in).open(created["id"])
    expect(deal.field("Seats")).to_contain_text("—")

    # The server checks the value against the field's type; its words show beside the field.
    _edit(deal, "Seats", "lots")
    expect(deal.details.get_by_role("alert")).to_contain_text("Seats expects a number")
    deal.details.get_by_label("Seats", exact=True).fill("1,200")
    deal.details.get_by_role("button", name="Save").click()
    expect(deal.field("Seats")).to_contain_text("1200")

    _edit(deal, "Plan", "Pro", select=True)
    expect(deal.field("Plan")).to_contain_text("Pro")
    assert workspace.deal(created["id"])["custom_fields"] == {"seats": "1200", "plan": "Pro"}

    # Renaming the label keeps the value (the key does not change).
    settings.open()
    settings.rename("Seats", "Licences")
    deal.open(created["id"])
    expect(deal.field("Licences")).to_contain_text("1200")
    assert workspace.deal(created["id"])["custom_fields"]["seats"] == "1200"


def test_losing_a_deal_picks_a_reason_from_the_list(signed_in: Page, workspace: WorkspaceApi) -> None:
    created = workspace.create_deal("Initech pilot", amount="5000")
    deal = DealPage(signed_in).open(created["id"])
    deal.details.get_by_role("button", name="Edit stage").click()
    deal.details.get_by_label("Stage", exact=True).select_option(label="Closed Lost")
    deal.details.get_by_label("Lost reason").select_option(label="Other")
    deal.details.get_by_label("Why").fill("Chose an in-house build")
    deal.details.get_by_role("button", name="Save").click()
    expect(deal.field("Lost reason")).to_have_text("Other: Chose an in-house build")
    lost = workspace.deal(created["id"])
    assert (lost["status"], lost["lost_reason"], lost["lost_reason_detail"]) == (
        "lost",
        "Other",
        "Chose an in-house build",
    )

    signed_in.goto("/reports")
    by_reason = signed_in.get_by_role("table", name="Lost deals by reason")
    expect(by_reason.get_by_role("row", name="Other")).to_contain_text("$5,000.00")


def test_a_contacts_role_on_a_deal(signed_in: Page, workspace: WorkspaceApi) -> None:
    jane = workspace.create_contact("Jane", "Doe")
    created = workspace.create_deal("Umbrella expansion", contact_ids=[jane["id"]])
    deal = DealPage(signed_in).open(created["id"])
    deal.details.get_by_label("Role of Jane Doe").select_option(label="champion")
    # The select shows the saved role once the PATCH has answered with the new deal.
    expect(deal.details.get_by_label("Role of Jane Doe")).to_have_value("champion")
    signed_in.wait_for_load_state("networkidle")
    signed_in.reload()
    expect(deal.details.get_by_label("Role of Jane Doe")).to_have_value("champion")
    assert workspace.deal(created["id"])["contacts"] == [{"contact_id": jane["id"], "role": "champion"}]
