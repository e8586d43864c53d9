"""Delete, then restore: from the Trash page, or at once with Undo; the links come back too."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import BoardPage, ContactsPage, TrashPage
from tests.e2e.pages.trash import delete_record, toast
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_a_deleted_contact_is_restored_from_the_trash_with_its_links(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    account = workspace.create_account("Globex")
    contact = workspace.create_contact(
        "Hank", "Scorpio", email="hank@globex.example", account_id=account["id"]
    )
    deal = workspace.create_deal("Doomsday device", contact_ids=[contact["id"]])

    signed_in.goto(f"/contacts/{contact['id']}")
    expect(signed_in.get_by_role("heading", name="Hank Scorpio", level=1)).to_be_visible()
    delete_record(signed_in, "contact")

    expect(signed_in).to_have_url(re.compile(r"/contacts$"))
    expect(toast(signed_in)).to_be_visible()
    expect(ContactsPage(signed_in).row("Hank Scorpio")).to_have_count(0)
    assert workspace.deal(deal["id"])["contact_ids"] == []

    trash = TrashPage(signed_in).open_from_settings()
    expect(trash.row("Hank Scorpio")).to_contain_text("Contact")
    trash.restore("Hank Scorpio")

    expect(signed_in.get_by_role("status").filter(has_text="Restored Hank Scorpio")).to_be_visible()
    expect(trash.row("Hank Scorpio")).to_have_count(0)
    signed_in.get_by_role("link", name="Open it").click()
    expect(signed_in.get_by_role("heading", name="Hank Scorpio", level=1)).to_be_visible()
    expect(signed_in.get_by_role("link", name="Globex")).to_be_visible()
    assert workspace.deal(deal["id"])["contact_ids"] == [contact["id"]]


def test_undo_right_after_a_delete_brings_the_contact_back(signed_in: Page, workspace: WorkspaceApi) -> None:
    contact = workspace.create_contact("Marge", "Simpson", email="marge@example.com")
    signed_in.goto(f"/contacts/{contact['id']}")
    delete_record(signed_in, "contact")
    contacts = ContactsPage(signed_in)
    expect(contacts.row("Marge Simpson")).to_have_count(0)

    toast(signed_in).get_by_role("button", name="Undo").click()

    expect(contacts.row("Marge Simpson")).to_be_visible()
    expect(toast(signed_in)).to_have_count(0)


def test_a_deleted_deal_leaves_the_board_and_comes_back_to_its_column(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    deal = workspace.create_deal("Monorail", stage="Qualified", amount="5000")
    signed_in.goto(f"/deals/{deal['id']}")
    delete_record(signed_in, "deal")

    board = BoardPage(signed_in).wait_until_loaded()
    expect(board.card("Monorail")).to_have_count(0)

    TrashPage(signed_in).open_from_settings().restore("Monorail")
    expect(signed_in.get_by_role("status").filter(has_text="Restored Monorail")).to_be_visible()
    board = BoardPage(signed_in).open()
    expect(board.card("Monorail", stage="Qualified")).to_be_visible()
