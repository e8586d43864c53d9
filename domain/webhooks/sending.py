"""One signed POST of a webhook body to its checked address."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from domain.forms.signatures import HEADER as SIGNATURE_HEADER
from domain.forms.signatures import signature_header
from domain.webhooks.targets import Target, TargetRefused, resolve_target

USER_AGENT = "Rapport-Webhooks/1.0"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
KEPT_RESPONSE_BYTES = 2048


@dataclass
class SendResult:
    ok: bool
    status_code: int | None
    error: str | None
    response_body: str | None
    duration_ms: int
    refused: bool = False  # the target itself is not allowed: retrying cannot help


def _pinned_url(url: str, target: Target) -> str:
    parts = urlsplit(url)
    host = f"[{target.address}]" if ":" in target.address else target.address
    return urlunsplit((parts.scheme, f"{host}:{target.port}", parts.path or "/", parts.query, ""))


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


async def post_signed(
    url: str,
    *,
    body: bytes,
    secret: str,
    event_id: str,
    event_type: str,
    delivery_id: str,
    timestamp: int,
    allow_private: bool,
) -> SendResult:
    started = time.perf_counter()

    def elapsed() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        target = await resolve_target(url, allow_private=allow_private)
    except TargetRefused as exc:
        return SendResult(
            ok=False,
            status_code=None,
            error=str(exc),
            response_body=None,
            duration_ms=elapsed(),
            refused=True,
        )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": _host_header(url),
        SIGNATURE_HEADER: signature_header(secret, body, timestamp),
        "Rapport-Event-Id": event_id,
        "Rapport-Event-Type": event_type,
        "Rapport-Delivery-Id": delivery_id,
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST", _pinned_url(url, target), content=body, headers=headers, extensions=extensions
            )
            response = await client.send(request, stream=True)
            try:
                kept = bytearray()
                async for chunk in response.aiter_bytes():
                    kept.extend(chunk)
                    if len(kept) >= KEPT_RESPONSE_BYTES:
                        break
            finally:
                await response.aclose()
    except httpx.HTTPError as exc:
        return SendResult(
            ok=False,
            status_code=None,
            error=f"{type(exc).__name__}: {exc}"[:500],
            response_body=None,
            duration_ms=elapsed(),
        )
    text = bytes(kept[:KEPT_RESPONSE_BYTES]).decode("utf-8", errors="replace")
    ok = 200 <= response.status_code < 300
    return SendResult(
        ok=ok,
        status_code=response.status_code,
        response_body=text,
        duration_ms=elapsed(),
        error=None if ok else f"HTTP {response.status_code}",
    )
