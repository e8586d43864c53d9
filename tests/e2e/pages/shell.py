"""The signed-in frame: the header (workspace, search, log out) and the main navigation."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


class AppShell:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def header(self) -> Locator:
        return self.page.get_by_role("banner")

    @property
    def nav(self) -> Locator:
        return self.page.get_by_role("navigation", name="Main")

    def nav_link(self, name: str) -> Locator:
        return self.nav.get_by_role("link", name=name, exact=True)

    def nav_link_names(self) -> list[str]:
        return [name.strip() for name in self.nav.get_by_role("link").all_inner_texts()]

    def go_to(self, name: str) -> None:
        self.nav_link(name).click()

    @property
    def bell(self) -> Locator:
        """The notifications button; its name carries the unread count ("Notifications, 2 unread")."""
        return self.header.get_by_role("button", name=re.compile(r"^Notifications"))

    @property
    def notifications(self) -> Locator:
        return self.page.get_by_role("region", name="Notifications")

    def notification(self, title: str) -> Locator:
        return self.notifications.get_by_role("listitem").filter(has_text=title)

    def open_notifications(self) -> Locator:
        if self.bell.get_attribute("aria-expanded") != "true":
            self.bell.click()
        return self.notifications

    def log_out(self) -> None:
        self.header.get_by_role("button", name="Log out").click()

    @property
    def search_box(self) -> Locator:
        return self.header.get_by_role("combobox", name="Search everything")

    @property
    def search_results(self) -> Locator:
        return self.header.get_by_role("listbox", name="Search results").get_by_role("option")

    def search_result(self, title: str) -> Locator:
        return self.search_results.filter(has_text=title)

    def search(self, text: str) -> None:
        """Type into the search box the way a person does, after the "/" shortcut."""
        self.press_shortcut("/")
        self.page.keyboard.type(text)

    def press_shortcut(self, keys: str) -> None:
        # The shortcut lives in the signed-in frame, which shows once the session is read.
        expect(self.search_box).to_be_visible()
        self.page.keyboard.press(keys)
