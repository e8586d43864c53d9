"""The main navigation, and finding a contact by part of its name."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import AppShell, ContactsPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E

MAIN_NAV = ["Today", "Pipeline", "Contacts", "Accounts", "Reports", "Import", "Settings"]


def test_the_main_navigation_reaches_every_screen(signed_in: Page, workspace: WorkspaceApi) -> None:
    signed_in.goto("/today")
    shell = AppShell(signed_in)
    expect(shell.nav.get_by_role("link")).to_have_text(MAIN_NAV)
    for name in MAIN_NAV:
        shell.go_to(name)
        expect(signed_in).to_have_url(re.compile(rf"/{name.lower()}$"))
        expect(shell.nav_link(name)).to_have_attribute("aria-current", "page")
        expect(signed_in.get_by_role("heading", level=1)).to_be_visible()
        expect(signed_in.get_by_text("Page not found")).to_have_count(0)
    expect(shell.header).to_contain_text(workspace.name)


def test_contacts_search_finds_a_contact_by_part_of_its_name(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    workspace.create_contact("Hank", "Scorpio", email="hank@globex.example", title="CEO")
    workspace.create_contact("Marge", "Simpson", email="marge@example.com")
    contacts = ContactsPage(signed_in).open()
    expect(contacts.rows).to_have_count(2)

    contacts.search("scorp")

    expect(signed_in).to_have_url(re.compile(r"/contacts\?q=scorp$"))
    expect(contacts.rows).to_have_count(1)
    expect(contacts.row("Hank Scorpio")).to_contain_text("hank@globex.example")
    expect(contacts.row("Marge Simpson")).to_have_count(0)
