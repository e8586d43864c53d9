"""Checking and normalising custom-field values: the one validator every way in uses.

API writes, CSV imports and web forms all call `clean_values`; only what they do with a problem
differs (a 422, a failed row, a failed submission). Values are stored in the record's
`custom_fields` JSON in one canonical shape per type, so lists can compare and sort them:

- text, url, email, phone, select: a string (email lower-cased, phone E.164, url with a scheme,
  select in the option's own spelling);
- number and money: a decimal string (`"1500.00"`), money rounded half-even to the workspace
  currency's minor unit, like `amount` on deals;
- date: `YYYY-MM-DD`; bool: `true`/`false`; multi_select: a list of options.

Keys no field defines are kept as they are (imports put notes there, clients their own data):
only defined keys are typed. `null` (or a blank value) removes a key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from domain.errors import FieldError, ValidationFailed
from domain.money import CURRENCY_MINOR_UNITS, MAX_AMOUNT

MAX_TEXT = 2000
MAX_NUMBER = Decimal("1e18")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
# How stored numbers look, so lists can cast them without tripping on older free-form values.
NUMBER_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NUMBER_RE = re.compile(NUMBER_PATTERN)


@dataclass(frozen=True)
class FieldSpec:
    """What a value is checked against: a definition, detached from the session."""

    key: str
    label: str
    type: str
    options: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Env:
    """What normalising needs from the workspace."""

    region: str = "US"
    currency: str = "USD"


class ValueProblem(ValueError):
    pass


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or isinstance(raw, (dict, list)):
        raise ValueProblem("expects text")
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValueProblem(f"is longer than {MAX_TEXT} characters")
    return text


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueProblem("expects a number")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, (int, float, str)):
        cleaned = str(raw).strip().replace(",", "").replace(" ", "").lstrip("$€£")
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise ValueProblem(f"expects a number, not {raw!r}") from None
    else:
        raise ValueProblem("expects a number")
    if not number.is_finite():
        raise ValueProblem("expects a finite number")
    return number


def _plain(number: Decimal) -> str:
    """A decimal string without exponent (`1E+3` is `1000`), trailing zeros after the point kept."""
    text = format(number, "f")
    return "0" if text in ("-0", "") else text


def _number(raw: Any) -> str:
    number = _decimal(raw)
    if abs(number) >= MAX_NUMBER:
        raise ValueProblem("is too large")
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    return _plain(number)


def _money(raw: Any, env: Env) -> str:
    number = _decimal(raw)
    if abs(number) >= MAX_AMOUNT:
        raise ValueProblem("is too large")
    quantum = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(env.currency, 2))
    return _plain(number.quantize(quantum, rounding=ROUND_HALF_EVEN))


def _date(raw: Any) -> str:
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise ValueProblem("expects a date as YYYY-MM-DD")
    text = raw.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise ValueProblem(f"expects a date as YYYY-MM-DD, not {raw!r}") from None


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueProblem(f"expects true or false, not {raw!r}")


def _option(raw: Any, spec: FieldSpec) -> str:
    text = _text(raw)
    for option in spec.options:
        if option.casefold() == text.casefold():
            return option
    raise ValueProblem(f"{text!r} is not one of its options ({', '.join(spec.options)})")


def _options(raw: Any, spec: FieldSpec) -> list[str]:
    if isinstance(raw, str):
        # Imports and forms send one cell: `a; b` or `a, b`.
        separator = ";" if ";" in raw else ","
        items: Sequence[Any] = [part for part in raw.split(separator) if part.strip()]
    elif isinstance(raw, (list, tuple)):
        items = raw
    else:
        raise ValueProblem("expects a list of options")
    return list(dict.fromkeys(_option(item, spec) for item in items))


def _url(raw: Any) -> str:
    text = _text(raw)
    candidate = text if "://" in text else "https://" + text
    parts = urlsplit(candidate)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or " " in candidate or "." not in host.strip("."):
        raise ValueProblem(f"expects a web address, not {text!r}")
    return candidate


def _email(raw: Any) -> str:
    try:
        return validate_email(_text(raw), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueProblem(f"expects an email address: {exc}") from None


def _phone(raw: Any, env: Env) -> str:
    text = _text(raw)
    try:
        number = phonenumbers.parse(text, env.region)
    except phonenumbers.NumberParseException:
        raise ValueProblem(f"expects a phone number, not {text!r}") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueProblem(f"expects a phone number, not {text!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise(spec: FieldSpec, raw: Any, env: Env) -> Any:
    """The stored form of `raw`, None when it is blank; ValueProblem when it does not fit."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return None
    kind = spec.type
    if kind == "text":
        return _text(raw)
    if kind == "number":
        return _number(raw)
    if kind == "money":
        return _money(raw, env)
    if kind == "date":
        return _date(raw)
    if kind == "bool":
        return _bool(raw)
    if kind == "select":
        return _option(raw, spec)
    if kind == "multi_select":
        return _options(raw, spec) or None
    if kind == "url":
        return _url(raw)
    if kind == "email":
        return _email(raw)
    if kind == "phone":
        return _phone(raw, env)
    raise ValueProblem(f"has an unknown type {kind!r}")


def clean_values(
    specs: Mapping[str, FieldSpec],
    values: Mapping[str, Any],
    env: Env,
    *,
    loc: Sequence[str | int] = ("body",),
) -> tuple[dict[str, Any], list[FieldError]]:
    """`values` with every defined key normalised (None where blank: the caller drops it).

    Returns the cleaned values and one error per value that does not fit its field.
    """
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key, raw in values.items():
        spec = specs.get(key)
        if spec is None:
            out[key] = raw
            continue
        try:
            out[key] = normalise(spec, raw, env)
        except ValueProblem as exc:
            errors.append(FieldError(loc=[*loc, "custom_fields", key], msg=f"{spec.label} {exc}"))
    return out, errors


def missing_required(specs: Mapping[str, FieldSpec], values: Mapping[str, Any]) -> list[FieldSpec]:
    return [spec for spec in specs.values() if spec.required and values.get(spec.key) in (None, "", [])]


def required_errors(missing: Sequence[FieldSpec], loc: Sequence[str | int] = ("body",)) -> ValidationFailed:
    """The same 422 built-in required fields give (domain.hygiene.required_fields.check)."""
    names = "; ".join(f"custom_fields.{spec.key}" for spec in missing)
    return ValidationFailed(
        f"Required by this workspace: {names}",
        errors=[
            FieldError(
                loc=[*loc, "custom_fields", spec.key],
                msg=f"This workspace requires {spec.label}",
                type="missing",
            )
            for spec in missing
        ],
    )


def drop_blanks(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def sort_value(spec: FieldSpec, stored: Any) -> Any:
    """The value a list sorts on, as SQL computes it (domain.custom_fields.lists.sort_expression)."""
    if stored is None or isinstance(stored, (dict, list)):
        return None
    if spec.type in ("number", "money"):
        text = stored if isinstance(stored, str) else str(stored)
        return Decimal(text) if _NUMBER_RE.match(text) else None
    if isinstance(stored, bool):
        return "true" if stored else "false"
    return str(stored)


def display(value: Any) -> str:
    """A value as one CSV cell, in the shape `normalise` reads back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)
