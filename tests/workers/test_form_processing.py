"""What a submission becomes, processed by the worker's handler once: contacts deduplicated,
accounts linked, deals in the form's stage, the note, attribution, routing and notifications,
the events automations and webhooks hear, and failures kept for a retry.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from domain.clock import SystemClock
from domain.db import workspace_transaction
from domain.forms.processing import process_next_across_workspaces, process_submission
from domain.models import Account, Contact, Notification, OutboxEvent
from tests.api.forms_support import add_member, create_form, run_worker, submission, submit_url
from tests.conftest import Api, Db, User


async def _submit(api: Api, form: dict[str, Any], **fields: Any) -> str:
    response = await api.post(submit_url(form), json=fields)
    assert response.status_code == 202, response.text
    return str(response.json()["submission_id"])


async def _events(db: Db, workspace_id: str, type_: str) -> list[OutboxEvent]:
    async with db.sessionmaker() as session:
        return list(
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.workspace_id == uuid.UUID(workspace_id), OutboxEvent.type == type_)
                    .order_by(OutboxEvent.created_at)
                )
            ).scalars()
        )


async def test_a_second_submission_updates_the_contact(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    first = await _submit(
        api,
        form,
        email="repeat@acme-corp.example",
        name="Rita Repeat",
        utm_source="ads",
        utm_campaign="spring",
    )
    await run_worker(db, user.workspace_id)
    second = await _submit(
        api,
        form,
        email="REPEAT@acme-corp.example",
        phone="+1 415 555 0100",
        utm_source="newsletter",
        message="Second time",
    )
    await run_worker(db, user.workspace_id)
    one, two = await submission(db, first), await submission(db, second)
    assert one.status == two.status == "processed" and one.contact_id == two.contact_id
    contact = (await api.get(f"/api/v1/contacts/{one.contact_id}", headers=user.headers)).json()
    assert contact["phone"] == "+14155550100" and contact["source"] == "ads"
    assert contact["attribution"]["first_touch"]["utm_campaign"] == "spring"
    assert contact["attribution"]["last_touch"]["utm_source"] == "newsletter"
    notes = await api.get(f"/api/v1/activities?contact_id={one.contact_id}", headers=user.headers)
    assert [a["subject"] for a in notes.json()["items"]] == ["Form submitted: Contact us"] * 2
    assert "Second time" in notes.json()["items"][0]["body"]
    from_form = await _events(db, user.workspace_id, "contact.created_from_form")
    assert [e.subject_id for e in from_form] == [one.contact_id]
    assert from_form[0].payload["attribution"]["first_touch"]["utm_source"] == "ads"
    submitted = await _events(db, user.workspace_id, "form.submitted")
    assert {e.payload["id"] for e in submitted} == {first, second}
    assert submitted[0].payload["status"] == "processed" and submitted[0].payload["contact_id"]
    timeline = await api.get(f"/api/v1/contacts/{one.contact_id}/timeline", headers=user.headers)
    kinds = [(i["kind"], i["type"]) for i in timeline.json()["items"]]
    assert kinds.count(("event", "form_submitted")) == 2 and kinds.count(("activity", "note")) == 2


async def test_account_from_company_or_work_domain(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    by_domain = await _submit(api, form, email="ann@initech.example", company="Initech")
    colleague = await _submit(api, form, email="bob@initech.example")
    free_mail = await _submit(api, form, email="carl@gmail.com", company="Initrode")
    nothing = await _submit(api, form, email="dora@yahoo.com")
    await run_worker(db, user.workspace_id)
    a, b, c, d = [await submission(db, s) for s in (by_domain, colleague, free_mail, nothing)]
    assert a.account_id is not None and a.account_id == b.account_id
    assert c.account_id is not None and c.account_id != a.account_id
    assert d.account_id is None
    async with db.sessionmaker() as session:
        account = await session.get(Account, a.account_id)
        other = await session.get(Account, c.account_id)
    assert account is not None and (account.name, account.domain) == ("Initech", "initech.example")
    assert other is not None and (other.name, other.domain) == ("Initrode", None)


async def test_deal_in_the_forms_pipeline_and_stage(api: Api, user: User, db: Db) -> None:
    pipeline = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"][0]
    stage = pipeline["stages"][1]
    form = await create_form(api, user, stage_id=stage["id"], create_deal=True)
    sent = await _submit(api, form, email="deal@bigco.example", company="BigCo", utm_source="partner")
    await run_worker(db, user.workspace_id)
    done = await submission(db, sent)
    deal = (await api.get(f"/api/v1/deals/{done.deal_id}", headers=user.headers)).json()
    assert deal["stage_id"] == stage["id"] and deal["pipeline_id"] == pipeline["id"]
    assert deal["contact_ids"] == [str(done.contact_id)] and deal["account_id"] == str(done.account_id)
    assert deal["title"] == "BigCo - Contact us" and deal["source"] == "partner"
    note = (await api.get(f"/api/v1/activities/{done.activity_id}", headers=user.headers)).json()
    assert note["deal_id"] == deal["id"] and note["type"] == "note"


async def test_round_robin_rules_and_notifications(api: Api, user: User, db: Db) -> None:
    members = [await add_member(api, user) for _ in range(3)]
    ann, bob, cat = members
    form = await create_form(
        api,
        user,
        routing={
            "rules": [
                {"field": "country", "op": "in", "value": ["DE", "AT"], "owner_id": cat.user_id},
                {"field": "company_size", "op": "gte", "value": 500, "owner_id": cat.user_id},
                {"field": "source", "op": "eq", "value": "partner", "owner_id": user.user_id},
            ],
            "round_robin": [ann.user_id, bob.user_id],
        },
    )
    sent = [
        await _submit(api, form, email="rr1@one.example"),
        await _submit(api, form, email="rr2@two.example"),
        await _submit(api, form, email="rr3@three.example"),
        await _submit(api, form, email="de@four.example", country="de"),
        await _submit(api, form, email="big@five.example", company_size="1000-5000"),
        await _submit(api, form, email="p@six.example", utm_source="partner"),
    ]
    await run_worker(db, user.workspace_id)
    owners = []
    for submission_id in sent:
        done = await submission(db, submission_id)
        assert done.status == "processed", done.reason
        contact = (await api.get(f"/api/v1/contacts/{done.contact_id}", headers=user.headers)).json()
        owners.append(contact["owner_id"])
    assert owners[:3] in ([ann.user_id, bob.user_id, ann.user_id], [bob.user_id, ann.user_id, bob.user_id])
    assert owners[3:] == [cat.user_id, cat.user_id, user.user_id]
    assert "rule 1" in ((await submission(db, sent[3])).reason or "")
    async with db.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Notification.user_id, Notification.type, Notification.title).where(
                    Notification.workspace_id == uuid.UUID(user.workspace_id),
                    Notification.type == "lead_routed",
                )
            )
        ).all()
    assert sorted(str(r.user_id) for r in rows) == sorted(owners)
    assert any("New lead from Contact us" in r.title for r in rows)


async def test_failure_is_kept_with_its_reason_and_can_be_retried(api: Api, user: User, db: Db) -> None:
    pipeline = (await api.get("/api/v1/pipelines", headers=user.headers)).json()["items"][0]
    stage = await api.post(
        f"/api/v1/pipelines/{pipeline['id']}/stages",
        json={"name": "Qualified lead", "required_fields": ["amount"]},
        headers=user.headers,
    )
    assert stage.status_code == 201, stage.text
    form = await create_form(api, user, stage_id=stage.json()["id"], create_deal=True)
    sent = await _submit(api, form, email="fails@strict.example")
    await run_worker(db, user.workspace_id)
    failed = await submission(db, sent)
    assert failed.status == "failed" and "amount" in (failed.reason or "")
    assert failed.contact_id is None
    async with db.sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Contact).where(Contact.email == "fails@strict.example")
            )
            == 0
        )
    retry_path = f"/api/v1/forms/{form['id']}/submissions/{sent}/retry"
    relaxed = await api.patch(
        f"/api/v1/stages/{stage.json()['id']}", json={"required_fields": []}, headers=user.headers
    )
    assert relaxed.status_code == 200, relaxed.text
    retried = await api.post(retry_path, headers=user.headers)
    assert retried.status_code == 202 and retried.json()["status"] == "pending"
    await run_worker(db, user.workspace_id)
    done = await submission(db, sent)
    assert done.status == "processed" and done.attempts == 2 and done.deal_id is not None
    again = await api.post(retry_path, headers=user.headers)
    assert again.status_code == 409


async def test_processing_happens_once(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    sent = await _submit(api, form, email="once@example.net")
    workspace_id = uuid.UUID(user.workspace_id)
    for expected in ("processed", None):  # the second run finds it no longer pending
        async with workspace_transaction(db.sessionmaker, workspace_id) as session:
            assert (
                await process_submission(
                    session, workspace_id=workspace_id, submission_id=uuid.UUID(sent), now=SystemClock().now()
                )
                == expected
            )
    assert await process_next_across_workspaces(db.sessionmaker, now=SystemClock().now()) is None
    done = await submission(db, sent)
    notes = await api.get(f"/api/v1/activities?contact_id={done.contact_id}", headers=user.headers)
    assert len(notes.json()["items"]) == 1 and done.attempts == 1


async def test_two_workers_never_take_the_same_submission(api: Api, user: User, db: Db) -> None:
    form = await create_form(api, user)
    sent = [await _submit(api, form, email=f"race{i}@race{i}.example") for i in range(12)]
    taken = await asyncio.gather(
        *(process_next_across_workspaces(db.sessionmaker, now=SystemClock().now()) for _ in range(16))
    )
    got = [str(t) for t in taken if t is not None]
    assert sorted(got) == sorted(sent) and len(set(got)) == 12
    for submission_id in sent:
        assert (await submission(db, submission_id)).attempts == 1


async def test_workspace_required_fields_fail_the_submission_with_their_reason(
    api: Api, user: User, db: Db
) -> None:
    rules = await api.put(
        "/api/v1/settings/required-fields", json={"contacts": [["phone"]]}, headers=user.headers
    )
    assert rules.status_code == 200, rules.text
    form = await create_form(api, user)
    without = await _submit(api, form, email="nophone@strict.example")
    with_phone = await _submit(api, form, email="phone@strict.example", phone="+1 415 555 0101")
    await run_worker(db, user.workspace_id)
    failed = await submission(db, without)
    assert failed.status == "failed" and failed.contact_id is None
    assert "Required by this workspace: phone" in (failed.reason or "")
    assert (await submission(db, with_phone)).status == "processed"
