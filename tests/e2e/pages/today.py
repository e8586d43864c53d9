"""/today: my open tasks, grouped Overdue, Due today, Coming up, No due date."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class TodayPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> TodayPage:
        self.page.goto("/today")
        expect(self.page.get_by_role("heading", name="Today", level=1)).to_be_visible()
        expect(self.page.get_by_role("status")).to_have_count(0)
        return self

    def group(self, title: str) -> Locator:
        """A group of tasks (a region named by its heading, e.g. "Overdue 1")."""
        return self.page.get_by_role("region", name=title)

    def task(self, subject: str) -> Locator:
        return self.page.get_by_role("listitem").filter(has_text=subject)

    def complete(self, subject: str) -> None:
        self.task(subject).get_by_role("button", name="Mark done").click()

    @property
    def all_caught_up(self) -> Locator:
        return self.page.get_by_text("No open tasks. You are all caught up.")
