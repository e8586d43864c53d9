"""Lost reasons: a workspace pick-list, required when a deal is lost, and the report by reason and stage."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.api.imports_support import error_rows, imported
from tests.api.test_deals import move, new_deal, stages_by_name
from tests.api.test_pipelines import member_of
from tests.conftest import Api, Db, User

REASONS = "/api/v1/lost-reasons"


async def _labels(api: Api, user: User) -> list[str]:
    response = await api.get(REASONS, headers=user.headers)
    assert response.status_code == 200, response.text
    return [r["label"] for r in response.json()["items"]]


async def test_a_new_workspace_has_defaults_and_admins_manage_them(api: Api, user: User) -> None:
    labels = await _labels(api, user)
    assert labels[-1] == "Other" and {"Price", "Went with a competitor", "Stale"} <= set(labels)
    member = await member_of(api, user)
    assert await _labels(api, member) == labels
    denied = await api.post(REASONS, json={"label": "Legal"}, headers=member.headers)
    assert denied.status_code == 403

    legal = await api.post(REASONS, json={"label": "Legal review failed"}, headers=user.headers)
    assert legal.status_code == 201, legal.text
    assert (
        await api.post(REASONS, json={"label": "legal REVIEW failed"}, headers=user.headers)
    ).status_code == 409
    renamed = await api.patch(
        f"{REASONS}/{legal.json()['id']}", json={"label": "Legal"}, headers=user.headers
    )
    assert renamed.json()["label"] == "Legal"
    other = next(r for r in (await api.get(REASONS, headers=user.headers)).json()["items"] if r["other"])
    assert (await api.delete(f"{REASONS}/{other['id']}", headers=user.headers)).status_code == 409
    assert (await api.delete(f"{REASONS}/{legal.json()['id']}", headers=member.headers)).status_code == 403
    assert (await api.delete(f"{REASONS}/{legal.json()['id']}", headers=user.headers)).status_code == 204
    assert "Legal" not in await _labels(api, user)


async def test_losing_a_deal_takes_a_reason_from_the_list(api: Api, user: User) -> None:
    stages = await stages_by_name(api, user)
    lost_stage = stages["Closed Lost"]["id"]
    deal = await new_deal(api, user)
    missing = await move(api, user, deal, lost_stage)
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "lost_reason"]
    off_list = await move(api, user, deal, lost_stage, lost_reason="The moon was full")
    assert off_list.status_code == 422
    assert off_list.json()["errors"][0]["loc"] == ["body", "lost_reason"]
    assert "Went with a competitor" in off_list.json()["detail"]
    other_without_words = await move(api, user, deal, lost_stage, lost_reason="other")
    assert other_without_words.status_code == 422
    assert other_without_words.json()["errors"][0]["loc"] == ["body", "lost_reason_detail"]
    unchanged = (await api.get(f"/api/v1/deals/{deal['id']}", headers=user.headers)).json()
    assert unchanged["status"] == "open" and unchanged["version"] == deal["version"]

    lost = await move(
        api, user, deal, lost_stage, lost_reason="other", lost_reason_detail="The moon was full"
    )
    assert lost.status_code == 200, lost.text
    assert (lost.json()["lost_reason"], lost.json()["lost_reason_detail"]) == ("Other", "The moon was full")

    # The list's spelling is stored; a PATCH is held to the same list.
    second = await new_deal(api, user, stage_id=lost_stage, lost_reason="PRICE")
    assert (second["status"], second["lost_reason"]) == ("lost", "Price")
    refused = await api.patch(
        f"/api/v1/deals/{second['id']}", json={"lost_reason": "Because"}, headers=user.headers
    )
    assert refused.status_code == 422
    cleared = await api.patch(
        f"/api/v1/deals/{second['id']}", json={"lost_reason": None}, headers=user.headers
    )
    assert cleared.status_code == 422
    changed = await api.patch(
        f"/api/v1/deals/{second['id']}", json={"lost_reason": "budget"}, headers=user.headers
    )
    assert changed.json()["lost_reason"] == "Budget"
    created_off_list = await api.post(
        "/api/v1/deals",
        json={"title": "X", "stage_id": lost_stage, "lost_reason": "Because"},
        headers=user.headers,
    )
    assert created_off_list.status_code == 422


async def test_imports_file_unknown_reasons_under_other(api: Api, user: User, db: Db) -> None:
    done = await imported(
        api,
        user,
        db,
        b"title,stage,lost_reason\n"
        b"One,Closed Lost,price\n"
        b"Two,Closed Lost,Chose an in-house build\n"
        b"Three,Closed Lost,Other\n",
        object="deals",
    )
    assert (done["created"], done["failed"]) == (2, 1)
    [error] = await error_rows(api, user, done["id"])
    assert error["row"] == "3" and "lost_reason_detail" in error["reason"]
    deals = {d["title"]: d for d in (await api.get("/api/v1/deals", headers=user.headers)).json()["items"]}
    assert (deals["One"]["lost_reason"], deals["One"]["lost_reason_detail"]) == ("Price", None)
    assert (deals["Two"]["lost_reason"], deals["Two"]["lost_reason_detail"]) == (
        "Other",
        "Chose an in-house build",
    )


async def test_report_counts_lost_deals_by_reason_and_stage(api: Api, user: User, other_user: User) -> None:
    stages = await stages_by_name(api, user)
    lost_stage = stages["Closed Lost"]["id"]
    stage_names = list(stages)
    first, second = stages[stage_names[0]], stages[stage_names[1]]

    async def lose(title: str, from_stage: dict[str, Any], reason: str, amount: str, **extra: Any) -> None:
        deal = await new_deal(api, user, title=title, amount=amount, stage_id=from_stage["id"], **extra)
        moved = await move(api, user, deal, lost_stage, lost_reason=reason)
        assert moved.status_code == 200, moved.text

    await lose("A", first, "Price", "100")
    await lose("B", first, "Price", "200")
    await lose("C", second, "Price", "50")
    await lose("D", second, "Budget", "1000")
    await lose("E", second, "Price", "70", currency="EUR")
    await new_deal(api, user, title="Open one", amount="999")
    # Another workspace's losses never count.
    theirs = await new_deal(api, other_user, title="Theirs")
    await move(
        api,
        other_user,
        theirs,
        (await stages_by_name(api, other_user))["Closed Lost"]["id"],
        lost_reason="Price",
    )

    report = await api.get("/api/v1/reports/lost-reasons", headers=user.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["lost_count"] == 5
    assert [(r["lost_reason"], r["count"], r["amount"], r["other_currencies"]) for r in body["reasons"]] == [
        ("Price", 4, "350.00", {"EUR": "70.00"}),
        ("Budget", 1, "1000.00", {}),
    ]
    assert body["reasons"][0]["share"] == 0.8
    by_stage = {s["stage"]: s for s in body["stages"]}
    assert by_stage[first["name"]]["count"] == 2
    assert by_stage[first["name"]]["reasons"] == [{"lost_reason": "Price", "count": 2}]
    assert by_stage[second["name"]]["reasons"] == [
        {"lost_reason": "Price", "count": 2},
        {"lost_reason": "Budget", "count": 1},
    ]
    mine = await api.get(
        "/api/v1/reports/lost-reasons", params={"owner_id": other_user.user_id}, headers=user.headers
    )
    assert mine.json()["lost_count"] == 0
    past = await api.get(
        "/api/v1/reports/lost-reasons",
        params={"from": "2020-01-01", "to": "2020-01-31"},
        headers=user.headers,
    )
    assert past.json()["lost_count"] == 0

    as_csv = await api.get("/api/v1/reports/lost-reasons", params={"format": "csv"}, headers=user.headers)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {(r["stage"], r["lost_reason"], r["count"]) for r in rows} == {
        (first["name"], "Price", "2"),
        (second["name"], "Price", "2"),
        (second["name"], "Budget", "1"),
    }
