"""Password hashing and the opaque secrets (tokens, keys, links) Rapport hands out."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_passwords = PasswordHash((Argon2Hasher(),))
# Verifying against this when no user exists keeps login timing from revealing accounts.
_DUMMY_HASH = _passwords.hash("rapport-timing-equaliser")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False
    return _passwords.verify(password, password_hash)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str, key: str) -> str:
    """What we store for a secret: an HMAC under SECRET_KEY, so a leaked table forges nothing."""
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()
