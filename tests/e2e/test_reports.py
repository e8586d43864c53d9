"""Reports: charts beside the numbers they draw."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.support import E2E, WorkspaceApi

pytestmark = E2E


def test_reports_draw_won_funnel_sources_and_forecast_beside_their_numbers(
    signed_in: Page, workspace: WorkspaceApi
) -> None:
    won = workspace.create_deal("Initech licence", amount="12000", source="referral")
    workspace.move_deal(won["id"], "Closed Won")
    workspace.create_deal("Globex pilot", amount="5000", source="webinar")

    signed_in.goto("/reports")

    won_section = signed_in.get_by_role("region", name="Won over time")
    expect(won_section.get_by_role("img", name="amount won in each period")).to_be_visible()
    expect(won_section.get_by_role("row").filter(has_text="$12,000.00")).to_contain_text("1")
    funnel = signed_in.get_by_role("region", name="Funnel")
    expect(funnel.get_by_role("img", name="reached each stage")).to_be_visible()
    expect(funnel.get_by_role("row").filter(has_text="Prospect")).to_contain_text("2")
    forecast = signed_in.get_by_role("region", name="Forecast")
    expect(forecast.get_by_role("img", name="per month")).to_be_visible()
    # Drawn, not empty frames: the won bar and the forecast's legend.
    expect(won_section.locator(".recharts-bar-rectangle path")).to_have_count(1)
    expect(forecast.get_by_role("img").get_by_text("Best case")).to_be_visible()
    sources = signed_in.get_by_role("region", name="Sources")
    expect(sources.get_by_role("img", name="won from each source")).to_be_visible()
    expect(sources.get_by_role("row").filter(has_text="referral")).to_contain_text("$12,000.00")
    expect(sources.get_by_role("row").filter(has_text="webinar")).to_contain_text("0 · $0.00")
