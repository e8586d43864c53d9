"""Bulk owner change on the contacts list: select rows, pick the new owner, each row shows it."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.pages import ContactsPage
from tests.e2e.support import E2E, PASSWORD, WorkspaceApi

pytestmark = E2E


def _add_member(workspace: WorkspaceApi, name: str) -> str:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.com"
    invited = workspace.http.post("/invitations", json={"email": email, "role": "member"})
    assert invited.status_code == 201, invited.text
    token = invited.json()["accept_url"].rsplit("/", 1)[-1]
    accepted = httpx.post(
        f"{workspace.http.base_url}invitations/{token}/accept",
        json={"name": name, "password": PASSWORD},
        timeout=15,
    )
    assert accepted.status_code in (200, 201), accepted.text
    return str(accepted.json()["user"]["id"])


def test_changing_the_owner_of_selected_contacts(signed_in: Page, workspace: WorkspaceApi) -> None:
    member_id = _add_member(workspace, "Waylon Smithers")
    hank = workspace.create_contact("Hank", "Scorpio", email="hank@globex.example")
    marge = workspace.create_contact("Marge", "Simpson", email="marge@example.com")
    ned = workspace.create_contact("Ned", "Flanders", email="ned@example.com")

    contacts = ContactsPage(signed_in).open()
    expect(contacts.rows).to_have_count(3)
    contacts.select("Hank Scorpio")
    contacts.select("Marge Simpson")
    expect(signed_in.get_by_role("region", name="Bulk actions")).to_contain_text("2 selected")
    contacts.change_owner_of_selected("Waylon Smithers")

    expect(
        signed_in.get_by_role("status").filter(has_text="Changed the owner of 2 contacts.")
    ).to_be_visible()
    expect(contacts.owner_of("Hank Scorpio")).to_have_text("Waylon Smithers")
    expect(contacts.owner_of("Marge Simpson")).to_have_text("Waylon Smithers")
    expect(contacts.owner_of("Ned Flanders")).not_to_have_text("Waylon Smithers")
    expect(signed_in.get_by_role("region", name="Bulk actions")).to_have_count(0)
    for contact, owner in ((hank, member_id), (marge, member_id), (ned, workspace.user.user_id)):
        assert workspace.http.get(f"/contacts/{contact['id']}").json()["owner_id"] == owner
