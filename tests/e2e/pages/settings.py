"""/settings: a menu of sections (Workspace, Members, Pipelines, ...), each under its h2."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class SettingsPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, section: str = "Workspace") -> SettingsPage:
        self.page.goto("/settings")
        expect(self.page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
        return self.go_to(section)

    def go_to(self, section: str) -> SettingsPage:
        self.menu.get_by_role("link", name=section, exact=True).click()
        expect(self.section_heading).to_have_text(section)
        expect(self.page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
        return self

    @property
    def menu(self) -> Locator:
        return self.page.get_by_role("navigation", name="Settings sections")

    @property
    def section_heading(self) -> Locator:
        return self.page.get_by_role("heading", level=2).first

    @property
    def alert(self) -> Locator:
        return self.page.get_by_role("alert")

    def form(self, name: str) -> Locator:
        return self.page.get_by_role("form", name=name, exact=True)

    # Pipelines

    def stage(self, name: str) -> Locator:
        return self.page.get_by_role("listitem", name=name, exact=True)

    def stage_names(self, pipeline: str) -> list[str]:
        stages = self.page.get_by_role("list", name=f"Stages of {pipeline}").get_by_role("listitem")
        return [str(s) for s in stages.evaluate_all("items => items.map(i => i.getAttribute('aria-label'))")]

    def rename_stage(self, old: str, new: str) -> None:
        self.page.get_by_role("button", name=f"Edit {old}", exact=True).click()
        form = self.form(f"Edit stage {old}")
        form.get_by_label("Stage name").fill(new)
        form.get_by_role("button", name="Save stage").click()
        expect(form).to_be_hidden()
        expect(self.stage(new)).to_be_visible()

    def move_stage_up(self, name: str) -> None:
        """With the keyboard: focus the stage's "Move up" button and press Enter."""
        self.page.get_by_role("button", name=f"Move {name} up", exact=True).focus()
        self.page.keyboard.press("Enter")

    # Members

    def invite(self, email: str, role: str = "Member") -> None:
        form = self.form("Invite a member")
        form.get_by_label("Email").fill(email)
        form.get_by_label("Role").select_option(label=role)
        form.get_by_role("button", name="Send invitation").click()

    @property
    def pending_invitations(self) -> Locator:
        return self.page.get_by_role("list", name="Pending invitations").get_by_role("listitem")

    # API keys

    def create_api_key(self, name: str) -> str:
        form = self.form("New API key")
        form.get_by_label("Key name").fill(name)
        form.get_by_role("button", name="Create key").click()
        secret = self.page.get_by_role("region", name="New API key secret")
        expect(secret).to_be_visible()
        return secret.get_by_label("API key secret", exact=True).inner_text().strip()

    # Forms

    def create_form(self, name: str) -> None:
        self.page.get_by_role("button", name="New form").click()
        form = self.form("New form")
        form.get_by_label("Form name").fill(name)
        form.get_by_role("button", name="Create form").click()
        expect(form).to_be_hidden()

    def snippet(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)
