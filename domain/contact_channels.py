"""A contact's emails and phones: one primary each (`contacts.email`/`phone`), others labelled.

The API shows `emails: [{email, label, primary}]` and `phones: [{phone, label, primary}]`; the
primary is also `email`/`phone`, so clients of the single-value contract keep working. Stored as
the primary column and its label, plus `other_emails`/`other_phones` (JSONB, the given order),
mirrored by a trigger into `contact_emails`/`contact_phones` for duplicate look-ups (0090).
"""

from __future__ import annotations

from typing import Any, Literal

from domain.errors import invalid
from domain.normalise import normalise_email, normalise_phone
from domain.records import clean_text

Kind = Literal["email", "phone"]
KINDS: tuple[Kind, ...] = ("email", "phone")
MAX_PER_CONTACT = 20


def clean_entries(kind: Kind, entries: list[dict[str, Any]] | None, region: str) -> dict[str, Any]:
    """`emails`/`phones` as given -> the primary column, its label and the others, normalised.

    No primary flagged: the first is. Two flagged: 422. The same value twice is kept once (the
    first label wins), so a list typed with `Foo@x.com` and `foo@x.com` is one address.
    """
    plural = f"{kind}s"
    seen: dict[str, dict[str, Any]] = {}
    primaries: list[str] = []
    for index, entry in enumerate(entries or []):
        raw = clean_text(entry.get(kind))
        if raw is None:
            raise invalid(["body", plural, index, kind], f"An entry of {plural} needs its {kind}")
        if kind == "email":
            value = normalise_email(raw, field=plural)
        else:
            value = normalise_phone(raw, region)
        if value not in seen:
            seen[value] = {kind: value, "label": clean_text(entry.get("label"))}
        if entry.get("primary"):
            if value not in primaries:
                primaries.append(value)
    if len(primaries) > 1:
        raise invalid(["body", plural], f"Only one of {plural} can be the primary")
    values = list(seen)
    primary = primaries[0] if primaries else (values[0] if values else None)
    return {
        kind: primary,
        f"{kind}_label": seen[primary]["label"] if primary is not None else None,
        f"other_{plural}": [entry for value, entry in seen.items() if value != primary],
    }


def change_primary(kind: Kind, contact: Any, value: str | None) -> dict[str, Any]:
    """`email`/`phone` set on its own: it replaces the primary; the others stay.

    A value that is already one of the others is promoted with its label; the old primary is
    replaced (not kept as another), as a single-value client asked for.
    """
    plural = f"{kind}s"
    if value == getattr(contact, kind):
        return {}
    others = list(getattr(contact, f"other_{plural}") or [])
    label = None
    for entry in others:
        if entry.get(kind) == value:
            label = entry.get("label")
    return {
        kind: value,
        f"{kind}_label": label,
        f"other_{plural}": [entry for entry in others if entry.get(kind) != value],
    }


def all_values(kind: Kind, values: dict[str, Any]) -> list[str]:
    """Every email (or phone) of cleaned values: the primary, then the others."""
    out = [values[kind]] if values.get(kind) is not None else []
    out += [e[kind] for e in values.get(f"other_{kind}s") or [] if e[kind] not in out]
    return out


def entries_of(kind: Kind, contact: Any) -> list[dict[str, Any]]:
    """A contact's emails (or phones) as `{kind, label}` entries, the primary first."""
    plural = f"{kind}s"
    out = []
    if getattr(contact, kind) is not None:
        out.append({kind: getattr(contact, kind), "label": getattr(contact, f"{kind}_label")})
    out += [dict(e) for e in getattr(contact, f"other_{plural}") or []]
    return out


def settle(kind: Kind, contact: Any, pool: list[dict[str, Any]]) -> None:
    """Make `pool` (entries in order of preference) the contact's list around its current primary:
    the primary takes its label from the pool, every other value is kept once."""
    primary = getattr(contact, kind)
    label = None
    others: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in pool:
        value = entry.get(kind)
        if value is None or value in seen:
            continue
        seen.add(value)
        if value == primary:
            label = entry.get("label")
        else:
            others.append({kind: value, "label": entry.get("label")})
    setattr(contact, f"{kind}_label", label)
    setattr(contact, f"other_{kind}s", others)


def union(kind: Kind, survivor: Any, sources: list[Any]) -> None:
    """The survivor keeps its primary and gains every value the sources had, labels and all."""
    pool = entries_of(kind, survivor)
    for source in sources:
        pool += entries_of(kind, source)
    settle(kind, survivor, pool)
