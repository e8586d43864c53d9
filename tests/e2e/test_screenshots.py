"""Screenshots for the docs (docs/screenshots/): the board, a deal, Today and an import's check
over realistic data.

Rewritten on every run, so they follow the SPA as it changes.
"""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from tests.e2e.pages import BoardPage, DealPage, ImportPage, TodayPage
from tests.e2e.support import E2E, SCREENSHOTS_DIR, WorkspaceApi, log_in

pytestmark = [*E2E, pytest.mark.usefixtures("worker")]

TODAY = dt.date.today()

# (title, account, stage, amount, days to expected close)
DEALS = [
    ("Website redesign", "Globex", "Prospect", "18000", 75),
    ("Support plan 2027", "Initech", "Prospect", "6400", -4),
    ("Data warehouse pilot", "Hooli", "Prospect", "32000", None),
    ("Fleet tracking rollout", "Umbrella Logistics", "Qualified", "54000", 60),
    ("Analytics add-on", "Stark Industries", "Qualified", "9800", 45),
    ("Annual licence renewal", "Wayne Enterprises", "Proposal Sent", "120000", 30),
    ("Onboarding services", "Globex", "Proposal Sent", "15500", 21),
    ("Enterprise upgrade", "Initech", "Negotiation", "87500", 14),
    ("Security audit", "Hooli", "Closed Won", "23000", 0),
]


IMPORT_CSV = (
    b"First Name,Last Name,Email,Company Name,Job Title,Mobile Phone Number,Lead Source,Favourite colour\n"
    b"Bruce,Wayne,bruce@wayne.example,Wayne Enterprises,CEO,+1 212 555 0100,referral,black\n"
    b"Selina,Kyle,selina@kyle.example,,Consultant,+1 212 555 0101,event,purple\n"
    b"Pepper,Potts,pepper@stark.example,Stark Industries,COO,+1 212 555 0102,website,red\n"
    b"Harvey,Dent,harvey.dent(at)gotham,Gotham DA,District Attorney,,event,grey\n"
    b"Lois,Lane,lois@planet.example,Daily Planet,Reporter,+1 212 555 0104,website,blue\n"
)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _arrange(api: WorkspaceApi) -> dict[str, str]:
    accounts = {name: api.create_account(name)["id"] for name in sorted({d[1] for d in DEALS})}
    ids: dict[str, str] = {}
    for title, account, stage, amount, close_in in DEALS:
        close = (TODAY + dt.timedelta(days=close_in)).isoformat() if close_in is not None else None
        # Created in their stage: deals moved on within seconds would teach Today's stage norms
        # that a stage takes no time, and flag every other deal as idle. The deal page's deal
        # walks the stages, for its history.
        walks = title == "Annual licence renewal"
        deal = api.create_deal(
            title,
            stage="Prospect" if walks else stage,
            amount=amount,
            account_id=accounts[account],
            expected_close_date=close,
        )
        if walks:
            api.move_deal(deal["id"], stage)
        ids[title] = deal["id"]
    return ids


def _shoot(page: Page, name: str) -> Path:
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{name}.png"
    page.mouse.move(0, 0)  # no hover state in the picture
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert _png_size(path) == (1280, 800)
    return path


def test_screenshots(page: Page, live_server: LiveServer) -> None:
    api = WorkspaceApi.sign_up(live_server.url, name="Dana Whitfield", workspace="Northwind Traders")
    deals = _arrange(api)
    renewal = deals["Annual licence renewal"]
    bruce = api.create_contact("Bruce", "Wayne", email="bruce@wayne.example", title="CEO")
    lucius = api.create_contact("Lucius", "Fox", email="lucius@wayne.example", title="CTO")
    api.update_deal(renewal, contact_ids=[bruce["id"], lucius["id"]])
    now = dt.datetime.now(dt.UTC)
    api.log_activity(
        "call", "Discovery call with Lucius", deal_id=renewal, body="Wants SSO and a 3-year term."
    )
    api.log_activity("meeting", "Pricing review", deal_id=renewal, completed_at=now.isoformat())
    api.log_activity("note", "Legal asked for the DPA template", deal_id=renewal)
    api.create_task("Send the revised proposal to Bruce", due_at=now - dt.timedelta(days=1), deal_id=renewal)
    api.create_task(
        "Chase Initech for the signed order",
        due_at=now - dt.timedelta(hours=3),
        deal_id=deals["Enterprise upgrade"],
    )
    end_of_day = dt.datetime.combine(TODAY, dt.time(23, 0), tzinfo=dt.UTC)
    api.create_task(
        "Prepare the Globex onboarding plan", due_at=max(end_of_day, now + dt.timedelta(minutes=5))
    )
    api.create_task("Quarterly review with Stark Industries", due_at=now + dt.timedelta(days=4))
    log_in(page, api.user)

    board = BoardPage(page).open()
    expect(board.card("Enterprise upgrade", stage="Negotiation")).to_contain_text("Initech")
    expect(board.heading("Prospect")).to_have_text("Prospect 3")
    _shoot(page, "board")

    deal = DealPage(page).open(renewal)
    expect(deal.title).to_have_text("Annual licence renewal")
    expect(page.get_by_text("Discovery call with Lucius")).to_be_visible()
    expect(deal.details.get_by_role("link", name="Lucius Fox")).to_be_visible()
    _shoot(page, "deal")

    today = TodayPage(page).open()
    expect(today.group("Overdue")).to_contain_text("Send the revised proposal to Bruce")
    expect(today.deal("Support plan 2027")).to_contain_text("expected close date passed")
    _shoot(page, "today")

    screen = ImportPage(page).open()
    screen.choose("hubspot-export.csv", IMPORT_CSV)
    expect(screen.projection).to_be_visible()
    screen.map_column("Mobile Phone Number", "Phone")
    screen.update_preview()
    expect(screen.preview).to_contain_text("+12125550100")
    page.evaluate("window.scrollTo(0, 0)")
    _shoot(page, "import")
    page.get_by_role("heading", name="3. Preview").evaluate(
        "h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 16)"
    )
    _shoot(page, "import-preview")
    api.close()
