"""Board rank keys: always strictly between their neighbours, short, and ordered bytewise."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.ranks import DIGITS, RankError, rank_between, spread_ranks

COLUMN_WIDTH = 200  # deals.rank is varchar(200)


def _between(before: str | None, after: str | None) -> str:
    key = rank_between(before, after)
    # Python compares str by code point; for ASCII keys that is PostgreSQL's COLLATE "C" order.
    assert (before is None or before < key) and (after is None or key < after), (before, key, after)
    assert key.encode().isascii() and set(key) <= set(DIGITS)
    return key


def test_a_thousand_inserts_into_the_same_gap_stay_ordered_and_fit_the_column() -> None:
    # A card dropped again and again just below the same card...
    low, high = _between(None, None), None
    high = _between(low, None)
    keys = []
    for _ in range(1000):
        high = _between(low, high)
        keys.append(high)
    # ...and again and again just above the same card.
    low2, high2 = _between(None, None), None
    high2 = _between(low2, None)
    for _ in range(1000):
        low2 = _between(low2, high2)
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == 1000
    # Each insert halves the gap (about 6 bits per base-62 character): ~170 characters, within
    # the column; the column is re-spread long before this in practice (MAX_RANK_LENGTH).
    assert max(len(k) for k in keys) < COLUMN_WIDTH
    assert len(low2) < COLUMN_WIDTH


def test_appending_and_prepending_grow_keys_only_logarithmically() -> None:
    key = None
    appended = []
    for _ in range(10_000):
        key = _between(key, None)
        appended.append(key)
    assert appended == sorted(appended)
    assert max(len(k) for k in appended) <= 4
    key = None
    for _ in range(10_000):
        key = _between(None, key)
    assert len(key) <= 4


def test_random_drops_keep_a_column_in_order() -> None:
    rng = random.Random(20261124)
    column: list[str] = []
    for _ in range(3000):
        slot = rng.randint(0, len(column))
        before = column[slot - 1] if slot > 0 else None
        after = column[slot] if slot < len(column) else None
        column.insert(slot, _between(before, after))
    assert column == sorted(column) and len(set(column)) == len(column)
    assert max(len(k) for k in column) < 20


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=10_000)), min_size=1, max_size=60)
)
def test_any_sequence_of_drops_keeps_strict_order(moves: list[tuple[bool, int]]) -> None:
    column: list[str] = []
    for at_edge, where in moves:
        slot = (0 if where % 2 else len(column)) if at_edge else where % (len(column) + 1)
        before = column[slot - 1] if slot > 0 else None
        after = column[slot] if slot < len(column) else None
        column.insert(slot, _between(before, after))
    assert column == sorted(column) and len(set(column)) == len(column)


def test_spread_ranks_are_short_and_ordered() -> None:
    keys = list(spread_ranks(5000))
    assert keys == sorted(keys) and len(set(keys)) == 5000 and max(map(len, keys)) <= 4


@pytest.mark.parametrize(
    ("before", "after"), [("a1", "a1"), ("a2", "a1"), ("a10", None), ("", None), ("a!", None), (None, "?")]
)
def test_out_of_order_or_malformed_neighbours_are_refused(before: str | None, after: str | None) -> None:
    with pytest.raises(RankError):
        rank_between(before, after)
