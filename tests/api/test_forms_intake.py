"""The public submission endpoint, driven the way real senders drive it: a browser's HTML form
post, multipart, JSON, a signed server-to-server post, retries with Idempotency-Key, bots,
oversized and malformed bodies, throttling and CORS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import func, select, text

from domain.forms.intake import enter_form_workspace_by_key
from domain.forms.rate_limits import FormRateLimiter
from domain.models import Contact, FormSubmission
from tests.api.forms_support import BROWSER_ACCEPT, create_form, run_worker, submission, submit_url
from tests.conftest import Api, AppHandle, Db, User, free_port


def _signature(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


async def _contacts_with(db: Db, email: str) -> int:
    async with db.sessionmaker() as session:
        return int(
            await session.scalar(select(func.count()).select_from(Contact).where(Contact.email == email)) or 0
        )


async def test_html_form_post_is_sent_to_the_thank_you_page(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user, thank_you_url="https://example.com/thanks")
    response = await api.post(
        submit_url(form),
        content=b"name=Grace+Hopper&email=grace%40navy.example&message=Hello%21&_gotcha=",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": BROWSER_ACCEPT,
            "Referer": "https://example.com/contact?utm_source=newsletter&utm_campaign=launch",
            "Origin": "https://example.com",
            "User-Agent": "Mozilla/5.0",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "https://example.com/thanks"
    listed = await api.get(f"/api/v1/forms/{form['id']}/submissions", headers=user.headers)
    [item] = listed.json()["items"]
    assert item["status"] == "pending" and item["fields"]["name"] == "Grace Hopper"
    assert item["lead"]["utm_source"] == "newsletter" and item["lead"]["name"] == "Grace Hopper"
    detail = await api.get(f"/api/v1/forms/{form['id']}/submissions/{item['id']}", headers=user.headers)
    assert detail.json()["raw_body"].startswith("name=Grace+Hopper")
    assert detail.json()["headers"]["user-agent"] == "Mozilla/5.0"
    await run_worker(db, user.workspace_id)
    done = await submission(db, item["id"])
    assert done.status == "processed" and done.contact_id is not None
    contact = (await api.get(f"/api/v1/contacts/{done.contact_id}", headers=user.headers)).json()
    assert (contact["first_name"], contact["last_name"], contact["email"]) == (
        "Grace",
        "Hopper",
        "grace@navy.example",
    )
    assert contact["source"] == "newsletter"
    touch = contact["attribution"]["first_touch"]
    assert touch["utm_campaign"] == "launch" and touch["referrer"].startswith("https://example.com/contact")


async def test_script_post_gets_202_json_even_with_a_thank_you_page(api: Api, user: User) -> None:
    form = await create_form(api, user, thank_you_url="https://example.com/thanks")
    response = await api.post(submit_url(form), data={"email": "js@example.com"}, headers={"Accept": "*/*"})
    assert response.status_code == 202
    assert uuid.UUID(response.json()["submission_id"])


async def test_multipart_post(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    response = await api.post(
        submit_url(form),
        data={"Full Name": "Ada Lovelace", "E-mail": "ada@engine.example", "Phone": "+44 20 7946 0000"},
        files={"cv": ("cv.txt", b"engines", "text/plain")},
    )
    assert response.status_code == 202, response.text
    assert response.request.headers["content-type"].startswith("multipart/form-data")
    stored = await submission(db, response.json()["submission_id"])
    assert stored.lead["name"] == "Ada Lovelace" and stored.lead["phone"] == "+44 20 7946 0000"
    assert stored.fields["cv"]["filename"] == "cv.txt"
    await run_worker(db, user.workspace_id)
    done = await submission(db, str(stored.id))
    assert done.status == "processed"
    assert done.lead["first_name"] == "Ada" and done.lead["last_name"] == "Lovelace"
    contact = (await api.get(f"/api/v1/contacts/{done.contact_id}", headers=user.headers)).json()
    assert (contact["first_name"], contact["last_name"], contact["phone"]) == (
        "Ada",
        "Lovelace",
        "+442079460000",
    )


async def test_json_post(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    response = await api.post(
        submit_url(form),
        json={
            "email": "Linus@Kernel.example",
            "first_name": "Linus",
            "last_name": "T",
            "company": "Kernel",
            "utm_source": "hn",
            "utm_medium": "social",
            "referrer": "https://news.example/item",
        },
    )
    assert response.status_code == 202, response.text
    stored = await submission(db, response.json()["submission_id"])
    assert (
        stored.lead["email"] == "linus@kernel.example"
        and stored.lead["referrer"] == "https://news.example/item"
    )


async def test_signed_json_posts(api: Api, user: User, db: Db) -> None:
    secret = "whsec-like-secret-" + uuid.uuid4().hex
    form = await create_form(api, user, secret=secret)
    body = json.dumps({"email": "signed@server.example", "name": "Server Sent"}).encode()
    now = int(time.time())
    headers = {"Content-Type": "application/json"}
    good = await api.post(
        submit_url(form),
        content=body,
        headers={**headers, "Rapport-Signature": _signature(secret, body, now)},
    )
    assert good.status_code == 202, good.text
    for signature in (
        None,
        _signature("not-the-secret-at-all", body, now),
        _signature(secret, body, now - 301),
        _signature(secret, body + b" ", now),
        "garbage",
    ):
        bad = await api.post(
            submit_url(form),
            content=body,
            headers={**headers, **({"Rapport-Signature": signature} if signature else {})},
        )
        assert bad.status_code == 401, (signature, bad.text)
        assert bad.headers["content-type"] == "application/problem+json"
    rejected = await api.get(f"/api/v1/forms/{form['id']}/submissions?status=rejected", headers=user.headers)
    reasons = [s["reason"] for s in rejected.json()["items"]]
    assert len(reasons) == 5 and any("older than 5 minutes" in r for r in reasons)
    assert await _contacts_with(db, "signed@server.example") == 0
    await run_worker(db, user.workspace_id)
    assert await _contacts_with(db, "signed@server.example") == 1


async def test_idempotency_key_collapses_retries(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    key = {"Idempotency-Key": f"retry-{uuid.uuid4()}"}
    first = await api.post(
        submit_url(form), data={"email": "retry@example.com"}, files={"x": ("a.txt", b"1")}, headers=key
    )
    again = await api.post(
        submit_url(form), data={"email": "retry@example.com"}, files={"x": ("a.txt", b"1")}, headers=key
    )
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json() and again.headers["idempotent-replayed"] == "true"
    other = await api.post(submit_url(form), data={"email": "other@example.com"}, headers=key)
    assert other.status_code == 409
    # Scoped to the form: the same key on another form is another submission.
    second_form = await create_form(api, user, name="Second")
    elsewhere = await api.post(submit_url(second_form), data={"email": "retry@example.com"}, headers=key)
    assert elsewhere.status_code == 202 and elsewhere.json() != first.json()
    async with db.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(FormSubmission)
            .where(FormSubmission.form_id == uuid.UUID(form["id"]))
        )
    assert count == 1


async def test_browser_retry_replays_the_redirect(api: Api, user: User) -> None:
    form = await create_form(api, user, thank_you_url="https://example.com/thanks")
    headers = {"Accept": BROWSER_ACCEPT, "Idempotency-Key": "browser-retry"}
    first = await api.post(submit_url(form), data={"email": "b@example.com"}, headers=headers)
    again = await api.post(submit_url(form), data={"email": "b@example.com"}, headers=headers)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == "https://example.com/thanks"


async def test_honeypot_is_accepted_counted_and_never_processed(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    response = await api.post(
        submit_url(form), data={"email": "bot@spam.example", "_gotcha": "http://buy.example"}
    )
    assert response.status_code == 202
    stored = await submission(db, response.json()["submission_id"])
    assert stored.status == "spam" and "_gotcha" in (stored.reason or "")
    await run_worker(db, user.workspace_id)
    assert (await submission(db, str(stored.id))).status == "spam"
    assert await _contacts_with(db, "bot@spam.example") == 0
    counts = (await api.get(f"/api/v1/forms/{form['id']}", headers=user.headers)).json()["submissions"]
    assert counts["spam"] == 1 and counts["pending"] == 0


async def test_oversized_body_is_413(api: Api, user: User) -> None:
    form = await create_form(api, user)
    big = b"email=big%40example.com&message=" + b"x" * (1024 * 1024)
    response = await api.post(
        submit_url(form), content=big, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413

    async def chunks() -> object:
        yield b"email=big%40example.com&message="
        for _ in range(20):
            yield b"y" * 65536

    streamed = await api.post(
        submit_url(form),
        content=chunks(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert streamed.status_code == 413


async def test_missing_or_invalid_email_is_422_and_makes_no_record(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    missing = await api.post(submit_url(form), json={"name": "No Mail"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "email"]
    invalid = await api.post(submit_url(form), data={"email": "not-an-address"})
    assert invalid.status_code == 422
    await run_worker(db, user.workspace_id)
    listed = (await api.get(f"/api/v1/forms/{form['id']}/submissions", headers=user.headers)).json()["items"]
    assert [s["status"] for s in listed] == ["rejected", "rejected"]
    assert all(s["contact_id"] is None for s in listed)


async def test_wrong_content_type_and_malformed_json(api: Api, user: User) -> None:
    form = await create_form(api, user)
    text = await api.post(submit_url(form), content=b"email=a@b.co", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    xml = await api.post(submit_url(form), content=b"<email/>", headers={"Content-Type": "application/xml"})
    assert xml.status_code == 415
    broken = await api.post(
        submit_url(form), content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    listed = await api.post(submit_url(form), json=["email", "a@b.co"])
    assert listed.status_code == 422


async def test_unknown_key_is_404(api: Api) -> None:
    response = await api.post("/api/v1/forms/frm_doesnotexist/submissions", json={"email": "a@b.co"})
    assert response.status_code == 404


@pytest.fixture
def low_limits(app_handle: AppHandle) -> Iterator[None]:
    settings = app_handle.settings
    before = (settings.form_rate_per_ip, settings.form_rate_per_form)
    settings.form_rate_per_ip, settings.form_rate_per_form = 3, 5
    yield
    settings.form_rate_per_ip, settings.form_rate_per_form = before


def fresh_limiter(state: Any) -> None:
    """Forget a Redis failure the limiter is backing off from."""
    resources = state.extras.get("form_intake")
    if resources is not None:
        resources.limiter = FormRateLimiter()


def _sender(app_handle: AppHandle, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app_handle.app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_rate_limits_per_ip_and_per_form(app_handle: AppHandle, user: User, low_limits: None) -> None:
    form = await create_form(app_handle.api, user)
    async with _sender(app_handle, "198.51.100.1") as first, _sender(app_handle, "198.51.100.2") as second:
        codes = [
            (await first.post(submit_url(form), json={"email": f"r{i}@example.com"})).status_code
            for i in range(3)
        ]
        assert codes == [202, 202, 202]
        throttled = await first.post(submit_url(form), json={"email": "r4@example.com"})
        assert throttled.status_code == 429 and "ip limit" in throttled.json()["detail"]
        assert 1 <= int(throttled.headers["retry-after"]) <= 60
        # Another sender gets through until the form's own limit (5), which the refused one did not use.
        answers = [await second.post(submit_url(form), json={"email": f"s{i}@example.com"}) for i in range(3)]
        assert [a.status_code for a in answers] == [202, 202, 429]
        assert "form limit" in answers[2].json()["detail"]
        other_form = await create_form(app_handle.api, user, name="Other")
        assert (await first.post(submit_url(other_form), json={"email": "o@example.com"})).status_code == 202


async def test_rate_limits_fail_open_without_redis(
    api: Api, user: User, app_handle: AppHandle, low_limits: None
) -> None:
    state = app_handle.app.state.rapport
    working, state.redis = (
        state.redis,
        aioredis.Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2),
    )
    fresh_limiter(state)
    try:
        form = await create_form(api, user)
        codes = [
            (await api.post(submit_url(form), json={"email": f"d{i}@example.com"})).status_code
            for i in range(5)
        ]
        assert codes == [202] * 5
    finally:
        await state.redis.aclose()
        state.redis = working
        fresh_limiter(state)


async def test_cors_for_allowed_origins_only(api: Api, user: User) -> None:
    form = await create_form(api, user, allowed_origins=["https://www.example.com"])
    preflight = await api.options(
        submit_url(form),
        headers={
            "Origin": "https://www.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://www.example.com"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    refused = await api.options(
        submit_url(form), headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    posted = await api.post(
        submit_url(form), json={"email": "cors@example.com"}, headers={"Origin": "https://www.example.com"}
    )
    assert posted.status_code == 202
    assert posted.headers["access-control-allow-origin"] == "https://www.example.com"
    foreign = await api.post(
        submit_url(form), json={"email": "cors@example.com"}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403 and "access-control-allow-origin" not in foreign.headers
    server = await api.post(submit_url(form), json={"email": "server@example.com"})
    assert server.status_code == 202 and "access-control-allow-origin" not in server.headers
    unknown = await api.options(
        "/api/v1/forms/frm_nope/submissions", headers={"Origin": "https://www.example.com"}
    )
    assert unknown.status_code == 404


async def test_intake_enters_the_forms_workspace(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    async with db.sessionmaker() as session, session.begin():
        found = await enter_form_workspace_by_key(session, form["key"])
        assert found is not None and found.id == uuid.UUID(form["id"])
        who = (
            await session.execute(text("SELECT current_user, current_setting('rapport.workspace_id')"))
        ).one()
        assert tuple(who) == ("rapport_app", user.workspace_id)
    async with db.sessionmaker() as session, session.begin():
        assert await enter_form_workspace_by_key(session, "frm_unknown") is None
        assert await session.scalar(text("SELECT current_user")) != "rapport_app"


async def test_intake_survives_its_connections_being_cut(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    assert (await api.post(submit_url(form), json={"email": "before@cut.example"})).status_code == 202
    async with db.engine.connect() as connection:
        cut = await connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'rapport-intake' AND datname = current_database()"
            )
        )
    assert cut >= 1
    after = await api.post(submit_url(form), json={"email": "after@cut.example"})
    assert after.status_code == 202, after.text
    assert (await submission(db, after.json()["submission_id"])).status == "pending"
