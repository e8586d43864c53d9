"""What every report query is scoped by: the workspace, its clock and currency, period and filters.

Filters are optional SQL clauses appended as constant text, values always bound. Composing them
(rather than `:x IS NULL OR col = :x`) keeps each variant's plan able to use the indexes: a generic
plan of a prepared statement cannot drop an `OR` it does not know is dead.

A `pipeline_id` or `owner_id` of another workspace matches nothing, like any other absent id:
every query also names the request's workspace, so a foreign id never finds a row (and row-level
security is the second wall), and the answer is the same as for an id that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Workspace
from domain.money import format_amount
from domain.reports.periods import Period, resolve_period, zone

# Rounding of the figures that are not money: rates to 4 places, days to 2.
RATE_PLACES = 4
DAYS_PLACES = 2


@dataclass(frozen=True)
class ReportScope:
    workspace_id: uuid.UUID
    tz: ZoneInfo
    currency: str
    period: Period
    now: datetime
    pipeline_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None

    def params(self) -> dict[str, Any]:
        """Bound values the report statements share; each statement names the ones it reads."""
        return {
            "ws": self.workspace_id,
            "start": self.period.start,
            "end": self.period.end,
            "tz": self.tz.key,
            "currency": self.currency,
            "now": self.now,
            "pipeline_id": self.pipeline_id,
            "owner_id": self.owner_id,
        }

    def deal_filters(self, alias: str = "d") -> str:
        """`AND ...` clauses for the pipeline and owner filters on a deals alias."""
        clauses = ""
        if self.pipeline_id is not None:
            clauses += f" AND {alias}.pipeline_id = :pipeline_id"
        if self.owner_id is not None:
            clauses += f" AND {alias}.owner_id = :owner_id"
        return clauses

    def owner_filter(self, column: str) -> str:
        return f" AND {column} = :owner_id" if self.owner_id is not None else ""

    def money(self, amount: Decimal | None) -> str:
        """An amount in the workspace currency, as the API writes money (0 when there is none)."""
        return format_amount(amount or Decimal(0), self.currency) or "0"

    def optional_money(self, amount: Decimal | None) -> str | None:
        return None if amount is None else self.money(amount)


async def report_scope(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    first_day: date | None,
    last_day: date | None,
    pipeline_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    now: datetime,
    zone_name: str | None = None,
) -> ReportScope:
    """`zone_name` (already checked) reads the period in another zone than the workspace's."""
    row = (
        await session.execute(
            select(Workspace.timezone, Workspace.currency).where(Workspace.id == workspace_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Workspace not found")
    # Report statements aggregate tens of thousands of index entries in tens of milliseconds;
    # JIT compilation, which their estimated cost triggers, takes longer than that (measured:
    # +100 ms on the forecast). Their hash aggregates and sorts of a month's rows need more than
    # the default 4 MB, or they spill to disk. Both transaction-local, like the request's role.
    await session.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"))
    tz = zone(zone_name or row.timezone)
    return ReportScope(
        workspace_id=workspace_id,
        tz=tz,
        currency=row.currency,
        period=resolve_period(first_day, last_day, now=now, tz=tz),
        now=now,
        pipeline_id=pipeline_id,
        owner_id=owner_id,
    )


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, RATE_PLACES) if whole else None


def days(value: float | Decimal | None) -> float | None:
    return None if value is None else round(float(value), DAYS_PLACES)


def other_currencies(totals: dict[str, Decimal]) -> dict[str, str]:
    """Sums in currencies other than the workspace's, each in its own minor unit, sorted by code."""
    return {code: format_amount(total, code) or "0" for code, total in sorted(totals.items())}
