"""Import: a small CSV is checked (mapping and preview), its mapping changed, run with a live
progress bar, and summed up with its failed rows downloadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import BoardPage, ImportPage
from tests.e2e.support import E2E, WorkspaceApi

pytestmark = [*E2E, pytest.mark.usefixtures("worker")]

CSV = (
    b"First Name,Last Name,E-mail Address,Company,Shoe size\n"
    b"Grace,Hopper,grace@navy.example,US Navy,38\n"
    b"Ada,Lovelace,ADA@analytical.example,,37\n"
    b"Bad,Row,not-an-email,,40\n"
    b"Alan,Turing,alan@bletchley.example,Bletchley Park,44\n"
)


def test_import_a_small_csv_and_watch_progress(
    signed_in: Page, workspace: WorkspaceApi, tmp_path: Path
) -> None:
    existing = workspace.create_contact("Ada", "Lovelace", email="ada@analytical.example")
    screen = ImportPage(signed_in).open()

    screen.choose("people.csv", CSV)

    # The server's suggestions: known headers map themselves, an unknown one is left out.
    expect(screen.field_for("E-mail Address")).to_have_value("email")
    expect(screen.field_for("First Name")).to_have_value("first_name")
    expect(screen.field_for("Company")).to_have_value("company")
    expect(screen.field_for("Shoe size")).to_have_value("")
    # The dry run's preview: the rows as they would be stored, before anything is written.
    expect(screen.projection).to_contain_text("would create 2, would merge 1, would fail 1")
    expect(screen.preview_row(1)).to_contain_text("grace@navy.example")
    expect(screen.preview_row(3)).to_contain_text("Fails")
    assert len(workspace.http.get("/contacts").json()["items"]) == 1

    screen.map_column("Shoe size", "Custom field…")
    expect(signed_in.get_by_label("Custom field name for column Shoe size")).to_have_value("shoe_size")
    screen.update_preview()
    expect(screen.preview).to_contain_text("shoe_size: 38")

    screen.start()

    expect(screen.progress).to_be_visible()
    expect(screen.summary).to_be_visible()
    expect(screen.progress).to_have_attribute("value", "100")
    expect(screen.count("Created")).to_have_text("2")
    expect(screen.count("Merged")).to_have_text("1")
    expect(screen.count("Failed")).to_have_text("1")

    with signed_in.expect_download() as download:
        screen.errors_link.click()
    saved = tmp_path / "errors.csv"
    download.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("row,reason,First Name")
    assert len(lines) == 2 and lines[1].startswith("3,") and "not-an-email" in lines[1]

    contacts = {c["email"]: c for c in workspace.http.get("/contacts").json()["items"]}
    assert set(contacts) == {"grace@navy.example", "ada@analytical.example", "alan@bletchley.example"}
    assert contacts["grace@navy.example"]["custom_fields"] == {"shoe_size": "38"}
    assert contacts["ada@analytical.example"]["id"] == existing["id"]


def test_import_deals_onto_the_board(signed_in: Page, workspace: WorkspaceApi) -> None:
    content = (
        b"Deal Name,Amount,Stage,Expected Close Date\n"
        b"Acme rollout,12000,Qualified,2026-12-31\n"
        b"Lost in space,500,Nowhere,\n"
    )
    screen = ImportPage(signed_in).open()

    screen.choose("deals.csv", content, object="Deals")

    expect(screen.field_for("Deal Name")).to_have_value("title")
    expect(screen.field_for("Stage")).to_have_value("stage")
    expect(screen.projection).to_contain_text("would create 1, would fail 1")
    screen.start()
    expect(screen.count("Created")).to_have_text("1")
    expect(screen.count("Failed")).to_have_text("1")

    screen.summary.get_by_role("link", name="Open deals").click()
    board = BoardPage(signed_in).wait_until_loaded()
    expect(board.card("Acme rollout", stage="Qualified")).to_contain_text("$12,000")
    expect(board.card("Lost in space")).to_have_count(0)
