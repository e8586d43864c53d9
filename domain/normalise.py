"""Normalising what people type: emails, phone numbers, websites, names."""

from __future__ import annotations

from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import invalid


def normalise_email(value: str, *, field: str = "email") -> str:
    """Validated and lower-cased; no DNS look-ups (imports and forms must not wait on the network)."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise invalid(field, f"Not a valid email address: {exc}") from exc
    return result.normalized.lower()


def try_normalise_email(value: str) -> str | None:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def normalise_phone(value: str, region: str) -> str:
    """E.164 where the number parses in the workspace's region; the original, trimmed, otherwise."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def domain_from_website(value: str) -> str:
    """`https://www.Acme.com/about` -> `acme.com`."""
    raw = value.strip().lower()
    if "://" not in raw:
        raw = "http://" + raw
    host = urlsplit(raw).hostname or ""
    if host.startswith("www."):
        host = host[4:]
    return host.rstrip(".")


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()
