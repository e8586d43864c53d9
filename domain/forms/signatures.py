"""The `Rapport-Signature` scheme: HMAC-SHA256 over "<t>.<raw body>", shared by signed form senders
and outbound webhooks.

`Rapport-Signature: t=<unix seconds>,v1=<lower-case hex>`; the key is the secret's UTF-8 bytes. A
header may carry several `v1` values (a sender rotating secrets); any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

HEADER = "Rapport-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """Why a signature was refused, in words a sender can act on."""


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    return f"t={timestamp},v1={sign(secret, body, timestamp)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("The signature's t= is not a Unix time in seconds") from None
        elif name == "v1" and value:
            signatures.append(value.strip().lower())
    if timestamp is None or not signatures:
        raise SignatureError(f"{HEADER} must look like t=<unix seconds>,v1=<hex>")
    return timestamp, signatures


def verify(
    secret: str, body: bytes, header: str | None, *, now: datetime, tolerance: int = TOLERANCE_SECONDS
) -> None:
    """Raise SignatureError unless `header` signs `body` with `secret` within the tolerance."""
    if not header:
        raise SignatureError(f"This form requires a {HEADER} header")
    timestamp, signatures = _parse(header)
    if abs(now.timestamp() - timestamp) > tolerance:
        raise SignatureError(f"The signature is older than {tolerance // 60} minutes (or from the future)")
    expected = sign(secret, body, timestamp)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("The signature does not match the body")
