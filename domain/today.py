"""The Today view: what the current member should do today, most urgent and valuable first.

"Today" is the member's calendar day in their time zone (else the workspace's). Overdue tasks
were due before today began; tasks due today fall within it (every open activity with a due time
counts: a meeting today is on the list too). A deal is at risk when it is idle beyond its stage's
norm, past its expected close date, or lowered in amount; an open deal with no scheduled next
step and no such risk is a follow-up. A promise made on the deal that is past its due date and
still open (`commitment_overdue`) is a risk too, on an open deal or a won one (whose project
is delivering it). `commitments_due` lists the member's open
commitments due within the next week, overdue ones first.

Ranking: lists are ranked by urgency tier first, then by value (the deal's amount, compared as
plain numbers across currencies), then by how long it has waited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.commitments import due_for_member, overdue_by_deal
from domain.deal_signals import (
    Reason,
    amount_decreases,
    amount_reason,
    close_date_reason,
    has_next_step,
    idle_reason,
    idle_since,
    no_next_step_reason,
)
from domain.deals import DealRecord, deal_records
from domain.models import Activity, Commitment, Deal, User, Workspace
from domain.principal import Principal
from domain.stage_norms import stage_norms

LIST_LIMIT = 50
# Commitments due within this many days (and overdue ones) are on the list.
COMMITMENT_HORIZON = timedelta(days=7)
# More open tasks than this are ranked from the most overdue ones.
TASK_SCAN_LIMIT = 1000
RISK_WEIGHT = {
    "close_date_passed": 3,
    "idle": 2,
    "amount_decreased": 2,
    "commitment_overdue": 3,
    "no_next_step": 1,
}


@dataclass
class DealItem:
    record: DealRecord
    reasons: list[Reason]


@dataclass
class TodayView:
    date: date
    timezone: str
    overdue_tasks: list[Activity] = field(default_factory=list)
    due_today: list[Activity] = field(default_factory=list)
    follow_ups: list[DealItem] = field(default_factory=list)
    at_risk: list[DealItem] = field(default_factory=list)
    commitments_due: list[Commitment] = field(default_factory=list)


def _zone(*names: str | None) -> tuple[str, ZoneInfo]:
    for name in names:
        if name:
            try:
                return name, ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return "UTC", ZoneInfo("UTC")


async def member_zone(session: AsyncSession, principal: Principal) -> tuple[str, ZoneInfo]:
    """The member's time zone, else the workspace's, else UTC."""
    user_zone = await session.scalar(select(User.timezone).where(User.id == principal.user_id))
    workspace_zone = await session.scalar(
        select(Workspace.timezone).where(Workspace.id == principal.workspace_id)
    )
    return _zone(user_zone, workspace_zone)


def _value(amount: Decimal | None) -> Decimal:
    return amount if amount is not None else Decimal(0)


def _task_tier(due_at: datetime, day_start: datetime) -> int:
    late = day_start - due_at
    return 3 if late > timedelta(days=7) else 2 if late > timedelta(days=1) else 1


async def _tasks(
    session: AsyncSession, principal: Principal, day_start: datetime, day_end: datetime, limit: int
) -> tuple[list[Activity], list[Activity]]:
    rows = (
        await session.execute(
            select(Activity, Deal.amount)
            .outerjoin(Deal, (Deal.workspace_id == Activity.workspace_id) & (Deal.id == Activity.deal_id))
            .where(
                Activity.workspace_id == principal.workspace_id,
                Activity.owner_id == principal.user_id,
                Activity.completed_at.is_(None),
                Activity.due_at < day_end,
            )
            .order_by(Activity.due_at, Activity.id)
            .limit(TASK_SCAN_LIMIT)
        )
    ).all()
    # (activity, due time, value): the query's `due_at < day_end` means every due time is set.
    found = [(a, a.due_at or day_end, _value(amount)) for a, amount in rows]
    overdue = sorted(
        (r for r in found if r[1] < day_start), key=lambda r: (-_task_tier(r[1], day_start), -r[2], r[1])
    )
    today = sorted((r for r in found if r[1] >= day_start), key=lambda r: (-r[2], r[1]))
    return [a for a, _, _ in overdue[:limit]], [a for a, _, _ in today[:limit]]


async def _deals(
    session: AsyncSession, principal: Principal, *, now: datetime, today: date, limit: int
) -> tuple[list[DealItem], list[DealItem]]:
    ws = principal.workspace_id
    rows = (
        await session.execute(
            select(Deal, idle_since(now).label("since"), has_next_step().label("planned")).where(
                Deal.workspace_id == ws, Deal.owner_id == principal.user_id, Deal.status == "open"
            )
        )
    ).all()
    norms = await stage_norms(session, ws, [d.stage_id for d, _, _ in rows], now=now)
    lowered = await amount_decreases(session, ws, [d.id for d, _, _ in rows], now=now)
    overdue = await overdue_by_deal(session, ws, [d.id for d, _, _ in rows], today)
    at_risk: list[tuple[Deal, datetime, list[Reason]]] = []
    follow_ups: list[tuple[Deal, datetime, list[Reason]]] = []
    for deal, since, planned in rows:
        risks = [
            r
            for r in (
                idle_reason(since, now, norms.get(deal.stage_id)),
                close_date_reason(deal.expected_close_date, today),
                amount_reason(lowered.get(deal.id), deal.currency),
                commitment_reason(overdue.get(deal.id), today),
            )
            if r is not None
        ]
        missing_step = [] if planned else [no_next_step_reason()]
        if risks:
            at_risk.append((deal, since, risks + missing_step))
        elif missing_step:
            follow_ups.append((deal, since, missing_step))
    at_risk += await _won_with_broken_promises(session, principal, today)
    at_risk.sort(key=lambda r: (-sum(RISK_WEIGHT.get(x.code, 1) for x in r[2]), -_value(r[0].amount), r[1]))
    follow_ups.sort(key=lambda r: (-_value(r[0].amount), r[1]))
    return await _items(session, ws, at_risk[:limit]), await _items(session, ws, follow_ups[:limit])


async def _won_with_broken_promises(
    session: AsyncSession, principal: Principal, today: date
) -> list[tuple[Deal, datetime, list[Reason]]]:
    """Won deals (their projects under way) whose promises are overdue: the customer is at risk."""
    ws = principal.workspace_id
    won = list(
        (
            await session.execute(
                select(Deal).where(
                    Deal.workspace_id == ws,
                    Deal.owner_id == principal.user_id,
                    Deal.status == "won",
                    Deal.id.in_(
                        select(Commitment.deal_id).where(
                            Commitment.workspace_id == ws,
                            Commitment.status == "open",
                            Commitment.due_date < today,
                        )
                    ),
                )
            )
        ).scalars()
    )
    overdue = await overdue_by_deal(session, ws, [d.id for d in won], today)
    out: list[tuple[Deal, datetime, list[Reason]]] = []
    for deal in won:
        reason = commitment_reason(overdue.get(deal.id), today)
        if reason is not None:
            out.append((deal, deal.closed_at or deal.updated_at, [reason]))
    return out


def commitment_reason(overdue: list[Commitment] | None, today: date) -> Reason | None:
    """Promises made on the deal, past due and still open: the oldest named, all counted."""
    if not overdue:
        return None
    oldest = overdue[0]
    assert oldest.due_date is not None
    days = (today - oldest.due_date).days
    more = f" (and {len(overdue) - 1} more)" if len(overdue) > 1 else ""
    ago = f"{days} day{'s' if days != 1 else ''} ago"
    return Reason(
        "commitment_overdue",
        f"promised {oldest.title!r} by {oldest.due_date.isoformat()}, {ago}{more}",
        {
            "commitment_ids": [str(c.id) for c in overdue],
            "count": len(overdue),
            "oldest_due_date": oldest.due_date.isoformat(),
            "days_overdue": days,
        },
    )


async def _items(
    session: AsyncSession, workspace_id: uuid.UUID, ranked: list[tuple[Deal, datetime, list[Reason]]]
) -> list[DealItem]:
    records = await deal_records(session, workspace_id, [deal for deal, _, _ in ranked])
    return [DealItem(record, reasons) for record, (_, _, reasons) in zip(records, ranked, strict=True)]


async def today_view(
    session: AsyncSession, *, principal: Principal, now: datetime, limit: int = LIST_LIMIT
) -> TodayView:
    zone_name, zone = await member_zone(session, principal)
    today = now.astimezone(zone).date()
    day_start = datetime.combine(today, time(), tzinfo=zone)
    day_end = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone)
    overdue, due_today = await _tasks(session, principal, day_start, day_end, limit)
    at_risk, follow_ups = await _deals(session, principal, now=now, today=today, limit=limit)
    promised = await due_for_member(session, principal, until=today + COMMITMENT_HORIZON, limit=limit)
    return TodayView(
        date=today,
        timezone=zone_name,
        overdue_tasks=overdue,
        due_today=due_today,
        follow_ups=follow_ups,
        at_risk=at_risk,
        commitments_due=promised,
    )
