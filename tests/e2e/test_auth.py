"""Signing up, out and in through the forms."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.pages import AppShell, BoardPage, LoginPage, SignupPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_sign_up_log_out_and_log_in_again(page: Page) -> None:
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct-horse-battery"
    workspace = f"Lovelace Analytics {uuid.uuid4().hex[:4]}"

    SignupPage(page).open().sign_up(name="Ada Lovelace", email=email, password=password, workspace=workspace)

    shell = AppShell(page)
    expect(page).to_have_url(re.compile(r"/pipeline$"))
    expect(shell.header).to_contain_text(workspace)
    expect(shell.header).to_contain_text("Ada Lovelace")
    BoardPage(page).wait_until_loaded()

    shell.log_out()
    login = LoginPage(page)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(login.form).to_be_visible()
    expect(shell.header).to_be_hidden()

    login.log_in(email, password)
    expect(page).to_have_url(re.compile(r"/pipeline$"))
    expect(shell.header).to_contain_text(workspace)


def test_a_wrong_password_is_refused_with_a_message(page: Page, workspace: WorkspaceApi) -> None:
    login = LoginPage(page).open()
    login.log_in(workspace.user.email, "not-the-password")
    expect(login.form.get_by_role("alert")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))
