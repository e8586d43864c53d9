"""Outbound webhook subscriptions (admin settings), their delivery log, test-fire and redelivery."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import AdminCtx, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.webhooks import DeliveryOut, DeliveryStatus, WebhookIn, WebhookOut, WebhookPatch
from domain.webhooks import delivery, fanout, subscriptions

router = APIRouter(prefix="/api/v1", tags=["webhooks"], responses=problem_responses(400, 401, 403, 404))


@router.get(
    "/webhooks",
    response_model=Page[WebhookOut],
    operation_id="webhooks-list",
    responses=problem_responses(422),
)
async def list_webhooks(ctx: AdminCtx, params: ListParamsDep) -> Response:
    page = await subscriptions.list_subscriptions(
        ctx.session, principal=ctx.principal, after=ctx.after(params, subscriptions.SORT), limit=params.limit
    )
    return await ctx.respond(
        Page[WebhookOut](
            items=[WebhookOut.model_validate(s) for s in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookOut,
    operation_id="webhooks-create",
    responses=problem_responses(409, 422),
)
async def create_webhook(body: WebhookIn, ctx: AdminCtx) -> Response:
    subscription = await subscriptions.create_subscription(
        ctx.session,
        principal=ctx.principal,
        fields=body.model_dump(exclude_unset=True),
        allow_private=ctx.settings.webhook_allow_private_targets,
        now=ctx.now,
    )
    ctx.audit(
        "webhook.created",
        f"Webhook subscription created for {len(subscription.events)} event patterns",
        subject_type="webhook",
        subject_id=subscription.id,
    )
    return await ctx.respond(WebhookOut.model_validate(subscription), status=201, etag=subscription.version)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, operation_id="webhooks-get")
async def get_webhook(webhook_id: uuid.UUID, ctx: AdminCtx) -> Response:
    subscription = await subscriptions.get_subscription(ctx.session, ctx.principal, webhook_id)
    return await ctx.respond(WebhookOut.model_validate(subscription), etag=subscription.version)


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=WebhookOut,
    operation_id="webhooks-update",
    responses=problem_responses(412, 422),
)
async def update_webhook(webhook_id: uuid.UUID, body: WebhookPatch, ctx: AdminCtx) -> Response:
    subscription = await subscriptions.update_subscription(
        ctx.session,
        principal=ctx.principal,
        subscription_id=webhook_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        allow_private=ctx.settings.webhook_allow_private_targets,
        now=ctx.now,
    )
    ctx.audit(
        "webhook.updated",
        f"Webhook subscription changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="webhook",
        subject_id=webhook_id,
    )
    return await ctx.respond(WebhookOut.model_validate(subscription), etag=subscription.version)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=204,
    operation_id="webhooks-delete",
    responses=problem_responses(412),
)
async def delete_webhook(webhook_id: uuid.UUID, ctx: AdminCtx) -> Response:
    await subscriptions.delete_subscription(
        ctx.session, principal=ctx.principal, subscription_id=webhook_id, expected_version=ctx.if_match()
    )
    ctx.audit(
        "webhook.deleted", "Webhook subscription deleted", subject_type="webhook", subject_id=webhook_id
    )
    return await ctx.respond(status=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    operation_id="webhooks-deliveries",
    responses=problem_responses(422),
)
async def list_deliveries(
    webhook_id: uuid.UUID, ctx: AdminCtx, params: ListParamsDep, status: DeliveryStatus | None = None
) -> Response:
    page = await delivery.list_deliveries(
        ctx.session,
        principal=ctx.principal,
        subscription_id=webhook_id,
        status=status,
        after=ctx.after(params, delivery.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[DeliveryOut](
            items=[DeliveryOut.model_validate(d) for d in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=202,
    response_model=DeliveryOut,
    operation_id="webhooks-test",
    responses=problem_responses(409),
)
async def test_webhook(webhook_id: uuid.UUID, ctx: AdminCtx) -> Response:
    """Queue a `webhook.test` delivery (sent even while the subscription is switched off)."""
    queued = await fanout.test_fire(
        ctx.session, principal=ctx.principal, subscription_id=webhook_id, now=ctx.now
    )
    return await ctx.respond(DeliveryOut.model_validate(queued), status=202)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=DeliveryOut,
    operation_id="webhooks-redeliver",
    responses=problem_responses(409),
)
async def redeliver(webhook_id: uuid.UUID, delivery_id: uuid.UUID, ctx: AdminCtx) -> Response:
    """Send a delivery again, now (same event id)."""
    again = await delivery.redeliver(
        ctx.session, principal=ctx.principal, subscription_id=webhook_id, delivery_id=delivery_id, now=ctx.now
    )
    return await ctx.respond(DeliveryOut.model_validate(again), status=202)
