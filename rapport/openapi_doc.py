"""The OpenAPI document as checked in: generated from the app, stable key order."""

from __future__ import annotations

import os

import yaml

# Generating the schema needs no database and no real secret.
_PLACEHOLDER_SECRET = "openapi-generation-only-" + "x1y2z3w4" * 4


def openapi_yaml() -> str:
    os.environ.setdefault("SECRET_KEY", _PLACEHOLDER_SECRET)
    from api.app import create_app
    from rapport.settings import Settings

    app = create_app(Settings(secret_key=os.environ["SECRET_KEY"]), serve_spa=False)
    return yaml.safe_dump(app.openapi(), sort_keys=False, allow_unicode=True, width=120)
