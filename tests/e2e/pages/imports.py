"""/import: choose a CSV, check the mapping and the preview, run it and read the summary."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class ImportPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> ImportPage:
        self.page.goto("/import")
        expect(self.page.get_by_role("heading", name="Import", level=1)).to_be_visible()
        return self

    def choose(self, name: str, content: bytes, *, object: str = "Contacts") -> None:
        """Pick what the rows are and the file, then ask the server to check it (a dry run)."""
        self.page.get_by_label("What the rows are").select_option(label=object)
        self.page.get_by_label("CSV file").set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": content}
        )
        self.page.get_by_role("button", name="Check the file").click()

    def field_for(self, column: str) -> Locator:
        return self.page.get_by_label(f"Field for column {column}", exact=True)

    def map_column(self, column: str, field_label: str) -> None:
        self.field_for(column).select_option(label=field_label)

    def update_preview(self) -> None:
        self.page.get_by_role("button", name="Update the preview").click()

    @property
    def preview(self) -> Locator:
        return self.page.get_by_role("table", name="as they would be stored")

    def preview_row(self, row: int) -> Locator:
        return self.preview.get_by_role("row").filter(
            has=self.page.get_by_role("rowheader", name=str(row), exact=True)
        )

    @property
    def projection(self) -> Locator:
        return self.page.get_by_text("If you import now")

    def start(self) -> None:
        self.page.get_by_role("button", name="Start the import").click()

    @property
    def progress(self) -> Locator:
        return self.page.get_by_role("progressbar", name="Import progress")

    @property
    def summary(self) -> Locator:
        return self.page.get_by_role("region", name="Summary")

    def count(self, label: str) -> Locator:
        """The number beside a summary label (Created, Merged, Skipped, Failed)."""
        return self.summary.locator("div").filter(has=self.page.get_by_text(label, exact=True)).locator("dd")

    @property
    def errors_link(self) -> Locator:
        return self.summary.get_by_role("link", name="Download the failed rows (CSV)")
