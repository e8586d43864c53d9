"""/deals/:id: a deal's fields, edited in place, and its timeline."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class DealPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, deal_id: str) -> DealPage:
        self.page.goto(f"/deals/{deal_id}")
        expect(self.title).to_be_visible()
        return self

    @property
    def title(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    @property
    def details(self) -> Locator:
        return self.page.get_by_role("region", name="Deal details")

    def field(self, label: str) -> Locator:
        """The shown value of a field: the `dd` after the `dt` that names it."""
        return self.details.locator(f"dt:text-is('{label}') + dd")
