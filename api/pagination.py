"""Opaque list cursors: the keyset, signed so a forged or edited cursor is a clean 400."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from domain.errors import BadRequest
from domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, Keyset, decode_value, encode_value


def encode_cursor(keyset: Keyset | None, secret: str) -> str | None:
    if keyset is None:
        return None
    payload = json.dumps(
        {"s": keyset.sort, "v": encode_value(keyset.value), "i": str(keyset.id)}, separators=(",", ":")
    ).encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(payload + signature).decode().rstrip("=")


def decode_cursor(cursor: str | None, secret: str, *, sort: str) -> Keyset | None:
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload, signature = raw[:-16], raw[-16:]
        expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(signature, expected):
            raise ValueError("bad signature")
        data = json.loads(payload)
        keyset = Keyset(sort=data["s"], value=decode_value(data["v"]), id=uuid.UUID(data["i"]))
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise BadRequest("Malformed or tampered cursor") from exc
    if keyset.sort != sort:
        raise BadRequest("This cursor belongs to a different sort order")
    return keyset


@dataclass
class ListParams:
    limit: int
    cursor: str | None


def list_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ListParams:
    return ListParams(limit=limit, cursor=cursor)
