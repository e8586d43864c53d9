"""One CSV record into the values it would be stored as, or the reason it fails.

This is the import's hot path (a worker thread runs it, beside the database's work on the batch
before): plain Python, no database, the fast normalisers of domain.hygiene.normalise. The same
rules as the API's: an email present but invalid fails the row, a contact needs a name, an email
or a phone, the workspace's required fields apply, text longer than its column fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from domain.custom_fields.values import Env, FieldSpec, clean_values, drop_blanks, missing_required
from domain.hygiene.normalise import bulk_email, bulk_phone, company_domain, split_full_name
from domain.hygiene.required_fields import failure_reason, missing
from domain.imports.mapping import CUSTOM
from domain.normalise import domain_from_website

# Column widths of the tables written (see domain.models.crm).
LIMITS = {
    "first_name": 200,
    "last_name": 200,
    "email": 320,
    "phone": 50,
    "title": 300,
    "source": 200,
    "company": 300,
    "name": 300,
    "domain": 255,
    "website": 500,
    "industry": 200,
    "lost_reason": 500,
    "lost_reason_detail": 1000,
}
MAX_TAGS = 100
MAX_TAG_LENGTH = 100
# Labels every Google contact carries; they say nothing about the person.
_SYSTEM_LABELS = frozenset({"mycontacts", "* mycontacts", "starred", "* starred"})


class RowFailure(ValueError):
    """This row cannot be stored; the message is the reason shown in the errors CSV."""


@dataclass(slots=True)
class Prepared:
    row: int
    values: dict[str, Any]
    keys: tuple[str, ...] = ()  # what makes two rows (or a row and a record) the same
    cells: list[str] = field(default_factory=list)  # as read, for the errors CSV


@dataclass(slots=True)
class Failed:
    row: int
    reason: str
    cells: list[str]


@dataclass
class RowContext:
    """What converting a row needs to know about the workspace, loaded once per job."""

    kind: str
    columns: Mapping[str, Sequence[int]]
    region: str
    rules: list[list[str]]
    default_owner: uuid.UUID
    owners: Mapping[str, uuid.UUID]  # member emails and names (folded) -> user id
    member_ids: frozenset[uuid.UUID]
    extra: dict[str, Any] = field(default_factory=dict)

    def getter(self, cells: Sequence[str]) -> Callable[[str], str | None]:
        columns = self.columns
        width = len(cells)

        def get(name: str) -> str | None:
            for index in columns.get(name, ()):
                if index < width:
                    value = cells[index].strip()
                    if value:
                        # Undo the quote that keeps spreadsheets from reading "+1 415..." or
                        # "=..." as a formula (ours on export, or a person's in Excel).
                        if value[0] == "'" and value[1:2] in ("=", "+", "-", "@"):
                            return value[1:]
                        return value
            return None

        return get


def limited(name: str, value: str | None) -> str | None:
    if value is not None and len(value) > LIMITS[name]:
        raise RowFailure(f"{name} is longer than {LIMITS[name]} characters")
    return value


def parse_tags(cell: str | None) -> list[str]:
    """`a; b`, `a, b`, Google's `a ::: b`, or a JSON list (what exports write when a tag has a comma)."""
    if not cell:
        return []
    if cell.startswith("["):
        try:
            parsed = orjson.loads(cell)
        except orjson.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(tag, str) for tag in parsed):
            return _clean_tags(parsed)
    separator = ":::" if ":::" in cell else ";" if ";" in cell else ","
    return _clean_tags(tag for tag in cell.split(separator) if tag.strip().casefold() not in _SYSTEM_LABELS)


def _clean_tags(tags: Any) -> list[str]:
    cleaned = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(cleaned) > MAX_TAGS or any(len(tag) > MAX_TAG_LENGTH for tag in cleaned):
        raise RowFailure(f"tags: at most {MAX_TAGS} tags of up to {MAX_TAG_LENGTH} characters")
    return cleaned


def custom_fields(ctx: RowContext, get: Callable[[str], str | None]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    raw = get("custom_fields")
    if raw is not None:
        try:
            parsed = orjson.loads(raw)
        except orjson.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            raise RowFailure("custom_fields is not a JSON object")
        values.update(parsed)
    for name in ctx.columns:
        if name.startswith(CUSTOM) and (value := get(name)) is not None:
            values[name[len(CUSTOM) :]] = value
    specs: Mapping[str, FieldSpec] = ctx.extra.get("custom_specs") or {}
    if not specs:
        return values
    # The API's validator: a value that does not fit its field fails the row, as a bad email does.
    env = Env(region=ctx.region, currency=str(ctx.extra.get("currency") or "USD"))
    cleaned, errors = clean_values(specs, values, env, loc=())
    if errors:
        raise RowFailure("; ".join(f"custom_fields.{e.loc[-1]}: {e.msg}" for e in errors))
    cleaned = drop_blanks(cleaned)
    absent = missing_required(specs, cleaned)
    if absent:
        raise RowFailure(failure_reason([[f"custom_fields.{spec.key}"] for spec in absent]))
    return cleaned


def owner(ctx: RowContext, get: Callable[[str], str | None]) -> uuid.UUID:
    """The member named by `owner_id`, or by `owner_email` (an email or a member's name); an owner
    who is not (or no longer) a member falls back to the person importing."""
    raw_id = get("owner_id")
    if raw_id is not None:
        try:
            candidate = uuid.UUID(raw_id)
        except ValueError:
            candidate = None
        if candidate in ctx.member_ids:
            return candidate
    who = get("owner_email")
    if who is not None:
        found = ctx.owners.get(" ".join(who.casefold().split()))
        if found is not None:
            return found
    return ctx.default_owner


def account_id_cell(get: Callable[[str], str | None]) -> uuid.UUID | None:
    raw = get("account_id")
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise RowFailure(f"account_id {raw!r} is not an id") from None


def check_required(ctx: RowContext, values: Mapping[str, Any]) -> None:
    if ctx.rules:
        broken = missing(ctx.rules, values)
        if broken:
            raise RowFailure(failure_reason(broken))


def _first_value(cell: str | None) -> str | None:
    """Google joins several addresses (or numbers) in one cell with " ::: "; the first is the main."""
    if cell is None or ":::" not in cell:
        return cell
    return cell.split(":::", 1)[0].strip() or None


def contact_row(ctx: RowContext, row: int, cells: list[str]) -> Prepared:
    get = ctx.getter(cells)
    raw_email = _first_value(get("email"))
    email = None
    if raw_email is not None:
        email = bulk_email(raw_email)
        if email is None:
            raise RowFailure(f"Not a valid email address: {raw_email}")
    raw_phone = _first_value(get("phone"))
    phone = limited("phone", bulk_phone(raw_phone, ctx.region)) if raw_phone is not None else None
    first, last = get("first_name"), get("last_name")
    if first is None and last is None and (full := get("name")) is not None:
        first, last = split_full_name(full)
    if first is None and last is None and email is None and phone is None:
        raise RowFailure("A contact needs a name, an email or a phone")
    values = {
        "first_name": limited("first_name", first),
        "last_name": limited("last_name", last),
        "email": limited("email", email),
        "phone": phone,
        "title": limited("title", get("title")),
        "source": limited("source", get("source")),
        "company": limited("company", get("company")),
        "account_id": account_id_cell(get),
        "owner_id": owner(ctx, get),
        "tags": parse_tags(get("tags")),
        "custom_fields": custom_fields(ctx, get),
        "email_domain": company_domain(email),
    }
    # A company cell links or creates an account, so it satisfies a required account.
    check_required(ctx, {**values, "account_id": values["account_id"] or values["company"]})
    keys = tuple(key for key in (email and "e:" + email, phone and "p:" + phone) if key)
    return Prepared(row=row, values=values, keys=keys)


def clean_domain(value: str | None) -> str | None:
    if value is None:
        return None
    domain = domain_from_website(value)
    if not domain or "." not in domain:
        raise RowFailure(f"Not a domain: {value}")
    return limited("domain", domain)


def account_row(ctx: RowContext, row: int, cells: list[str]) -> Prepared:
    get = ctx.getter(cells)
    name = limited("name", get("name"))
    if name is None:
        raise RowFailure("An account needs a name")
    website = limited("website", get("website"))
    domain = clean_domain(get("domain"))
    if domain is None and website is not None:
        derived = domain_from_website(website)
        domain = derived if "." in derived and len(derived) <= LIMITS["domain"] else None
    raw_phone = get("phone")
    values = {
        "name": name,
        "domain": domain,
        "website": website,
        "industry": limited("industry", get("industry")),
        "phone": limited("phone", bulk_phone(raw_phone, ctx.region)) if raw_phone is not None else None,
        "owner_id": owner(ctx, get),
        "tags": parse_tags(get("tags")),
        "custom_fields": custom_fields(ctx, get),
    }
    check_required(ctx, values)
    keys = tuple(key for key in (domain and "d:" + domain, "n:" + " ".join(name.casefold().split())) if key)
    return Prepared(row=row, values=values, keys=keys)


RowConverter = Callable[[RowContext, int, list[str]], Prepared]


def convert(ctx: RowContext, converter: RowConverter, row: int, cells: list[str]) -> Prepared | Failed:
    try:
        prepared = converter(ctx, row, cells)
    except RowFailure as failure:
        return Failed(row=row, reason=str(failure), cells=cells)
    prepared.cells = cells
    return prepared
