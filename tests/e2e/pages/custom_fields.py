"""Settings → Custom fields: defining, renaming and deleting the fields records carry."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class CustomFieldsSettings:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> CustomFieldsSettings:
        self.page.goto("/settings/custom-fields")
        expect(self.section).to_be_visible()
        return self

    @property
    def section(self) -> Locator:
        return self.page.get_by_role("region", name="Custom fields")

    def table(self, object_: str = "deals") -> Locator:
        return self.section.get_by_role("table", name=f"Custom fields of {object_}")

    def row(self, label: str) -> Locator:
        return self.section.get_by_role("row").filter(has=self.page.get_by_role("rowheader", name=label))

    def add(self, label: str, type_: str, options: str | None = None) -> None:
        form = self.section.get_by_role("form", name="Add a custom field")
        form.get_by_label("Field label").fill(label)
        form.get_by_label("Field type").select_option(label=type_)
        if options is not None:
            form.get_by_label("Options (separated by commas)").fill(options)
        form.get_by_role("button", name="Add field").click()
        expect(self.row(label)).to_be_visible()

    def rename(self, label: str, to: str) -> None:
        self.section.get_by_role("button", name=f"Rename {label}").click()
        self.section.get_by_label("Label", exact=True).fill(to)
        self.section.get_by_role("button", name="Save").click()
        expect(self.row(to)).to_be_visible()
