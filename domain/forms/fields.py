"""What a submission says: its fields as sent, mapped onto a lead (email, names, company, utm_*).

Common field names map themselves, in the spellings website builders use (`Email`, `e-mail`,
`your-name`, `firstName`, `utm_source`...); a form's `field_mapping` overrides or adds names,
and may target `custom_fields.<key>`. Fields starting with `_` are controls, never data.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from nameparser import HumanName

from domain.errors import invalid
from domain.normalise import normalise_email

HONEYPOT = "_gotcha"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
TARGETS = (
    "email",
    "name",
    "first_name",
    "last_name",
    "phone",
    "company",
    "message",
    "title",
    "website",
    "country",
    "company_size",
    "referrer",
    *UTM_FIELDS,
)
_ALIASES: dict[str, str] = {
    "e_mail": "email",
    "email_address": "email",
    "your_email": "email",
    "mail": "email",
    "full_name": "name",
    "fullname": "name",
    "your_name": "name",
    "contact_name": "name",
    "firstname": "first_name",
    "first": "first_name",
    "given_name": "first_name",
    "fname": "first_name",
    "lastname": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "lname": "last_name",
    "telephone": "phone",
    "tel": "phone",
    "mobile": "phone",
    "phone_number": "phone",
    "your_phone": "phone",
    "company_name": "company",
    "organization": "company",
    "organisation": "company",
    "your_company": "company",
    "comments": "message",
    "comment": "message",
    "enquiry": "message",
    "inquiry": "message",
    "your_message": "message",
    "body": "message",
    "notes": "message",
    "job_title": "title",
    "jobtitle": "title",
    "position": "title",
    "url": "website",
    "site": "website",
    "employees": "company_size",
    "size": "company_size",
    "number_of_employees": "company_size",
    "referer": "referrer",
}
MAX_FIELD_LENGTH = 10_000
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def canonical_name(name: str) -> str:
    """`firstName`, `First Name`, `first-name` -> `first_name`."""
    return re.sub(r"[^a-z0-9]+", "_", _CAMEL.sub("_", name.strip()).lower()).strip("_")


def target_of(name: str, overrides: dict[str, str]) -> str | None:
    if name in overrides:
        return overrides[name]
    canonical = canonical_name(name)
    if canonical in TARGETS:
        return canonical
    return _ALIASES.get(canonical)


def text_of(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [t for v in value if (t := text_of(v))]
        return ", ".join(parts) or None
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip()
    return text[:MAX_FIELD_LENGTH] or None


@lru_cache(maxsize=4096)
def split_name(name: str) -> tuple[str | None, str | None]:
    """A lone full name, split by nameparser (cached: it is slow, and names repeat)."""
    parsed = HumanName(name)
    first = " ".join(p for p in (parsed.first, parsed.middle) if p).strip()
    last = " ".join(p for p in (parsed.last, parsed.suffix) if p).strip()
    if not first and not last:
        return name.strip() or None, None
    return first or None, last or None


def _utm_from_url(url: str | None) -> dict[str, str]:
    if not url:
        return {}
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return {k: v for k, v in parse_qsl(query) if k in UTM_FIELDS and v}


def map_lead(
    fields: dict[str, Any], *, overrides: dict[str, str], referer_header: str | None
) -> dict[str, Any]:
    """The lead a submission describes; `email` is validated and normalised (422 when not)."""
    lead: dict[str, Any] = {}
    custom: dict[str, str] = {}
    for name, value in fields.items():
        if name.startswith("_"):
            continue
        target = target_of(name, overrides)
        text = text_of(value)
        if target is None or text is None:
            continue
        if target.startswith("custom_fields."):
            custom.setdefault(target.removeprefix("custom_fields."), text)
        elif target in TARGETS:
            lead.setdefault(target, text)
    if custom:
        lead["custom_fields"] = custom
    if "referrer" not in lead and referer_header:
        lead["referrer"] = referer_header[:2000]
    # A plain HTML form on a landing page: its campaign is in the page's address.
    if not any(k in lead for k in UTM_FIELDS):
        lead.update(_utm_from_url(referer_header))
    email = lead.get("email")
    if email is None:
        raise invalid("email", "A submission needs an email address (a field named email)")
    lead["email"] = normalise_email(email)
    return lead


def with_names(lead: dict[str, Any]) -> dict[str, Any]:
    """The lead with a lone `name` split into first and last name (done by the worker, not at
    intake: nameparser is the slowest step a submission would otherwise take while the sender waits)."""
    if "name" not in lead or "first_name" in lead or "last_name" in lead:
        return lead
    first, last = split_name(lead["name"])
    return {**lead, **{k: v for k, v in (("first_name", first), ("last_name", last)) if v}}


def other_fields(fields: dict[str, Any], overrides: dict[str, str]) -> dict[str, str]:
    """Fields that map to nothing: shown on the "form submitted" activity so nothing is lost."""
    return {
        name: text
        for name, value in fields.items()
        if not name.startswith("_") and target_of(name, overrides) is None and (text := text_of(value))
    }


def honeypot_filled(fields: dict[str, Any]) -> bool:
    return text_of(fields.get(HONEYPOT)) is not None
