"""The checked-in openapi.yaml is the live schema: clients are generated from it."""

from __future__ import annotations

from pathlib import Path

import yaml

from rapport.openapi_doc import openapi_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_yaml_matches_the_live_schema() -> None:
    checked_in = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    live = yaml.safe_load(openapi_yaml())
    assert checked_in == live, "openapi.yaml is stale: run `make openapi` and commit the result"


def test_every_operation_declares_its_problem_responses() -> None:
    schema = yaml.safe_load(openapi_yaml())
    assert "Problem" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "400" in codes or "422" in codes, f"{method.upper()} {path} declares no problem responses"
            operation_id = operation["operationId"]
            assert "-" in operation_id, f"{operation_id} does not follow <tag>-<name>"
