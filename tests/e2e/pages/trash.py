"""/trash: deleted records, each with Restore; and the Undo toast a delete leaves behind."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class TrashPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open_from_settings(self) -> TrashPage:
        self.page.goto("/settings")
        self.page.get_by_role("navigation", name="Settings sections").get_by_role(
            "link", name="Deleted records"
        ).click()
        self.page.get_by_role("link", name="open the Trash").click()
        expect(self.page.get_by_role("heading", name="Trash", level=1)).to_be_visible()
        return self

    def row(self, title: str) -> Locator:
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=title))

    def restore(self, title: str) -> None:
        self.row(title).get_by_role("button", name=f"Restore {title}").click()


def delete_record(page: Page, noun: str) -> None:
    """On a record's page: Delete, confirming the browser's question."""
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Delete {noun}").click()


def toast(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text="moved to the trash")
