"""Sending deliveries: due ones handed to the queue, one attempt per job, retries with
exponential backoff for a day, the log of every attempt, and auto-disable after a run of failures.

An attempt never holds a transaction open across the network: it reads the delivery, sends, then
records the result in a second short transaction. A job run twice for one attempt finds the
delivery already recorded (its lease is gone or its status final) and sends nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import workspace_transaction
from domain.errors import Conflict, NotFound
from domain.models import WebhookDelivery, WebhookSubscription
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal
from domain.webhooks.events import TEST_EVENT
from domain.webhooks.fanout import wake_deliveries
from domain.webhooks.sending import SendResult, post_signed
from domain.webhooks.subscriptions import get_subscription

OWED = ("pending", "retrying")
LOG_LENGTH = 50
SORT = "-created_at"


@dataclass(frozen=True)
class DeliveryPolicy:
    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=4)
    give_up_after: timedelta = timedelta(days=1)
    # Switched off after this many failed attempts in a row spanning at least `disable_after_failing_for`.
    disable_after_failures: int = 20
    disable_after_failing_for: timedelta = timedelta(days=1)
    lease: timedelta = timedelta(minutes=2)
    jitter: float = 0.1


DEFAULT_POLICY = DeliveryPolicy()


def backoff(attempts: int, policy: DeliveryPolicy, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from `first_delay`, capped, jittered."""
    base = min(policy.first_delay * (2 ** max(0, attempts - 1)), policy.max_delay)
    spread: float = 1 + (rng or random).uniform(-policy.jitter, policy.jitter)
    wait: timedelta = base * spread
    return wait


async def claim_due_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    now: datetime,
    policy: DeliveryPolicy = DEFAULT_POLICY,
    limit: int = 100,
) -> list[tuple[uuid.UUID, uuid.UUID, int]]:
    """Lease due deliveries of active subscriptions: (workspace_id, delivery_id, attempts so far)."""
    async with sessionmaker() as session, session.begin():
        rows = (
            await session.execute(
                select(WebhookDelivery.workspace_id, WebhookDelivery.id, WebhookDelivery.attempts)
                .join(
                    WebhookSubscription,
                    (WebhookSubscription.workspace_id == WebhookDelivery.workspace_id)
                    & (WebhookSubscription.id == WebhookDelivery.subscription_id),
                )
                .where(
                    WebhookDelivery.status.in_(OWED),
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.leased_until.is_(None), WebhookDelivery.leased_until < now),
                    or_(WebhookSubscription.active.is_(True), WebhookDelivery.event_type == TEST_EVENT),
                )
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(limit)
                .with_for_update(of=WebhookDelivery, skip_locked=True)
            )
        ).all()
        if rows:
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([r.id for r in rows]))
                .values(leased_until=now + policy.lease)
            )
        return [(r.workspace_id, r.id, r.attempts) for r in rows]


async def release_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], delivery_ids: list[uuid.UUID]
) -> None:
    """The queue refused these: due again at the next round."""
    if delivery_ids:
        async with sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id.in_(delivery_ids)).values(leased_until=None)
            )


@dataclass
class _Attempt:
    url: str
    secret: str
    body: bytes
    event_id: str
    event_type: str


async def _prepare(session: AsyncSession, workspace_id: uuid.UUID, delivery_id: uuid.UUID) -> _Attempt | None:
    row = (
        await session.execute(
            select(WebhookDelivery, WebhookSubscription)
            .join(
                WebhookSubscription,
                (WebhookSubscription.workspace_id == WebhookDelivery.workspace_id)
                & (WebhookSubscription.id == WebhookDelivery.subscription_id),
            )
            .where(WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.id == delivery_id)
        )
    ).one_or_none()
    if row is None:
        return None
    delivery, subscription = row
    if delivery.status not in OWED or not (subscription.active or delivery.event_type == TEST_EVENT):
        return None
    return _Attempt(
        url=subscription.url,
        secret=subscription.secret,
        body=orjson.dumps(delivery.payload),
        event_id=str(delivery.event_id),
        event_type=delivery.event_type,
    )


async def attempt_delivery(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    workspace_id: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
    allow_private: bool,
    policy: DeliveryPolicy = DEFAULT_POLICY,
) -> str | None:
    """Send one attempt now and record it; returns the delivery's new status (None: nothing owed)."""
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        attempt = await _prepare(session, workspace_id, delivery_id)
    if attempt is None:
        return None
    result = await post_signed(
        attempt.url,
        body=attempt.body,
        secret=attempt.secret,
        event_id=attempt.event_id,
        event_type=attempt.event_type,
        delivery_id=str(delivery_id),
        timestamp=int(now.timestamp()),
        allow_private=allow_private,
    )
    async with workspace_transaction(sessionmaker, workspace_id) as session:
        return await _record(session, workspace_id, delivery_id, result, now, policy)


async def _record(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    delivery_id: uuid.UUID,
    result: SendResult,
    now: datetime,
    policy: DeliveryPolicy,
) -> str | None:
    delivery = (
        await session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.workspace_id == workspace_id, WebhookDelivery.id == delivery_id)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if delivery is None:
        return None
    subscription = (
        await session.execute(
            select(WebhookSubscription)
            .where(
                WebhookSubscription.workspace_id == workspace_id,
                WebhookSubscription.id == delivery.subscription_id,
            )
            .with_for_update()
        )
    ).scalar_one()
    delivery.attempts += 1
    entry: dict[str, Any] = {
        "attempt": delivery.attempts,
        "at": now.isoformat(),
        "status_code": result.status_code,
        "error": result.error,
        "duration_ms": result.duration_ms,
    }
    delivery.log = [*delivery.log, entry][-LOG_LENGTH:]
    delivery.last_attempt_at = now
    delivery.response_status = result.status_code
    delivery.response_body = result.response_body
    delivery.error = result.error
    delivery.leased_until = None
    if result.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "succeeded", now, None
        subscription.consecutive_failures, subscription.failing_since = 0, None
        return delivery.status
    deadline = delivery.due_since + policy.give_up_after
    if result.refused or now >= deadline:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:  # the last try falls on the deadline itself
        delivery.status = "retrying"
        delivery.next_attempt_at = min(now + backoff(delivery.attempts, policy), deadline)
    subscription.consecutive_failures += 1
    subscription.failing_since = subscription.failing_since or now
    if (
        subscription.active
        and subscription.consecutive_failures >= policy.disable_after_failures
        and now - subscription.failing_since >= policy.disable_after_failing_for
    ):
        subscription.active = False
        subscription.disabled_at = now
        subscription.disabled_reason = (
            f"Switched off after {subscription.consecutive_failures} failed attempts "
            f"in a row since {subscription.failing_since.isoformat()}"
        )
        subscription.updated_at = now
    return delivery.status


async def list_deliveries(
    session: AsyncSession,
    *,
    principal: Principal,
    subscription_id: uuid.UUID,
    status: str | None,
    after: Keyset | None,
    limit: int,
) -> PageResult[WebhookDelivery]:
    await get_subscription(session, principal, subscription_id)
    query = select(WebhookDelivery).where(
        WebhookDelivery.workspace_id == principal.workspace_id,
        WebhookDelivery.subscription_id == subscription_id,
    )
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = apply_keyset(
        query,
        column=WebhookDelivery.created_at,
        id_column=WebhookDelivery.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda d: (d.created_at, d.id))


async def redeliver(
    session: AsyncSession,
    *,
    principal: Principal,
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
) -> WebhookDelivery:
    """Send a delivery again (same event id, so receivers can still de-duplicate), due now."""
    subscription = await get_subscription(session, principal, subscription_id)
    delivery = (
        await session.execute(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.workspace_id == principal.workspace_id,
                WebhookDelivery.subscription_id == subscription_id,
                WebhookDelivery.id == delivery_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if delivery is None:
        raise NotFound("Delivery not found")
    if not subscription.active and delivery.event_type != TEST_EVENT:
        raise Conflict("This subscription is switched off; switch it on (active: true) to redeliver")
    delivery.status = "pending"
    delivery.due_since = now
    delivery.next_attempt_at = now
    delivery.leased_until = None
    await session.flush()
    await wake_deliveries(session)
    return delivery
