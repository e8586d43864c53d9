"""Board ranks: fractional-index string keys that order a column's cards bytewise, and placing a card.

A key is an *integer part* followed by an optional *fraction*, all in base 62 (`0-9A-Za-z`, which
is already in byte order):

- The integer part starts with a head character that says how many digits follow: `a` one, `b`
  two, ... for the non-negative side, `Z` one, `Y` two, ... for the negative side. Longer
  integers get a head further from the middle, so plain byte comparison orders them, and
  appending or prepending a card only increments or decrements the integer: keys grow with the
  logarithm of the number of cards, not linearly.
- The fraction is what goes between two neighbours: the shortest one near their midpoint. It
  never ends in `0`, because no key fits between `x` and `x0`.

Inserting again and again into one gap halves it every time (about six bits per character), so
`MAX_RANK_LENGTH` stays far off in ordinary use; callers re-spread a column when it would not.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from fractions import Fraction
from typing import cast

from sqlalchemy import Select, Table, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Deal

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
_INDEX = {ch: i for i, ch in enumerate(DIGITS)}
ZERO_KEY = "a0"
# The column is varchar(200); a key nearing this is re-spread before it is stored.
MAX_RANK_LENGTH = 150


class RankError(ValueError):
    """Keys that are malformed or not in order: the caller's column needs re-spreading."""


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise RankError(f"Invalid rank head {head!r}")


def _split(key: str) -> tuple[str, str]:
    """(integer part, fraction) of a well-formed key."""
    if not key:
        raise RankError("A rank cannot be empty")
    size = _integer_length(key[0])
    integer, fraction = key[:size], key[size:]
    if len(integer) < size or any(ch not in _INDEX for ch in key):
        raise RankError(f"Invalid rank {key!r}")
    if fraction.endswith("0"):
        raise RankError(f"Invalid rank {key!r}: the fraction ends in 0")
    return integer, fraction


def _increment(integer: str) -> str | None:
    """The next integer part, or None past the largest one (`z` + 27 digits: never in practice)."""
    head, digits = integer[0], list(integer[1:])
    for i in range(len(digits) - 1, -1, -1):
        value = _INDEX[digits[i]] + 1
        if value < BASE:
            digits[i] = DIGITS[value]
            return head + "".join(digits)
        digits[i] = "0"
    # Every digit rolled over: move to the next head, one digit longer or (negative side) shorter.
    if head == "Z":
        return ZERO_KEY
    if head == "z":
        return None
    new_head = chr(ord(head) + 1)
    if new_head > "a":
        digits.append("0")
    else:
        digits.pop()
    return new_head + "".join(digits)


def _decrement(integer: str) -> str | None:
    """The previous integer part, or None below the smallest one."""
    head, digits = integer[0], list(integer[1:])
    for i in range(len(digits) - 1, -1, -1):
        value = _INDEX[digits[i]] - 1
        if value >= 0:
            digits[i] = DIGITS[value]
            return head + "".join(digits)
        digits[i] = DIGITS[-1]
    if head == "a":
        return "Z" + DIGITS[-1]
    if head == "A":
        return None
    new_head = chr(ord(head) - 1)
    if new_head < "Z":
        digits.append(DIGITS[-1])
    else:
        digits.pop()
    return new_head + "".join(digits)


def _fraction_value(fraction: str) -> Fraction:
    value = Fraction(0)
    for place, ch in enumerate(fraction, start=1):
        value += Fraction(_INDEX[ch], BASE**place)
    return value


def _fraction_between(low: str, high: str | None) -> str:
    """The shortest fraction in the middle half of (low, high) (None: 1), closest to its middle.

    Taking the shortest key near the middle, rather than the exact midpoint, keeps keys short
    while every insert still leaves at least a quarter of the gap on either side.
    """
    low_value = _fraction_value(low)
    high_value = _fraction_value(high) if high is not None else Fraction(1)
    gap = high_value - low_value
    middle = low_value + gap / 2
    window_low, window_high = middle - gap / 4, middle + gap / 4
    digits = 1
    while True:
        scale = BASE**digits
        smallest = math.ceil(window_low * scale)
        largest = math.floor(window_high * scale)
        if smallest <= largest:
            # A multiple of BASE here would have been found one digit shorter: no trailing 0.
            chosen = min(max(round(middle * scale), smallest), largest)
            out = []
            for _ in range(digits):
                chosen, digit = divmod(chosen, BASE)
                out.append(DIGITS[digit])
            return "".join(reversed(out))
        digits += 1


def rank_between(before: str | None, after: str | None) -> str:
    """A key that sorts strictly between `before` and `after` (None: the column's top or end)."""
    if before is not None and after is not None and before >= after:
        raise RankError(f"Ranks out of order: {before!r} >= {after!r}")
    if before is None and after is None:
        return ZERO_KEY
    if before is None:
        assert after is not None
        integer, fraction = _split(after)
        if fraction:
            return integer
        previous = _decrement(integer)
        if previous is None:
            raise RankError("No rank sorts before the smallest integer key")
        return previous
    integer, fraction = _split(before)
    if after is None:
        following = _increment(integer)
        return following if following is not None else integer + _fraction_between(fraction, None)
    after_integer, after_fraction = _split(after)
    if after_integer == integer:
        return integer + _fraction_between(fraction, after_fraction)
    following = _increment(integer)
    if following is not None and following < after:
        return following
    return integer + _fraction_between(fraction, None)


def spread_ranks(count: int) -> Iterator[str]:
    """`count` short, evenly stepped keys in order: a column's fresh start after re-spreading."""
    key: str | None = None
    for _ in range(count):
        key = rank_between(key, None)
        yield key


# -- Where a card sits in its column ----------------------------------------------------------
# Placing a card reads its neighbours and writes its key, so placements into one column are
# serialised by a transaction-level advisory lock: two cards dropped into the same gap at once
# would otherwise get the same key.


def column_lock_key(stage_id: uuid.UUID) -> str:
    return f"rapport:column:{stage_id}"


async def lock_column(session: AsyncSession, stage_id: uuid.UUID) -> None:
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": column_lock_key(stage_id)}
    )


def _column(
    workspace_id: uuid.UUID, stage_id: uuid.UUID, moving_id: uuid.UUID | None
) -> Select[uuid.UUID, str]:
    query = select(Deal.id, Deal.rank).where(Deal.workspace_id == workspace_id, Deal.stage_id == stage_id)
    return query.where(Deal.id != moving_id) if moving_id is not None else query


def _usable(key: str) -> bool:
    return len(key) <= MAX_RANK_LENGTH


def key_between(before: str | None, following: str | None) -> str | None:
    """A usable key between two neighbours' keys, or None when the column needs re-spreading."""
    try:
        key = rank_between(before, following)
    except RankError:
        # Equal or malformed neighbours (a bulk load that wrote its own keys): start afresh.
        return None
    return key if _usable(key) else None


async def rank_at_end(
    session: AsyncSession, *, workspace_id: uuid.UUID, stage_id: uuid.UUID, moving_id: uuid.UUID | None
) -> str:
    """The key of a card appended below the column's last one (the caller holds `lock_column`)."""
    last = (
        await session.execute(
            _column(workspace_id, stage_id, moving_id).order_by(Deal.rank.desc(), Deal.id.desc()).limit(1)
        )
    ).first()
    try:
        key = rank_between(last.rank if last else None, None)
        if _usable(key):
            return key
    except RankError:
        pass
    return await respread(session, workspace_id, stage_id, moving_id, after_id=None, at_end=True)


async def respread(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    stage_id: uuid.UUID,
    moving_id: uuid.UUID | None,
    *,
    after_id: uuid.UUID | None,
    at_end: bool,
) -> str:
    """Give the whole column fresh short keys in its current order; return the moving card's.

    Only the rank changes on the other cards, not their version: their content did not change,
    and a client holding one of them must not get a 412 for a neighbour's move.
    """
    ids = list(
        (
            await session.execute(_column(workspace_id, stage_id, moving_id).order_by(Deal.rank, Deal.id))
        ).scalars()
    )
    if at_end:
        index = len(ids)
    elif after_id is None:
        index = 0
    else:
        index = ids.index(after_id) + 1
    keys = list(spread_ranks(len(ids) + 1))
    ids.insert(index, moving_id or uuid.uuid4())
    table = cast(Table, Deal.__table__)
    rows = [
        {"b_id": deal_id, "b_rank": key}
        for deal_id, key in zip(ids, keys, strict=True)
        if deal_id != ids[index]
    ]
    if rows:
        await session.execute(
            update(table)
            .where(table.c.workspace_id == workspace_id, table.c.id == bindparam("b_id"))
            .values(rank=bindparam("b_rank")),
            rows,
        )
    return keys[index]
