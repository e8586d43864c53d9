"""The board: quick-add, moving cards with the mouse and the keyboard, and moves the server refuses."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import BoardPage, DealPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E

NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def test_quick_add_then_drag_with_the_mouse(signed_in: Page, workspace: WorkspaceApi) -> None:
    workspace.create_deal("Already qualified", stage="Qualified", amount="1000")
    board = BoardPage(signed_in).open()
    expect(board.heading("Prospect")).to_have_text("Prospect 0")
    expect(board.heading("Qualified")).to_have_text("Qualified 1")
    expect(board.total("Qualified")).to_have_text("$1,000.00")

    board.quick_add("Prospect", "Globex rollout", amount="12,500")

    expect(board.card("Globex rollout", stage="Prospect")).to_contain_text("$12,500.00")
    expect(board.heading("Prospect")).to_have_text("Prospect 1")
    expect(board.total("Prospect")).to_have_text("$12,500.00")

    board.drag("Globex rollout", to="Qualified")

    expect(board.card("Globex rollout", stage="Qualified")).to_be_visible()
    expect(board.alert).to_have_count(0)
    board.reload()
    expect(board.card("Globex rollout", stage="Qualified")).to_be_visible()
    expect(board.card("Globex rollout", stage="Prospect")).to_have_count(0)
    expect(board.heading("Prospect")).to_have_text("Prospect 0")
    expect(board.total("Prospect")).to_have_text("$0.00")
    expect(board.heading("Qualified")).to_have_text("Qualified 2")
    expect(board.total("Qualified")).to_have_text("$13,500.00")

    board.open_deal("Globex rollout")
    deal = DealPage(signed_in)
    expect(deal.title).to_have_text("Globex rollout")
    expect(deal.field("Stage")).to_contain_text("Qualified")


def test_move_with_the_keyboard_into_a_stage_whose_fields_are_filled(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    workspace.create_deal("Initech renewal", stage="Qualified", amount="4200", expected_close_date=NEXT_MONTH)
    board = BoardPage(signed_in).open()

    board.move_with_keyboard("Initech renewal", to="Proposal Sent")

    expect(board.card("Initech renewal", stage="Proposal Sent")).to_be_visible()
    expect(board.alert).to_have_count(0)
    board.reload()
    expect(board.card("Initech renewal", stage="Proposal Sent")).to_be_visible()
    expect(board.heading("Qualified")).to_have_text("Qualified 0")
    expect(board.heading("Proposal Sent")).to_have_text("Proposal Sent 1")
    expect(board.total("Proposal Sent")).to_have_text("$4,200.00")


def test_a_stale_drag_says_so_and_refreshes_the_board(signed_in: Page, workspace: WorkspaceApi) -> None:
    deal = workspace.create_deal("Umbrella pilot", stage="Prospect", amount="5000")
    board = BoardPage(signed_in).open()
    expect(board.card("Umbrella pilot", stage="Prospect")).to_contain_text("$5,000.00")

    # Someone else changes the deal after the board was loaded: its version moves on.
    changed = workspace.update_deal(deal["id"], amount="7500")
    assert changed["version"] != deal["version"]

    board.drag("Umbrella pilot", to="Qualified")

    expect(board.alert).to_contain_text("changed by someone else")
    card = board.card("Umbrella pilot", stage="Prospect")
    expect(card).to_be_visible()
    expect(card).to_contain_text("$7,500.00")  # the refreshed board shows the other person's change
    expect(board.total("Prospect")).to_have_text("$7,500.00")
    assert workspace.deal(deal["id"])["stage_id"] == workspace.stage_id("Prospect")

    # With the fresh version the same move goes through.
    board.drag("Umbrella pilot", to="Qualified")
    expect(board.card("Umbrella pilot", stage="Qualified")).to_be_visible()
    expect(board.alert).to_have_count(0)
    board.reload()
    expect(board.card("Umbrella pilot", stage="Qualified")).to_be_visible()


def test_a_stage_with_required_fields_names_what_is_missing(signed_in: Page, workspace: WorkspaceApi) -> None:
    workspace.create_deal("Hooli intro", stage="Prospect")
    board = BoardPage(signed_in).open()

    board.drag("Hooli intro", to="Proposal Sent")

    expect(board.alert).to_contain_text(re.compile(r"Proposal Sent requires: amount, expected close date"))
    expect(board.card("Hooli intro", stage="Prospect")).to_be_visible()
    expect(board.card("Hooli intro", stage="Proposal Sent")).to_have_count(0)
    expect(board.heading("Prospect")).to_have_text("Prospect 1")
    expect(board.heading("Proposal Sent")).to_have_text("Proposal Sent 0")
    board.reload()
    expect(board.card("Hooli intro", stage="Prospect")).to_be_visible()


def test_quick_add_asks_for_what_the_stage_requires(signed_in: Page, workspace: WorkspaceApi) -> None:
    board = BoardPage(signed_in).open()
    board.quick_add("Proposal Sent", "Initech renewal", amount="4,000", close_date=NEXT_MONTH)
    expect(board.card("Initech renewal", stage="Proposal Sent")).to_contain_text("$4,000.00")
    expect(board.heading("Proposal Sent")).to_have_text("Proposal Sent 1")
