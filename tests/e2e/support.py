"""What the browser tests share besides fixtures: where things are, the skip rule, and a small API
client to arrange a workspace's data (the UI is only used for what a test is about)."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.conftest import User

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SPA_INDEX = ROOT / "frontend" / "dist" / "index.html"
RESULTS_DIR = ROOT / "test-results"
SCREENSHOTS_DIR = ROOT / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"browser tests need Debian's chromium at {CHROMIUM} (`make install-browser`)"
    if not SPA_INDEX.exists():
        return f"browser tests need the built SPA at {SPA_INDEX} (`cd frontend && npm run build`)"
    return None


_REASON = _missing()

# Every browser test module starts with `pytestmark = E2E`.
E2E = [pytest.mark.e2e, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]


def log_in(page: Page, user: User) -> None:
    """Log the browser in through the API (the session and CSRF cookies land in its context);
    only the tests of the login form use the form."""
    response = page.context.request.post(
        "/api/v1/auth/login", data={"email": user.email, "password": user.password}
    )
    assert response.ok, response.text()


class WorkspaceApi:
    """The workspace's data through the HTTP API, as its signed-up admin (a bearer token)."""

    @classmethod
    def sign_up(cls, base_url: str, *, name: str, workspace: str) -> WorkspaceApi:
        """A workspace whose person has a real name (`signup_sync` names everyone "Live User")."""
        email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": PASSWORD, "name": name, "workspace_name": workspace}
        response = httpx.post(f"{base_url}/api/v1/auth/signup", json=body, timeout=15)
        assert response.status_code == 201, response.text
        out = response.json()
        user = User(email, PASSWORD, out["access_token"], out["user"]["id"], out["workspace"]["id"])
        return cls(base_url, user)

    def __init__(self, base_url: str, user: User) -> None:
        self.user = user
        self.http = httpx.Client(base_url=f"{base_url}/api/v1", headers=user.headers, timeout=15)
        self._pipeline: dict[str, Any] | None = None

    def _ok(self, response: httpx.Response) -> Any:
        assert response.is_success, f"{response.request.method} {response.request.url}: {response.text}"
        return response.json() if response.content else None

    @property
    def name(self) -> str:
        return str(self._ok(self.http.get("/workspace"))["name"])

    @property
    def pipeline(self) -> dict[str, Any]:
        """The default pipeline signup made (Prospect, Qualified, Proposal Sent, ...)."""
        if self._pipeline is None:
            items = self._ok(self.http.get("/pipelines"))["items"]
            self._pipeline = next((p for p in items if p.get("is_default")), items[0])
        return self._pipeline

    def stage_id(self, name: str) -> str:
        return next(str(s["id"]) for s in self.pipeline["stages"] if s["name"] == name)

    def stage_names(self) -> list[str]:
        return [s["name"] for s in sorted(self.pipeline["stages"], key=lambda s: s["position"])]

    def create_deal(self, title: str, stage: str = "Prospect", **fields: Any) -> dict[str, Any]:
        body = {
            "title": title,
            "pipeline_id": self.pipeline["id"],
            "stage_id": self.stage_id(stage),
            **fields,
        }
        return dict(self._ok(self.http.post("/deals", json=body)))

    def move_deal(self, deal_id: str, stage: str, **fields: Any) -> dict[str, Any]:
        body = {"stage_id": self.stage_id(stage), **fields}
        return dict(self._ok(self.http.post(f"/deals/{deal_id}/move", json=body)))

    def deal(self, deal_id: str) -> dict[str, Any]:
        return dict(self._ok(self.http.get(f"/deals/{deal_id}")))

    def update_deal(self, deal_id: str, **fields: Any) -> dict[str, Any]:
        return dict(self._ok(self.http.patch(f"/deals/{deal_id}", json=fields)))

    def board(self) -> dict[str, Any]:
        return dict(self._ok(self.http.get(f"/pipelines/{self.pipeline['id']}/board")))

    def column(self, stage: str) -> dict[str, Any]:
        return next(c for c in self.board()["columns"] if c["stage"]["name"] == stage)

    def create_task(self, subject: str, due_at: datetime, **fields: Any) -> dict[str, Any]:
        body = {"type": "task", "subject": subject, "due_at": due_at.isoformat(), **fields}
        return dict(self._ok(self.http.post("/activities", json=body)))

    def log_activity(self, kind: str, subject: str, **fields: Any) -> dict[str, Any]:
        return dict(
            self._ok(self.http.post("/activities", json={"type": kind, "subject": subject, **fields}))
        )

    def activity(self, activity_id: str) -> dict[str, Any]:
        return dict(self._ok(self.http.get(f"/activities/{activity_id}")))

    def create_contact(self, first_name: str, last_name: str, **fields: Any) -> dict[str, Any]:
        body = {"first_name": first_name, "last_name": last_name, **fields}
        return dict(self._ok(self.http.post("/contacts", json=body)))

    def create_account(self, name: str, **fields: Any) -> dict[str, Any]:
        return dict(self._ok(self.http.post("/accounts", json={"name": name, **fields})))

    def close(self) -> None:
        self.http.close()
