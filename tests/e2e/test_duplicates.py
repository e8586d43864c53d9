"""Duplicates: adding a contact that exists points to it; a likely twin on a contact's page is
merged with the values a person chose."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import ContactsPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_adding_an_existing_email_offers_the_existing_contact(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    existing = workspace.create_contact("Ada", "Lovelace", email="ada@analytical.example")
    ContactsPage(signed_in).open()
    signed_in.get_by_role("button", name="New contact").click()
    form = signed_in.get_by_role("form", name="New contact")
    form.get_by_label("First name").fill("Augusta")
    form.get_by_label("Email").fill("ADA@analytical.example")
    form.get_by_role("button", name="Add contact").click()

    expect(form.get_by_role("alert")).to_contain_text("Looks like Ada Lovelace already exists")
    form.get_by_role("link", name="Open Ada Lovelace").click()

    expect(signed_in).to_have_url(re.compile(f"/contacts/{existing['id']}$"))
    expect(signed_in.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    assert len(workspace.http.get("/contacts").json()["items"]) == 1


def test_merge_a_likely_twin_choosing_which_values_survive(signed_in: Page, workspace: WorkspaceApi) -> None:
    keep = workspace.create_contact("Ada", "Lovelace", email="ada@analytical.example")
    twin = workspace.create_contact(
        "Ada", "Lovelace", email="countess@analytical.example", title="Countess", phone="+44 20 7946 0000"
    )
    signed_in.goto(f"/contacts/{keep['id']}")
    duplicates = signed_in.get_by_role("region", name="Possible duplicates")
    expect(duplicates).to_contain_text("countess@analytical.example")
    expect(duplicates).to_contain_text("same name")

    duplicates.get_by_role("button", name="Merge Ada Lovelace into this contact").click()
    dialog = signed_in.get_by_role("dialog", name="Merge Ada Lovelace into Ada Lovelace")
    expect(dialog).to_be_visible()
    # The survivor's own values are the default; its empty fields take the twin's.
    expect(dialog.get_by_role("radio", name="Keep email of this contact")).to_be_checked()
    expect(dialog.get_by_role("radio", name="Keep job title of the duplicate")).to_be_checked()
    dialog.get_by_role("radio", name="Keep email of the duplicate").check()
    dialog.get_by_role("button", name="Merge").click()

    expect(dialog).to_have_count(0)
    expect(duplicates).to_have_count(0)
    merged = workspace.http.get(f"/contacts/{keep['id']}").json()
    assert (merged["email"], merged["title"], merged["phone"]) == (
        "countess@analytical.example",
        "Countess",
        "+442079460000",
    )
    gone = workspace.http.get(f"/contacts/{twin['id']}")
    assert gone.status_code == 404 and gone.json()["merged_into"] == keep["id"]
    expect(signed_in.get_by_text("countess@analytical.example").first).to_be_visible()
