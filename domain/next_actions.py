"""Suggested next steps for one deal: deterministic rules over its state and history.

Each suggestion says what to do and why (reasons as words and data), in a fixed order:
fix a passed close date, schedule a next step, book a meeting once qualified, follow up a sent
proposal, reach a silent champion, re-engage an idle deal, check a lowered amount, keep an
overdue promise. A closed deal
gets none. No external service is asked anything.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.commitments import overdue_by_deal
from domain.deal_signals import (
    Reason,
    amount_decreases,
    amount_reason,
    close_date_reason,
    has_next_step,
    idle_reason,
    idle_since,
    last_touch_with_contact,
    no_next_step_reason,
)
from domain.deals import load_deal
from domain.models import Activity, Contact, Deal, DealContact, Stage
from domain.principal import Principal
from domain.stage_norms import stage_norms
from domain.today import commitment_reason, member_zone

QUALIFIED = "qualified"
PROPOSAL = "proposal"
PROPOSAL_FOLLOW_UP_AFTER = timedelta(days=3)
CHAMPION_SILENCE = timedelta(days=14)


@dataclass(frozen=True)
class NextAction:
    action: str
    text: str
    reasons: list[Reason]


def _days(delta: timedelta) -> str:
    return "1 day" if delta.days == 1 else f"{delta.days} days"


async def _pipeline_stages(session: AsyncSession, deal: Deal) -> list[Stage]:
    return list(
        (
            await session.execute(
                select(Stage)
                .where(Stage.workspace_id == deal.workspace_id, Stage.pipeline_id == deal.pipeline_id)
                .order_by(Stage.position, Stage.id)
            )
        ).scalars()
    )


def _qualified(stage: Stage, stages: list[Stage]) -> bool:
    """At or past the stage named Qualified (without one: past the first open stage)."""
    marker = next((s for s in stages if s.name.casefold() == QUALIFIED), None)
    if marker is None:
        first_open = next((s for s in stages if s.kind == "open"), None)
        return first_open is not None and stage.position > first_open.position
    return stage.position >= marker.position


async def _has_meeting(session: AsyncSession, deal: Deal) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Activity.workspace_id == deal.workspace_id,
                    Activity.deal_id == deal.id,
                    Activity.type == "meeting",
                )
            )
        )
    )


async def _silent_champions(session: AsyncSession, deal: Deal, now: datetime) -> list[NextAction]:
    champions = (
        (
            await session.execute(
                select(Contact)
                .join(
                    DealContact,
                    (DealContact.workspace_id == Contact.workspace_id)
                    & (DealContact.contact_id == Contact.id),
                )
                .where(
                    DealContact.workspace_id == deal.workspace_id,
                    DealContact.deal_id == deal.id,
                    DealContact.role == "champion",
                )
                .order_by(DealContact.position)
            )
        )
        .scalars()
        .all()
    )
    out = []
    for contact in champions:
        last = await last_touch_with_contact(session, deal.workspace_id, contact.id, now)
        if last is not None and now - last <= CHAMPION_SILENCE:
            continue
        name = (
            " ".join(p for p in (contact.first_name, contact.last_name) if p)
            or contact.email
            or "your champion"
        )
        text = (
            f"champion {name} has been silent for {_days(now - last)}"
            if last
            else f"no activity with champion {name} yet"
        )
        out.append(
            NextAction(
                "contact_champion",
                f"Reach out to {name}",
                [
                    Reason(
                        "champion_silent",
                        text,
                        {
                            "contact_id": str(contact.id),
                            "last_activity_at": last.isoformat() if last else None,
                            "silent_days": (now - last).days if last else None,
                        },
                    )
                ],
            )
        )
    return out


async def next_actions(
    session: AsyncSession, *, principal: Principal, deal_id: uuid.UUID, now: datetime
) -> list[NextAction]:
    deal = await load_deal(session, principal, deal_id, lock=False)
    if deal.status != "open":
        return []
    _, zone = await member_zone(session, principal)
    today = now.astimezone(zone).date()
    since, planned = (
        await session.execute(
            select(idle_since(now), has_next_step()).where(
                Deal.workspace_id == deal.workspace_id, Deal.id == deal.id
            )
        )
    ).one()
    stages = await _pipeline_stages(session, deal)
    stage = next(s for s in stages if s.id == deal.stage_id)
    out: list[NextAction] = []
    passed = close_date_reason(deal.expected_close_date, today)
    if passed:
        out.append(NextAction("update_close_date", "Update the expected close date", [passed]))
    if not planned:
        out.append(NextAction("schedule_next_step", "Schedule the next step", [no_next_step_reason()]))
    if _qualified(stage, stages) and not await _has_meeting(session, deal):
        out.append(
            NextAction(
                "book_meeting",
                "Book a meeting",
                [
                    Reason(
                        "no_meeting",
                        f"no meeting yet, and the deal is in {stage.name}",
                        {"stage_id": str(stage.id)},
                    )
                ],
            )
        )
    in_proposal = PROPOSAL in stage.name.casefold()
    waiting = now - deal.stage_entered_at
    if in_proposal and waiting >= PROPOSAL_FOLLOW_UP_AFTER and since <= deal.stage_entered_at:
        out.append(
            NextAction(
                "follow_up_proposal",
                "Follow up on the proposal",
                [
                    Reason(
                        "proposal_no_follow_up",
                        f"proposal sent {_days(waiting)} ago without a follow-up",
                        {
                            "stage_id": str(stage.id),
                            "sent_at": deal.stage_entered_at.isoformat(),
                            "days": waiting.days,
                        },
                    )
                ],
            )
        )
    out += await _silent_champions(session, deal, now)
    norms = await stage_norms(session, deal.workspace_id, [deal.stage_id], now=now)
    idle = idle_reason(since, now, norms.get(deal.stage_id))
    if idle and not any(a.action == "follow_up_proposal" for a in out):
        out.append(NextAction("re_engage", "Re-engage: log a call, email or meeting", [idle]))
    lowered = amount_reason(
        (await amount_decreases(session, deal.workspace_id, [deal.id], now=now)).get(deal.id), deal.currency
    )
    if lowered:
        out.append(NextAction("review_amount", "Check why the amount was lowered", [lowered]))
    promised = commitment_reason(
        (await overdue_by_deal(session, deal.workspace_id, [deal.id], today)).get(deal.id), today
    )
    if promised:
        out.append(NextAction("keep_commitment", "Keep the overdue promise, or agree a new date", [promised]))
    return out
