"""Forms as admin settings: create (key, snippet), read, change, delete, list; who may."""

from __future__ import annotations

import uuid

from tests.api.forms_support import add_member, create_form
from tests.conftest import Api, User


async def test_create_form_gives_a_key_and_a_snippet_that_posts_to_it(api: Api, user: User) -> None:
    form = await create_form(
        api,
        user,
        thank_you_url="https://example.com/thanks",
        allowed_origins=["https://Example.com/"],
        field_mapping={"Your Mail": "email"},
    )
    assert form["key"].startswith("frm_") and len(form["key"]) > 20
    assert form["submission_url"] == f"http://testserver/api/v1/forms/{form['key']}/submissions"
    snippet = form["embed_html"]
    assert f'action="{form["submission_url"]}"' in snippet and 'method="POST"' in snippet
    assert 'name="email"' in snippet and 'name="_gotcha"' in snippet
    assert form["allowed_origins"] == ["https://example.com"]
    assert form["submissions"] == {"pending": 0, "processed": 0, "spam": 0, "rejected": 0, "failed": 0}
    assert form["create_deal"] is False and form["secret"] is None


async def test_read_change_list_and_delete(api: Api, user: User) -> None:
    form = await create_form(api, user, name="Demo request")
    path = f"/api/v1/forms/{form['id']}"
    got = await api.get(path, headers=user.headers)
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    changed = await api.patch(
        path,
        json={"name": "Book a demo", "secret": "s" * 20, "create_deal": True},
        headers={**user.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Book a demo" and changed.json()["secret"] == "s" * 20
    assert "signed posts" in changed.json()["embed_html"]
    stale = await api.patch(path, json={"name": "x"}, headers={**user.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    listed = await api.get("/api/v1/forms", headers=user.headers)
    assert form["id"] in [f["id"] for f in listed.json()["items"]]
    assert (await api.delete(path, headers=user.headers)).status_code == 204
    assert (await api.get(path, headers=user.headers)).status_code == 404
    gone = await api.post(f"/api/v1/forms/{form['key']}/submissions", json={"email": "a@b.co"})
    assert gone.status_code == 404


async def test_settings_are_checked(api: Api, user: User) -> None:
    for body, field in (
        ({"owner_id": str(uuid.uuid4())}, "owner_id"),
        ({"pipeline_id": str(uuid.uuid4())}, "pipeline_id"),
        ({"stage_id": str(uuid.uuid4())}, "stage_id"),
        ({"allowed_origins": ["https://example.com/path"]}, "allowed_origins"),
        ({"thank_you_url": "javascript:alert(1)"}, "thank_you_url"),
        ({"field_mapping": {"x": "password"}}, "field_mapping"),
        ({"routing": {"round_robin": [str(uuid.uuid4())]}}, "routing"),
        ({"secret": "short"}, "secret"),
    ):
        response = await api.post("/api/v1/forms", json={"name": "Bad", **body}, headers=user.headers)
        assert response.status_code == 422, (body, response.text)
        assert field in str(response.json()["errors"]), response.text


async def test_stage_sets_the_pipeline(api: Api, user: User) -> None:
    pipelines = await api.get("/api/v1/pipelines", headers=user.headers)
    pipeline = pipelines.json()["items"][0]
    stage = pipeline["stages"][1]
    form = await create_form(api, user, stage_id=stage["id"], create_deal=True)
    assert form["pipeline_id"] == pipeline["id"] and form["stage_id"] == stage["id"]


async def test_forms_are_admin_settings(api: Api, user: User) -> None:
    member = await add_member(api, user)
    form = await create_form(api, user)
    assert (await api.get("/api/v1/forms", headers=member.headers)).status_code == 403
    assert (await api.get(f"/api/v1/forms/{form['id']}", headers=member.headers)).status_code == 403
    assert (await api.post("/api/v1/forms", json={"name": "x"}, headers=member.headers)).status_code == 403


async def test_another_workspace_cannot_see_a_form(api: Api, user: User, other_user: User) -> None:
    form = await create_form(api, user)
    assert (await api.get(f"/api/v1/forms/{form['id']}", headers=other_user.headers)).status_code == 404
    listed = await api.get(f"/api/v1/forms/{form['id']}/submissions", headers=other_user.headers)
    assert listed.status_code == 404
