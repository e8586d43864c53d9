"""How a person's email and phone are recognised wherever they were written down.

Patterns are PostgreSQL regular expressions (ARE), matched case-insensitively: the email as
typed in any case and as URL-encoded in a form body (`%40`); the phone in E.164 and as people
write it (`(415) 555-0100`, `415.555.0100`, `+1 415 555 0100`), digits not part of a longer number.
"""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

import phonenumbers

# Characters special in PostgreSQL's ARE (and Python's re), escaped with a backslash.
_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}-])")
_SEPARATORS = r"[ .()/-]*"


def literal(value: str) -> str:
    return _SPECIAL.sub(r"\\\1", value)


def email_patterns(email: str) -> list[str]:
    forms = {email, quote(email, safe=""), quote_plus(email, safe="")}
    return [literal(f) for f in sorted(forms)]


def phone_patterns(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    patterns = [literal(phone)]
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and number.national_number:
        national = str(number.national_number)
        if len(national) >= 6:
            body = _SEPARATORS.join(national)
            # Starts at the `+`, the trunk `0`, a `(` or the first digit: never eats the space before.
            prefix = rf"((\+|%2B|00){_SEPARATORS}{number.country_code}{_SEPARATORS})?(0{_SEPARATORS})?\(?"
            patterns.append(rf"(?<![0-9]){prefix}{body}(?![0-9])")
    elif len(digits) >= 6:
        patterns.append(rf"(?<![0-9]){_SEPARATORS.join(digits)}(?![0-9])")
    return patterns


def combined(patterns: list[str]) -> str:
    return "|".join(f"({p})" for p in patterns)
