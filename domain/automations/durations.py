"""ISO 8601 durations as rules write them (`P7D`, `PT2H`, `PT30S`, `P1W`, `P1DT12H`).

Months and years are refused: they have no fixed length, and a rule that fires "after a month"
should say how many days it means.
"""

from __future__ import annotations

import re
from datetime import timedelta

DURATION_PATTERN = r"^P(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$"
_PARTS = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
# Ten years: beyond it a duration is a typo, and timedelta arithmetic on dates stays in range.
MAX_DURATION = timedelta(days=3650)


def parse_duration(value: str) -> timedelta:
    """The timedelta an ISO 8601 duration names; ValueError says what is wrong with it."""
    text = value.strip().upper()
    if re.match(r"^P(?:\d+Y|\d+M)", text) or re.match(r"^P[^T]*\d+[YM]", text):
        raise ValueError("months and years have no fixed length: write days instead, e.g. P90D")
    match = _PARTS.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as P7D, PT2H or PT30S")
    parts = {name: int(number) for name, number in match.groupdict().items() if number is not None}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise ValueError("a duration must be longer than zero")
    if duration > MAX_DURATION:
        raise ValueError("a duration may be at most ten years (P3650D)")
    return duration
