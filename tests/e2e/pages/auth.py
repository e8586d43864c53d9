"""/login and /signup."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


class LoginPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> LoginPage:
        self.page.goto("/login")
        return self

    @property
    def form(self) -> Locator:
        return self.page.get_by_role("form", name="Log in to Rapport")

    def log_in(self, email: str, password: str) -> None:
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()


class SignupPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> SignupPage:
        self.page.goto("/signup")
        return self

    def sign_up(self, *, name: str, email: str, password: str, workspace: str) -> None:
        self.page.get_by_label("Name", exact=True).fill(name)
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_label("Workspace name").fill(workspace)
        self.page.get_by_role("button", name="Sign up").click()
