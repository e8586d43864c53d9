"""Property-based checks over the live OpenAPI schema: no 5xx, and answers match the schema.

Runs against a real `rapport serve` process (the SSE stream is left out: endless streams hang
in-process clients and fuzzers alike).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tests.conftest import LiveServer, signup_sync

MAX_EXAMPLES = int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "12"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
# Operations whose effect would end the session the rest of the run uses.
SKIPPED = {"/api/v1/auth/logout", "/api/v1/notifications/stream"}


@pytest.fixture(scope="module")
def api_schema(live_server: LiveServer) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    return schema.exclude(path=list(SKIPPED))


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def auth_headers(live_server: LiveServer) -> dict[str, str]:
    return signup_sync(live_server.url, workspace="Fuzzed").headers


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_and_never_fails(
    case: schemathesis.Case, live_server: LiveServer, auth_headers: dict[str, str]
) -> None:
    headers = dict(case.headers or {})
    if "Authorization" not in headers:
        headers.update(auth_headers)
    case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
