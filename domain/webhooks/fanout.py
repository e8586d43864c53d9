"""From outbox events to deliveries: one row per matching active subscription, idempotently.

The `*` handler runs in the worker inside the event's transaction; the unique (subscription,
event) key makes a second run of the same event add nothing. Deliveries are then sent by
`domain.webhooks.delivery`, woken by NOTIFY on `rapport_webhooks` or its poll.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain import outbox
from domain.models import OutboxEvent, WebhookDelivery, WebhookSubscription
from domain.principal import Principal
from domain.webhooks.events import EVENT_TYPES, TEST_EVENT, patterns_for
from domain.webhooks.subscriptions import get_subscription

log = structlog.get_logger("rapport.webhooks")

NOTIFY_CHANNEL = "rapport_webhooks"
AUTOMATION_EVENT = "automation.webhook_requested"


def body_of(
    *, event_id: uuid.UUID, type: str, created_at: datetime, workspace_id: uuid.UUID, data: Any
) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": type,
        "created_at": created_at.isoformat(),
        "workspace_id": str(workspace_id),
        "data": data,
    }


async def _add_deliveries(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    subscription_ids: list[uuid.UUID],
    *,
    event_id: uuid.UUID,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    if not subscription_ids:
        return
    await session.execute(
        insert(WebhookDelivery)
        .values(
            [
                {
                    "id": uuid.uuid4(),
                    "workspace_id": workspace_id,
                    "subscription_id": subscription_id,
                    "event_id": event_id,
                    "event_type": event_type,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "due_since": now,
                    "next_attempt_at": now,
                    "log": [],
                }
                for subscription_id in subscription_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["workspace_id", "subscription_id", "event_id"])
    )
    await wake_deliveries(session)


async def wake_deliveries(session: AsyncSession) -> None:
    """Tell the delivery pump at commit that something is due (it also polls)."""
    await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


@outbox.on("*")
async def fan_out(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    if event.type not in EVENT_TYPES:
        return
    subscription_ids = list(
        (
            await session.execute(
                select(WebhookSubscription.id).where(
                    WebhookSubscription.workspace_id == event.workspace_id,
                    WebhookSubscription.active.is_(True),
                    WebhookSubscription.events.overlap(patterns_for(event.type)),
                )
            )
        ).scalars()
    )
    payload = body_of(
        event_id=event.id,
        type=event.type,
        created_at=event.created_at,
        workspace_id=event.workspace_id,
        data=event.payload,
    )
    await _add_deliveries(
        session,
        event.workspace_id,
        subscription_ids,
        event_id=event.id,
        event_type=event.type,
        payload=payload,
        now=now,
    )


@outbox.on(AUTOMATION_EVENT)
async def automation_webhook(session: AsyncSession, event: OutboxEvent, now: datetime) -> None:
    """An automation's send_webhook action: `{subscription_id, data, type?}` to that one subscription."""
    try:
        subscription_id = uuid.UUID(str(event.payload["subscription_id"]))
    except (KeyError, ValueError):
        log.warning("webhook.automation_request_invalid", event_id=str(event.id))
        return
    found = await session.scalar(
        select(WebhookSubscription.id).where(
            WebhookSubscription.workspace_id == event.workspace_id,
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.active.is_(True),
        )
    )
    if found is None:
        log.info("webhook.automation_subscription_unavailable", subscription_id=str(subscription_id))
        return
    event_type = str(event.payload.get("type") or "automation.webhook")
    payload = body_of(
        event_id=event.id,
        type=event_type,
        created_at=event.created_at,
        workspace_id=event.workspace_id,
        data=event.payload.get("data"),
    )
    await _add_deliveries(
        session,
        event.workspace_id,
        [found],
        event_id=event.id,
        event_type=event_type,
        payload=payload,
        now=now,
    )


async def test_fire(
    session: AsyncSession, *, principal: Principal, subscription_id: uuid.UUID, now: datetime
) -> WebhookDelivery:
    """A `webhook.test` delivery, sent even while the subscription is switched off."""
    subscription = await get_subscription(session, principal, subscription_id)
    event_id = uuid.uuid4()
    data = {
        "message": "A test event from Rapport",
        "subscription_id": str(subscription.id),
        "url": subscription.url,
    }
    payload = body_of(
        event_id=event_id, type=TEST_EVENT, created_at=now, workspace_id=principal.workspace_id, data=data
    )
    await _add_deliveries(
        session,
        principal.workspace_id,
        [subscription.id],
        event_id=event_id,
        event_type=TEST_EVENT,
        payload=payload,
        now=now,
    )
    delivery = (
        await session.execute(
            select(WebhookDelivery).where(
                WebhookDelivery.workspace_id == principal.workspace_id,
                WebhookDelivery.subscription_id == subscription.id,
                WebhookDelivery.event_id == event_id,
            )
        )
    ).scalar_one()
    return delivery
