"""Saved views on the contacts list, several emails on a contact, and a person's own time zone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import ContactAddresses, ContactsPage, SettingsPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_a_saved_view_keeps_the_search_and_sort_and_comes_back(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    workspace.create_contact("Hank", "Scorpio", email="hank@globex.example")
    workspace.create_contact("Frank", "Grimes", email="frank@globex.example")
    workspace.create_contact("Marge", "Simpson", email="marge@example.com")
    contacts = ContactsPage(signed_in).open()
    expect(contacts.rows).to_have_count(3)

    contacts.search("globex")
    contacts.sort_by("Last name A–Z")
    contacts.filter_owner("Live User")
    expect(contacts.rows).to_have_count(2)
    expect(contacts.rows.first).to_contain_text("Frank Grimes")
    contacts.save_view("Globex people", shared=True)
    expect(signed_in.get_by_role("status").filter(has_text="Saved the view “Globex people”")).to_be_visible()

    saved = workspace.http.get("/views", params={"object": "contacts"}).json()["items"]
    assert [(v["name"], v["filters"], v["sort"], v["shared"]) for v in saved] == [
        ("Globex people", {"q": "globex", "owner_id": workspace.user.user_id}, "last_name", True)
    ]

    # Back to everything, newest first; the view brings the search and the sort back.
    contacts.choose_view("All contacts")
    expect(contacts.rows).to_have_count(3)
    expect(contacts.rows.first).to_contain_text("Marge Simpson")
    contacts.choose_view("Globex people (shared)")
    expect(signed_in).to_have_url(re.compile(r"q=globex"))
    expect(contacts.rows).to_have_count(2)
    expect(contacts.rows.first).to_contain_text("Frank Grimes")
    expect(contacts.rows.nth(1)).to_contain_text("Hank Scorpio")
    expect(contacts.views.get_by_label("Owner")).to_have_value(workspace.user.user_id)

    # Reloading the address keeps the view; its owner can delete it.
    signed_in.reload()
    expect(contacts.rows).to_have_count(2)
    signed_in.once("dialog", lambda dialog: dialog.accept())
    contacts.views.get_by_role("button", name="Delete view").click()
    expect(contacts.rows).to_have_count(3)
    assert workspace.http.get("/views", params={"object": "contacts"}).json()["items"] == []


def test_a_second_email_is_added_labelled_and_made_primary(signed_in: Page, workspace: WorkspaceApi) -> None:
    contact = workspace.create_contact("Hank", "Scorpio", email="hank@globex.example")
    signed_in.goto(f"/contacts/{contact['id']}")
    emails = ContactAddresses(signed_in, "Emails")
    expect(emails.item("hank@globex.example")).to_contain_text("Primary")

    emails.add("hank@cypress-creek.example", "home")
    expect(emails.items).to_have_count(2)
    new = emails.item("hank@cypress-creek.example")
    expect(new).to_contain_text("home")
    expect(new).not_to_contain_text("Primary")

    emails.make_primary("hank@cypress-creek.example")
    expect(emails.items.first).to_contain_text("hank@cypress-creek.example")
    expect(emails.item("hank@cypress-creek.example")).to_contain_text("Primary")
    expect(emails.item("hank@globex.example")).not_to_contain_text("Primary")
    emails.relabel("hank@globex.example", "work")
    expect(emails.item("hank@globex.example")).to_contain_text("work")

    stored = workspace.http.get(f"/contacts/{contact['id']}").json()
    assert stored["email"] == "hank@cypress-creek.example"
    assert [(e["email"], e["label"], e["primary"]) for e in stored["emails"]] == [
        ("hank@cypress-creek.example", "home", True),
        ("hank@globex.example", "work", False),
    ]

    # The contacts list shows the primary one.
    contacts = ContactsPage(signed_in).open()
    expect(contacts.row("Hank Scorpio")).to_contain_text("hank@cypress-creek.example")

    signed_in.goto(f"/contacts/{contact['id']}")
    emails.remove("hank@cypress-creek.example")
    expect(emails.items).to_have_count(1)
    expect(emails.item("hank@globex.example")).to_contain_text("Primary")


def test_a_person_sets_their_time_zone_and_today_uses_it(signed_in: Page, workspace: WorkspaceApi) -> None:
    settings = SettingsPage(signed_in).open("Your profile")
    zone_note = signed_in.get_by_role("status", name="Zone Today uses")
    expect(zone_note).to_contain_text("UTC")
    expect(zone_note).to_contain_text("the workspace’s")

    form = settings.form("Your time zone")
    form.get_by_label("Your time zone").select_option("Asia/Tokyo")
    form.get_by_role("button", name="Save time zone").click()

    expect(zone_note).to_contain_text("Asia/Tokyo (yours)")
    assert workspace.http.get("/me").json()["user"]["timezone"] == "Asia/Tokyo"
    signed_in.goto("/today")
    expect(signed_in.get_by_text("Asia/Tokyo")).to_be_visible()

    # Back to the workspace's zone.
    settings.open("Your profile")
    form.get_by_label("Your time zone").select_option("")
    form.get_by_role("button", name="Save time zone").click()
    expect(zone_note).to_contain_text("the workspace’s")
    assert workspace.http.get("/me").json()["user"]["timezone"] is None
