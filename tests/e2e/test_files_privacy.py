"""Files on a contact, erasing a person's data, and the audit log, in the browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_attach_download_and_delete_a_file(signed_in: Page, workspace: WorkspaceApi, tmp_path: Path) -> None:
    contact = workspace.create_contact("Grace", "Hopper", email="grace@navy.example")
    page = signed_in
    page.goto(f"/contacts/{contact['id']}")
    files = page.get_by_role("region", name="Files")
    expect(files).to_contain_text("No files yet")

    upload = tmp_path / "notes.png"
    upload.write_text("not really a picture\n")
    files.get_by_label("Attach file").set_input_files(str(upload))
    link = files.get_by_role("link", name="notes.png")
    expect(link).to_be_visible()
    # The type was read from the bytes, not from the name.
    expect(files).to_contain_text("text/plain")

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "notes.png"
    assert Path(download.path()).read_text() == "not really a picture\n"

    page.once("dialog", lambda dialog: dialog.accept())
    files.get_by_role("button", name="Delete notes.png").click()
    expect(files).to_contain_text("No files yet")


def test_an_admin_erases_a_contact_after_confirming(signed_in: Page, workspace: WorkspaceApi) -> None:
    contact = workspace.create_contact(
        "Alan", "Turing", email="alan@bletchley.example", phone="+441234567890"
    )
    page = signed_in
    page.goto(f"/contacts/{contact['id']}")
    expect(page.get_by_role("heading", name="Alan Turing", level=1)).to_be_visible()

    page.get_by_role("button", name="Erase personal data").click()
    dialog = page.get_by_role("alertdialog", name="Erase this person's data?")
    erase = dialog.get_by_role("button", name="Erase permanently")
    expect(erase).to_be_disabled()
    dialog.get_by_label("Type ERASE to confirm").fill("ERASE")
    erase.click()

    expect(page.get_by_text("This contact's personal data was erased.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Alan Turing")
    after = workspace.http.get(f"/contacts/{contact['id']}").json()
    assert after["email"] is None and after["phone"] is None and after["erased_at"]

    page.goto("/settings/audit-log")
    expect(page.get_by_role("heading", name="Audit log", level=2)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="contact.erased")).to_have_count(1)
