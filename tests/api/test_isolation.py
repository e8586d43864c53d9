"""Workspace isolation, walked over every route of the app.

Workspace A's records are created through the API; B's admin then calls every route that takes
an id with A's ids. Each must answer 404 (never 403, never a leak), change nothing, and A's
records must be absent from every one of B's lists. A new route is covered automatically; a
new kind of path parameter fails here until a factory for it is added below.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from domain.models import Base
from tests.conftest import Api, AppHandle, Db, User

Factory = Callable[[Api, User], Awaitable[str]]


async def _created(api: Api, owner: User, path: str, body: dict[str, Any]) -> str:
    response = await api.post(path, json=body, headers=owner.headers)
    assert response.status_code == 201, (path, response.text)
    return str(response.json()["id"])


async def _pipeline(api: Api, owner: User) -> str:
    return await _created(
        api,
        owner,
        "/api/v1/pipelines",
        {
            "name": f"Isolated {uuid.uuid4().hex[:6]}",
            "stages": [
                {"name": "One", "probability": 10},
                {"name": "Won", "kind": "won", "probability": 100},
            ],
        },
    )


async def _stage(api: Api, owner: User) -> str:
    pipeline_id = await _pipeline(api, owner)
    pipeline = await api.get(f"/api/v1/pipelines/{pipeline_id}", headers=owner.headers)
    return str(pipeline.json()["stages"][0]["id"])


async def _deal(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/deals", {"title": "Secret deal", "amount": "100"})


async def _activity(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/activities", {"type": "task", "subject": "Secret task"})


async def _api_key(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/api-keys", {"name": "Secret key"})


async def _invitation(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/invitations", {"email": f"i-{uuid.uuid4().hex[:6]}@a.example"})


async def _member(api: Api, owner: User) -> str:
    return owner.user_id


async def _automation(api: Api, owner: User) -> str:
    return await _created(
        api,
        owner,
        "/api/v1/automations",
        {
            "name": "Secret rule",
            "trigger": {"type": "deal_created"},
            "actions": [{"type": "add_tag", "tag": "secret"}],
        },
    )


async def _notification(api: Api, owner: User) -> str:
    # Only the system makes notifications: written the way reminders and automations do.
    from domain.db import workspace_transaction
    from domain.notifications import notify

    app = api.client._transport.app  # type: ignore[attr-defined]
    workspace_id = uuid.UUID(owner.workspace_id)
    async with workspace_transaction(app.state.rapport.sessionmaker, workspace_id) as session:
        created = await notify(
            session,
            workspace_id=workspace_id,
            user_id=uuid.UUID(owner.user_id),
            type="test",
            title="Secret notice",
            now=app.state.rapport.clock.now(),
        )
    return str(created)


async def _form(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/forms", {"name": "Secret form"})


async def _submission(api: Api, owner: User) -> str:
    form = await api.post("/api/v1/forms", json={"name": "Secret form"}, headers=owner.headers)
    sent = await api.post(f"/api/v1/forms/{form.json()['key']}/submissions", json={"email": "s@a.example"})
    assert sent.status_code == 202, sent.text
    return str(sent.json()["submission_id"])


async def _webhook(api: Api, owner: User) -> str:
    body = {"url": "https://hooks.example.com/", "events": ["*"]}
    return await _created(api, owner, "/api/v1/webhooks", body)


async def _delivery(api: Api, owner: User) -> str:
    fired = await api.post(f"/api/v1/webhooks/{await _webhook(api, owner)}/test", headers=owner.headers)
    assert fired.status_code == 202, fired.text
    return str(fired.json()["id"])


async def _import(api: Api, owner: User) -> str:
    files = {"file": ("secret.csv", b"email\nsecret@a.example\n", "text/csv")}
    response = await api.post("/api/v1/imports", files=files, headers=owner.headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def _bulk_operation(api: Api, owner: User) -> str:
    contact_id = await FACTORIES["contact_id"](api, owner)
    body = {"ids": [contact_id], "action": "add_tag", "tag": "secret"}
    response = await api.post("/api/v1/contacts/bulk", json=body, headers=owner.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _file(api: Api, owner: User) -> str:
    contact_id = await FACTORIES["contact_id"](api, owner)
    files = {"file": ("secret.txt", b"secret notes", "text/plain")}
    response = await api.post(f"/api/v1/contacts/{contact_id}/files", files=files, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _commitment(api: Api, owner: User) -> str:
    return await _created(
        api, owner, "/api/v1/commitments", {"title": "Secret promise", "deal_id": await _deal(api, owner)}
    )


async def _project(api: Api, owner: User) -> str:
    return await _created(
        api, owner, "/api/v1/projects", {"name": "Secret project", "milestones": [{"title": "Secret step"}]}
    )


async def _milestone(api: Api, owner: User) -> str:
    project = await api.get(f"/api/v1/projects/{await _project(api, owner)}", headers=owner.headers)
    return str(project.json()["milestones"][0]["id"])


async def _custom_field(api: Api, owner: User) -> str:
    return await _created(
        api,
        owner,
        "/api/v1/custom-fields",
        {"object": "deals", "key": f"secret_{uuid.uuid4().hex[:6]}", "label": "Secret", "type": "text"},
    )


async def _lost_reason(api: Api, owner: User) -> str:
    return await _created(api, owner, "/api/v1/lost-reasons", {"label": f"Secret {uuid.uuid4().hex[:6]}"})


FACTORIES: dict[str, Factory] = {
    "contact_id": lambda api, owner: _created(
        api,
        owner,
        "/api/v1/contacts",
        {"first_name": "Secret", "email": f"s-{uuid.uuid4().hex[:6]}@a.example"},
    ),
    "account_id": lambda api, owner: _created(api, owner, "/api/v1/accounts", {"name": "Secret Corp"}),
    "pipeline_id": _pipeline,
    "stage_id": _stage,
    "deal_id": _deal,
    "activity_id": _activity,
    "key_id": _api_key,
    "member_id": _member,
    "invitation_id": _invitation,
    "automation_id": _automation,
    "notification_id": _notification,
    # `form` is a form's id when listing its submissions, its public key when submitting; an id
    # used as a key names no form, so both answers are 404.
    "form": _form,
    "form_id": _form,
    "submission_id": _submission,
    "webhook_id": _webhook,
    "delivery_id": _delivery,
    "import_id": _import,
    "operation_id": _bulk_operation,
    "file_id": _file,
    "commitment_id": _commitment,
    "project_id": _project,
    "milestone_id": _milestone,
    "field_id": _custom_field,
    "reason_id": _lost_reason,
    # Shared, so only the workspace wall (not privacy) keeps it from B.
    "view_id": lambda api, owner: _created(
        api, owner, "/api/v1/views", {"object": "contacts", "name": "Secret view", "shared": True}
    ),
}

# Bodies for routes whose schema requires fields; ids in them are B's own, so only the path
# parameter (A's record) can make the request fail.
BODIES: dict[tuple[str, str], Callable[[dict[str, str]], dict[str, Any]]] = {
    ("POST", "/api/v1/deals/{deal_id}/move"): lambda own: {"stage_id": own["stage_id"]},
    ("POST", "/api/v1/pipelines/{pipeline_id}/stages"): lambda own: {"name": "Sneaky"},
    ("PATCH", "/api/v1/members/{member_id}"): lambda own: {"role": "member"},
    ("POST", "/api/v1/contacts/{contact_id}/merge"): lambda own: {"source_ids": [own["contact_id"]]},
    ("POST", "/api/v1/accounts/{account_id}/merge"): lambda own: {"source_ids": [own["account_id"]]},
    ("POST", "/api/v1/projects/{project_id}/milestones"): lambda own: {"title": "Sneaky"},
}

# Lists that need query parameters: given B's own ids.
QUERIES: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "/api/v1/reports/funnel": lambda own: {"pipeline_id": own["pipeline_id"]},
    # A's contacts, accounts, deals and activities are all named "Secret ...".
    "/api/v1/search": lambda own: {"q": "secret"},
}

# Routes that are public by design and identified by secrets, not workspace ids.
NOT_WORKSPACE_SCOPED = {"/api/v1/invitations/{token}/accept"}
# Endless streams hang an in-process client; tests/api/test_notifications_stream.py checks it
# against a real server, including that a member sees only their own.
STREAMS = {"/api/v1/notifications/stream"}


@dataclass
class Operation:
    path: str
    methods: set[str]


def _api_routes(app: Any) -> list[Operation]:
    """Every documented operation under /api/v1 (the OpenAPI document lists each route once)."""
    return [
        Operation(path=path, methods={m.upper() for m in operations})
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
    ]


def _params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


async def test_every_route_hides_other_workspaces(api: Api, app_handle: AppHandle) -> None:
    owner = await api.signup(workspace="A")
    intruder = await api.signup(workspace="B")
    routes = _api_routes(app_handle.app)
    needed = {p for r in routes if r.path not in NOT_WORKSPACE_SCOPED for p in _params(r.path)}
    missing = needed - FACTORIES.keys()
    assert not missing, f"add isolation factories for path parameters: {sorted(missing)}"
    theirs = {name: await FACTORIES[name](api, owner) for name in sorted(needed)}
    own = {name: await FACTORIES[name](api, intruder) for name in sorted(needed)}

    checked = 0
    for route in routes:
        if route.path in NOT_WORKSPACE_SCOPED or route.path in STREAMS:
            continue
        params = _params(route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if not params:
                if method == "GET":
                    query = QUERIES.get(route.path, lambda own: {})(own)
                    response = await api.get(route.path, params=query, headers=intruder.headers)
                    assert response.status_code in (200, 403), (route.path, response.text)
                    for record_id in theirs.values():
                        assert record_id not in response.text, f"GET {route.path} leaks {record_id}"
                    checked += 1
                continue
            url = route.path.format(**theirs)
            body_factory = BODIES.get((method, route.path))
            body = body_factory(own) if body_factory else ({} if method in ("POST", "PATCH", "PUT") else None)
            response = await api.request(method, url, json=body, headers=intruder.headers)
            assert response.status_code == 404, (
                f"{method} {route.path} gave {response.status_code}: {response.text}"
            )
            assert theirs[params[0]] not in response.text
            checked += 1
    assert checked >= sum(
        1
        for r in routes
        if r.path not in NOT_WORKSPACE_SCOPED | STREAMS and (_params(r.path) or "GET" in r.methods)
    )

    # Nothing of A's was changed or deleted by any of it.
    for name, path in (
        ("contact_id", "contacts"),
        ("account_id", "accounts"),
        ("deal_id", "deals"),
        ("activity_id", "activities"),
        ("pipeline_id", "pipelines"),
        ("commitment_id", "commitments"),
        ("project_id", "projects"),
    ):
        response = await api.get(f"/api/v1/{path}/{theirs[name]}", headers=owner.headers)
        assert response.status_code == 200, (path, response.text)
        if "version" in response.json():
            assert response.json()["version"] == 1, f"{path} was changed by another workspace"
    me = await api.get("/api/v1/me", headers=owner.headers)
    assert me.status_code == 200 and me.json()["role"] == "admin"


async def test_row_level_security_is_a_second_wall(api: Api, db: Db) -> None:
    """Even a query with no workspace filter sees only the transaction's workspace."""
    owner = await api.signup(workspace="Walled A")
    intruder = await api.signup(workspace="Walled B")
    await FACTORIES["contact_id"](api, owner)
    await FACTORIES["deal_id"](api, owner)
    # Tenant tables are those with a workspace id under a policy (outbound mail is write-only).
    tenant_tables = sorted(
        t.name for t in Base.metadata.sorted_tables if "workspace_id" in t.c and t.name != "outbound_emails"
    )
    assert {"contacts", "deals", "activities", "api_keys"} <= set(tenant_tables)
    async with db.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("SET LOCAL ROLE rapport_app"))
        await connection.execute(
            text("SELECT set_config('rapport.workspace_id', :id, true)"), {"id": intruder.workspace_id}
        )
        for table in tenant_tables:
            leaked = await connection.scalar(
                text(f"SELECT count(*) FROM {table} WHERE workspace_id = :a"), {"a": owner.workspace_id}
            )
            assert leaked == 0, f"{table} shows another workspace's rows through RLS"
        visible_workspaces = await connection.scalar(text("SELECT count(*) FROM workspaces"))
        assert visible_workspaces == 1
        await transaction.rollback()

        # With no workspace set, the app role sees nothing at all.
        transaction = await connection.begin()
        await connection.execute(text("SET LOCAL ROLE rapport_app"))
        for table in tenant_tables:
            assert await connection.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table
        await transaction.rollback()


async def test_rls_refuses_writes_into_another_workspace(api: Api, db: Db) -> None:
    owner = await api.signup(workspace="Target")
    intruder = await api.signup(workspace="Writer")
    async with db.engine.connect() as connection:
        transaction = await connection.begin()
        await connection.execute(text("SET LOCAL ROLE rapport_app"))
        await connection.execute(
            text("SELECT set_config('rapport.workspace_id', :id, true)"), {"id": intruder.workspace_id}
        )
        try:
            await connection.execute(
                text("INSERT INTO accounts (id, workspace_id, name) VALUES (:id, :ws, 'Planted')"),
                {"id": str(uuid.uuid4()), "ws": owner.workspace_id},
            )
        except Exception as exc:
            assert "row-level security" in str(exc)
        else:
            raise AssertionError("RLS let a row into another workspace")
        finally:
            await transaction.rollback()
