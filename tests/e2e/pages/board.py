"""/pipeline: the board. Columns are regions named by their stage, cards articles named by title."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager

from playwright.sync_api import Locator, Page, expect


class BoardPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> BoardPage:
        self.page.goto("/pipeline")
        return self.wait_until_loaded()

    def reload(self) -> BoardPage:
        self.page.reload()
        return self.wait_until_loaded()

    def wait_until_loaded(self) -> BoardPage:
        expect(self.columns.first).to_be_visible()
        return self

    # What a person sees

    @property
    def columns(self) -> Locator:
        """The stages' regions, left to right (the page itself is a region too, named by the pipeline)."""
        return self.page.locator(".board").get_by_role("region")

    def column(self, stage: str) -> Locator:
        return self.page.get_by_role("region", name=stage, exact=True)

    def card(self, title: str, *, stage: str | None = None) -> Locator:
        scope = self.column(stage) if stage else self.page.locator(".board")
        return scope.get_by_role("article", name=title, exact=True)

    def heading(self, stage: str) -> Locator:
        """The column's heading: its stage name and its count, e.g. "Prospect 3"."""
        return self.column(stage).get_by_role("heading", level=2)

    def total(self, stage: str) -> Locator:
        return (
            self.column(stage)
            .locator("dt", has_text=re.compile(r"^Total$"))
            .locator("xpath=following-sibling::dd[1]")
        )

    def stage_names(self) -> list[str]:
        return [
            str(name) for name in self.columns.evaluate_all("cs => cs.map(c => c.getAttribute('aria-label'))")
        ]

    @property
    def alert(self) -> Locator:
        """A refused move's message (or any other error on the page: none is expected otherwise)."""
        return self.page.get_by_role("alert")

    @property
    def announcement(self) -> Locator:
        """dnd-kit's live region: what a screen reader hears while a card is dragged."""
        return self.page.get_by_role("status").filter(
            has_text=re.compile(r"Picked up|Over|Dropped|cancelled|not over")
        )

    # What a person does

    def quick_add(
        self, stage: str, title: str, amount: str | None = None, close_date: str | None = None
    ) -> None:
        column = self.column(stage)
        column.get_by_role("button", name="+ Add deal").click()
        form = column.get_by_role("form", name=f"New deal in {stage}")
        form.get_by_label("Title").fill(title)
        if amount is not None:
            form.get_by_label("Amount").fill(amount)
        if close_date is not None:
            form.get_by_label("Expected close date").fill(close_date)
        form.get_by_role("button", name="Add", exact=True).click()
        expect(form).to_be_hidden()

    def drag(self, title: str, *, to: str) -> None:
        """Drag a card with the mouse into the column `to`, below its last card.

        dnd-kit's pointer sensor starts a drag only after the pointer moved 5 px with the button
        down, and works out the target from pointer moves, so the pointer travels in steps.
        """
        card = self.card(title)
        target = self.column(to)
        card.scroll_into_view_if_needed()
        target.scroll_into_view_if_needed()
        start = card.bounding_box()
        end = target.bounding_box()
        assert start and end, "card or column is not on screen"
        x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
        # The column's lower part: over the column rather than one of its cards.
        x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] - 20
        mouse = self.page.mouse
        mouse.move(x0, y0)
        mouse.down()
        mouse.move(x0 + 12, y0 + 4, steps=3)
        self._expect_picked_up(title)
        mouse.move(x1, y1, steps=12)
        mouse.move(x1, y1 - 4, steps=2)
        expect(self.announcement).to_contain_text(re.compile(rf"Over (.* in )?{re.escape(to)}\.$"))
        with self._server_answers_the_move():
            mouse.up()
        expect(self.announcement).to_have_text(re.compile(rf"Dropped {re.escape(title)}"))

    def move_with_keyboard(self, title: str, *, to: str) -> None:
        """Focus the card, Space to pick it up, ArrowRight column by column to `to`, Space to drop."""
        stages = self.stage_names()
        here = next(s for s in stages if self.card(title, stage=s).count() > 0)
        assert stages.index(to) > stages.index(here), f"{to} is not to the right of {here}"
        self.card(title).focus()
        self.page.keyboard.press("Space")
        self._expect_picked_up(title)
        for stage in stages[stages.index(here) + 1 : stages.index(to) + 1]:
            self.page.keyboard.press("ArrowRight")
            expect(self.announcement).to_have_text(re.compile(rf"Over (.* in )?{re.escape(stage)}\.$"))
        with self._server_answers_the_move():
            self.page.keyboard.press("Space")
        expect(self.announcement).to_have_text(re.compile(rf"Dropped {re.escape(title)}"))

    def _server_answers_the_move(self) -> AbstractContextManager[object]:
        """Wait for POST /deals/{id}/move to be answered: the board shows a drop at once
        (optimistically), so a test that reloads right after it would race the request."""
        return self.page.expect_response(
            lambda r: r.request.method == "POST" and bool(re.search(r"/api/v1/deals/[^/]+/move$", r.url))
        )

    def _expect_picked_up(self, title: str) -> None:
        # The card is lifted: the live region says so, or already says what it is over.
        expect(self.announcement).to_have_text(re.compile(rf"^(Picked up {re.escape(title)}\.|Over .*)$"))

    def open_deal(self, title: str) -> None:
        self.card(title).get_by_role("link", name=title).click()
