"""Weeks and months on the workspace's calendar, for reports that count per period.

The buckets are generated in the workspace's time zone (`generate_series` over local midnights,
so a DST change cannot shift a boundary), and each bucket's start is turned into its UTC instant
once. Rows are then put in a bucket by `width_bucket` (a binary search over those instants), not
by converting every row's timestamp to local time: on a month of a million-deal workspace the
per-row time-zone conversion alone cost more than the rest of the query.

A statement using them starts `WITH {BUCKETS},` and has `bounds` in its FROM clause; a row's
bucket number (1 = the first) is `bucket_of(column)`, and `buckets` maps it to `period_start`.
Every row must lie in [first bucket's start, period end), which the period filter guarantees.
"""

from __future__ import annotations

from datetime import date
from typing import Any

BUCKETS = """
buckets AS (
    SELECT row_number() OVER (ORDER BY gs) AS n, gs::date AS period_start,
           gs AT TIME ZONE :tz AS starts_at
    FROM generate_series(date_trunc(:unit, CAST(CAST(:first_day AS date) AS timestamp)),
                         CAST(CAST(:last_day AS date) AS timestamp),
                         CAST(CAST(:step AS text) AS interval)) gs
),
bounds AS (SELECT array_agg(starts_at ORDER BY n) AS starts_at FROM buckets)
"""


def bucket_of(column: str) -> str:
    return f"width_bucket({column}, bounds.starts_at)"


def bucket_params(first_day: date, last_day: date, interval: str) -> dict[str, Any]:
    """Buckets of `interval` ("week" from Monday, or "month") covering first_day..last_day."""
    return {"unit": interval, "step": f"1 {interval}", "first_day": first_day, "last_day": last_day}
