"""What a deal's history says about it: idle spells, next steps, lowered amounts, and the reasons
Today and next-actions give for them, in words and as data.

"Idle" has one definition everywhere (sweeps, Today, next-actions): time since the deal's last
stage change or the last activity a person logged on it (a call, email, meeting or note made by a
user or an API key, or a completed task). Tasks and notes made by automations do not count, so an
automation's own follow-up task cannot end the idle spell that caused it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Activity, Deal, TimelineEvent
from domain.stage_norms import StageNorm

PERSON_ACTORS = ("user", "api_key")
AMOUNT_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)


def touched_at() -> ColumnElement[datetime]:
    """When an activity counts as a touch: a task when completed, anything else when logged."""
    return case((Activity.type == "task", Activity.completed_at), else_=Activity.created_at)


def by_a_person() -> ColumnElement[bool]:
    return or_(
        and_(Activity.type == "task", Activity.completed_at.is_not(None)),
        and_(Activity.type != "task", Activity.created_by_type.in_(PERSON_ACTORS)),
    )


def last_person_touch(now: datetime) -> Any:
    """Correlated to `deals`: when a person last did something on the deal (NULL if never)."""
    return (
        select(func.max(touched_at()))
        .where(
            Activity.workspace_id == Deal.workspace_id,
            Activity.deal_id == Deal.id,
            by_a_person(),
            touched_at() <= now,
        )
        .scalar_subquery()
    )


async def last_touch_with_contact(
    session: AsyncSession, workspace_id: uuid.UUID, contact_id: uuid.UUID, now: datetime
) -> datetime | None:
    last: datetime | None = await session.scalar(
        select(func.max(touched_at())).where(
            Activity.workspace_id == workspace_id,
            Activity.contact_id == contact_id,
            by_a_person(),
            touched_at() <= now,
        )
    )
    return last


def idle_since(now: datetime) -> ColumnElement[datetime]:
    """Start of the deal's current idle spell (GREATEST ignores a NULL last touch)."""
    return func.greatest(Deal.stage_entered_at, last_person_touch(now))


def has_next_step() -> ColumnElement[bool]:
    """Correlated to `deals`: an open activity with a due time is a scheduled next step."""
    return exists().where(
        Activity.workspace_id == Deal.workspace_id,
        Activity.deal_id == Deal.id,
        Activity.completed_at.is_(None),
        Activity.due_at.is_not(None),
    )


@dataclass(frozen=True)
class AmountChange:
    old: Decimal
    new: Decimal
    at: datetime


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


async def amount_decreases(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: Sequence[uuid.UUID], *, now: datetime
) -> dict[uuid.UUID, AmountChange]:
    """Deals whose amount is, net, lower than before their amount changes of the last 30 days."""
    if not deal_ids:
        return {}
    rows = await session.execute(
        select(TimelineEvent.subject_id, TimelineEvent.data, TimelineEvent.at)
        .where(
            TimelineEvent.workspace_id == workspace_id,
            TimelineEvent.subject_type == "deal",
            TimelineEvent.subject_id.in_(list(deal_ids)),
            TimelineEvent.type == "field_changed",
            TimelineEvent.data["changes"].has_key("amount"),
            TimelineEvent.at >= now - AMOUNT_WINDOW,
            TimelineEvent.at <= now,
        )
        .order_by(TimelineEvent.subject_id, TimelineEvent.at, TimelineEvent.id)
    )
    spans: dict[uuid.UUID, tuple[Decimal | None, Decimal | None, datetime]] = {}
    for deal_id, data, at in rows:
        old, new = data["changes"]["amount"]
        first = spans[deal_id][0] if deal_id in spans else _decimal(old)
        spans[deal_id] = (first, _decimal(new), at)
    return {
        deal_id: AmountChange(old=first, new=last, at=at)
        for deal_id, (first, last, at) in spans.items()
        if first is not None and last is not None and last < first
    }


def money(value: Decimal) -> str:
    """20000.00 -> "20,000"; 1234.5 -> "1,234.50"."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


MIN_IDLE_DAYS = 1


def idle_reason(since: datetime, now: datetime, norm: StageNorm | None) -> Reason | None:
    """Idle longer than the stage's norm; None when it is not (or the stage has no norm)."""
    if norm is None:
        return None
    idle = now - since
    # A stage whose deals moved within minutes (a clean-up, an import replayed) has a norm near
    # zero; a deal is not idle before a whole day without activity, whatever its stage's norm.
    if idle <= timedelta(days=max(norm.days, MIN_IDLE_DAYS)):
        return None
    norm_days = max(1, round(norm.days))
    if norm.source == "history":
        usual = f"deals in this stage usually move within {norm_days}"
    else:
        usual = f"deals in this stage should move within {_days(norm_days)} (its rotting limit)"
    return Reason(
        "idle",
        f"no activity for {_days(idle.days)}; {usual}",
        {
            "idle_days": idle.days,
            "since": since.isoformat(),
            "norm_days": round(norm.days, 1),
            "norm_source": norm.source,
        },
    )


def close_date_reason(expected: date | None, today: date) -> Reason | None:
    if expected is None or expected >= today:
        return None
    days = (today - expected).days
    return Reason(
        "close_date_passed",
        f"expected close date passed {_days(days)} ago",
        {"expected_close_date": expected.isoformat(), "days_ago": days},
    )


def no_next_step_reason() -> Reason:
    return Reason("no_next_step", "no next step scheduled", {})


def amount_reason(change: AmountChange | None, currency: str) -> Reason | None:
    if change is None:
        return None
    return Reason(
        "amount_decreased",
        f"amount lowered from {money(change.old)} to {money(change.new)}",
        {"from": str(change.old), "to": str(change.new), "currency": currency, "at": change.at.isoformat()},
    )
