"""/today: overdue tasks, tasks due today, deals at risk and follow-ups, each acted on from here."""

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
        """A list (a region named by its heading and count, e.g. "Overdue 1", "At risk 2")."""
        return self.page.get_by_role("region", name=title)

    def task(self, subject: str) -> Locator:
        return self.page.get_by_role("listitem").filter(has_text=subject)

    def complete(self, subject: str) -> None:
        """Click "Mark done" and wait for the server's answer: the task leaves the list at
        once (optimistically), before the call is done."""
        with self.page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/complete")
        ) as answer:
            self.task(subject).get_by_role("button", name="Mark done").click()
        assert answer.value.ok, answer.value.text()

    def deal(self, title: str, group: str = "At risk") -> Locator:
        """A deal's item in a group; its reasons are a list named "Why <title> is here"."""
        return (
            self.group(group)
            .get_by_role("listitem")
            .filter(has=self.page.get_by_role("link", name=title, exact=True))
        )

    def reasons(self, title: str) -> Locator:
        return self.page.get_by_role("list", name=f"Why {title} is here").get_by_role("listitem")

    def open_deal(self, title: str, group: str = "At risk") -> None:
        self.deal(title, group).get_by_role("link", name=f"Open {title}").click()

    @property
    def all_caught_up(self) -> Locator:
        return self.page.get_by_text("Nothing needs you today. You are all caught up.")
