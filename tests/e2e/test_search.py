"""Search everywhere from the header: the keyboard shortcut, typo-tolerant ranked results, and
links to the record pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import AppShell
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_slash_search_with_a_typo_opens_the_contact(signed_in: Page, workspace: WorkspaceApi) -> None:
    hank = workspace.create_contact("Hank", "Scorpio", email="hank@globex.example", title="CEO")
    workspace.create_contact("Marge", "Simpson", email="marge@example.com")
    signed_in.goto("/today")
    shell = AppShell(signed_in)

    shell.search("scorpoi")  # a typo

    expect(shell.search_box).to_be_focused()
    expect(shell.search_results.first).to_contain_text("Hank Scorpio")
    expect(shell.search_results.first).to_contain_text("Contact · CEO · hank@globex.example")
    expect(shell.search_result("Marge Simpson")).to_have_count(0)
    signed_in.keyboard.press("Enter")
    expect(signed_in).to_have_url(re.compile(rf"/contacts/{hank['id']}$"))
    expect(signed_in.get_by_role("heading", level=1)).to_have_text("Hank Scorpio")
    expect(shell.search_results).to_have_count(0)


def test_ctrl_k_finds_deals_accounts_and_activities(signed_in: Page, workspace: WorkspaceApi) -> None:
    account = workspace.create_account("Globex Corporation", domain="globex.example")
    deal = workspace.create_deal("Globex hammock order", amount="1500")
    workspace.log_activity("call", "Call about the Globex order", deal_id=deal["id"])
    signed_in.goto("/pipeline")
    shell = AppShell(signed_in)

    shell.press_shortcut("Control+k")
    signed_in.keyboard.type("globex")

    expect(shell.search_results).to_have_count(3)
    # The account named exactly so first.
    expect(shell.search_results.first).to_contain_text("Globex Corporation")
    expect(shell.search_result("Call about the Globex order")).to_contain_text("Activity")
    shell.search_result("Globex hammock order").get_by_role("link").click()
    expect(signed_in).to_have_url(re.compile(rf"/deals/{deal['id']}$"))

    # Arrow keys move through the results; the activity opens the deal it belongs to.
    shell.search_box.click()
    shell.search_box.fill("call about")
    expect(shell.search_results).to_have_count(1)
    signed_in.keyboard.press("ArrowDown")
    signed_in.keyboard.press("Enter")
    expect(signed_in).to_have_url(re.compile(rf"/deals/{deal['id']}$"))

    shell.search_box.fill("zzzyyyxxx")
    expect(shell.header.get_by_role("status")).to_have_text("Nothing found for “zzzyyyxxx”.")
    signed_in.keyboard.press("Escape")
    expect(shell.header.get_by_role("listbox")).to_have_count(0)
    assert account["id"]


def test_slash_types_normally_inside_a_text_field(signed_in: Page, workspace: WorkspaceApi) -> None:
    signed_in.goto("/contacts")
    field = signed_in.get_by_role("searchbox").or_(signed_in.get_by_role("textbox")).first
    field.click()
    signed_in.keyboard.type("a/b")
    expect(field).to_have_value("a/b")
    expect(AppShell(signed_in).search_box).not_to_be_focused()
