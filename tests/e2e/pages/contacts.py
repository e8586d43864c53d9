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

    def select(self, name: str) -> None:
        self.page.get_by_role("checkbox", name=f"Select {name}").check()

    def change_owner_of_selected(self, owner: str) -> None:
        bar = self.page.get_by_role("region", name="Bulk actions")
        bar.get_by_label("New owner").select_option(label=owner)
        bar.get_by_role("button", name="Change owner").click()

    def owner_of(self, name: str) -> Locator:
        """The Owner cell of a contact's row (the fifth column)."""
        return self.row(name).get_by_role("cell").nth(4)
