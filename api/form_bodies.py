"""Reading a public form post at the HTTP edge: its kind, its size, its fields, its CORS answer.

Kept apart from the route so the route reads as the order of checks it makes.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from fastapi import Request
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from domain.errors import DomainError, FieldError
from domain.forms.intake import PublicForm

MAX_BODY_BYTES = 1024 * 1024
URLENCODED, MULTIPART, JSON = "urlencoded", "multipart", "json"
FORM_KINDS = (URLENCODED, MULTIPART)


class BodyRejected(DomainError):
    """A submission refused after it was read (stored as `rejected`); `status` is per instance."""

    def __init__(self, status: int, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail, errors=errors or [])
        self.status = status


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"


def content_kind(request: Request) -> str:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return URLENCODED
    if media == "multipart/form-data":
        return MULTIPART
    if media == "application/json" or (media.startswith("application/") and media.endswith("+json")):
        return JSON
    raise UnsupportedMediaType(
        "Send application/x-www-form-urlencoded, multipart/form-data or application/json"
    )


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"A submission may be at most {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"A submission may be at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _add(fields: dict[str, Any], name: str, value: Any) -> None:
    if name in fields:
        current = fields[name]
        fields[name] = [*current, value] if isinstance(current, list) else [current, value]
    else:
        fields[name] = value


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body


async def parse_fields(kind: str, headers: Headers, body: bytes) -> dict[str, Any]:
    """Field name -> value (a list when a name repeats); uploaded files are described, not kept."""
    fields: dict[str, Any] = {}
    if kind == JSON:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BodyRejected(400, "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BodyRejected(
                422, "Send the fields as a JSON object", [FieldError(loc=["body"], msg="Expected an object")]
            )
        return {str(k): v for k, v in data.items()}
    if kind == URLENCODED:
        charset = _charset(headers.get("content-type", ""))
        try:
            text = body.decode(charset, errors="replace")
        except LookupError:
            text = body.decode("utf-8", errors="replace")
        for name, pair_value in parse_qsl(text, keep_blank_values=True, encoding=charset, errors="replace"):
            _add(fields, name, pair_value)
        return fields
    try:
        form = await MultiPartParser(headers, _once(body), max_files=20, max_fields=1000).parse()
    except MultiPartException as exc:
        raise BodyRejected(400, f"Malformed multipart body: {exc.message}") from None
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            _add(
                fields,
                name,
                {"filename": value.filename, "content_type": value.content_type, "size": value.size},
            )
            await value.close()
        else:
            _add(fields, name, value)
    return fields


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"').lower()
    return "utf-8"


def _quality(accept: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for item in accept.split(","):
        media, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        out.append((media.lower(), q))
    return out


def prefers_html(accept: str | None) -> bool:
    """Whether `Accept` asks for HTML before JSON (what a browser navigating a form post sends)."""
    html_q = json_q = 0.0
    html_at = json_at = len(accept or "")
    for index, (media, q) in enumerate(_quality(accept or "")):
        if media in ("text/html", "application/xhtml+xml") and q > html_q:
            html_q, html_at = q, index
        elif media in ("application/json", "application/*", "*/*") and q > json_q:
            json_q, json_at = q, index
    return html_q > 0 and (html_q > json_q or (html_q == json_q and html_at < json_at))


def cors_headers(form: PublicForm, origin: str | None) -> dict[str, str]:
    if origin and origin.lower() in form.allowed_origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}
