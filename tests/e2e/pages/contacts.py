"""/contacts: a searchable, paged table of contacts."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class ContactsPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> ContactsPage:
        self.page.goto("/contacts")
        expect(self.page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
        return self

    def search(self, text: str) -> None:
        form = self.page.get_by_role("search")
        form.get_by_label("Search contacts").fill(text)
        form.get_by_role("button", name="Search").click()

    def row(self, name: str) -> Locator:
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=name))

    @property
    def rows(self) -> Locator:
        """Data rows (the header row holds column headers, not a row header)."""
        return self.page.get_by_role("row").filter(has=self.page.get_by_role("rowheader"))
