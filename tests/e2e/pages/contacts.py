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

    # Saved views

    @property
    def views(self) -> Locator:
        return self.page.get_by_role("region", name="Views")

    def sort_by(self, label: str) -> None:
        self.views.get_by_label("Sort").select_option(label=label)

    def filter_owner(self, label: str) -> None:
        self.views.get_by_label("Owner").select_option(label=label)

    def save_view(self, name: str, *, shared: bool = False) -> None:
        self.views.get_by_role("button", name="Save view").click()
        form = self.page.get_by_role("form", name="Save view")
        form.get_by_label("View name").fill(name)
        if shared:
            form.get_by_label("Share with the workspace").check()
        form.get_by_role("button", name="Save", exact=True).click()

    def choose_view(self, label: str) -> None:
        self.views.get_by_label("View", exact=True).select_option(label=label)


class ContactAddresses:
    """A contact page's Emails or Phones list: each address with its label and primary mark."""

    def __init__(self, page: Page, title: str = "Emails") -> None:
        self.page = page
        self.section = page.get_by_role("region", name=title, exact=True)
        self.one = "email" if title == "Emails" else "phone"

    def item(self, value: str) -> Locator:
        return self.section.get_by_role("listitem", name=value)

    @property
    def items(self) -> Locator:
        return self.section.get_by_role("listitem")

    def add(self, value: str, label: str = "") -> None:
        form = self.section.get_by_role("form", name=f"Add {self.one}")
        form.get_by_label(f"New {self.one}").fill(value)
        form.get_by_label("Label").fill(label)
        form.get_by_role("button", name=f"Add {self.one}").click()

    def make_primary(self, value: str) -> None:
        self.section.get_by_role("button", name=f"Make {value} primary").click()

    def relabel(self, value: str, label: str) -> None:
        self.section.get_by_role("button", name=f"Edit the label of {value}").click()
        form = self.section.get_by_role("form", name=f"Label of {value}")
        form.get_by_label("Label").fill(label)
        form.get_by_role("button", name="Save label").click()

    def remove(self, value: str) -> None:
        self.section.get_by_role("button", name=f"Remove {value}").click()
