"""Webhook subscriptions (admin settings): create, read, change, delete, list."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound, invalid
from domain.models import WebhookSubscription
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal
from domain.records import clean_text, expect_version
from domain.webhooks.events import clean_events
from domain.webhooks.targets import check_url

SECRET_PREFIX = "whsec_"
MIN_SECRET_LENGTH = 16
SORT = "-created_at"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


async def get_subscription(
    session: AsyncSession, principal: Principal, subscription_id: uuid.UUID, *, for_update: bool = False
) -> WebhookSubscription:
    query = select(WebhookSubscription).where(
        WebhookSubscription.workspace_id == principal.workspace_id, WebhookSubscription.id == subscription_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    subscription = (await session.execute(query)).scalar_one_or_none()
    if subscription is None:
        raise NotFound("Webhook subscription not found")
    return subscription


def _clean(fields: dict[str, Any], *, allow_private: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "url" in fields:
        url = clean_text(fields["url"])
        if url is None:
            raise invalid("url", "A webhook needs a url")
        check_url(url, allow_private=allow_private)
        out["url"] = url
    if "events" in fields:
        out["events"] = clean_events(fields["events"] or [])
    if "secret" in fields:
        secret = clean_text(fields["secret"])
        if secret is not None and len(secret) < MIN_SECRET_LENGTH:
            raise invalid("secret", f"A signing secret needs at least {MIN_SECRET_LENGTH} characters")
        out["secret"] = secret or new_secret()
    if "description" in fields:
        out["description"] = clean_text(fields["description"])
    if "active" in fields:
        out["active"] = fields["active"] is not False
    return out


def _reenable(subscription: WebhookSubscription) -> None:
    """Switched on again by a person: the run of failures that switched it off is forgotten."""
    subscription.consecutive_failures = 0
    subscription.failing_since = None
    subscription.disabled_at = None
    subscription.disabled_reason = None


async def create_subscription(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], allow_private: bool, now: datetime
) -> WebhookSubscription:
    values = _clean(
        {"url": None, "events": None, "secret": None, "active": True, **fields}, allow_private=allow_private
    )
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        created_at=now,
        updated_at=now,
        consecutive_failures=0,
        **values,
    )
    session.add(subscription)
    await session.flush()
    return subscription


async def update_subscription(
    session: AsyncSession,
    *,
    principal: Principal,
    subscription_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    allow_private: bool,
    now: datetime,
) -> WebhookSubscription:
    """Merge-patch; `secret: null` issues a new secret."""
    subscription = await get_subscription(session, principal, subscription_id, for_update=True)
    expect_version(subscription, expected_version, "webhook subscription")
    values = _clean(changes, allow_private=allow_private)
    if values.get("active") and not subscription.active:
        _reenable(subscription)
    for key, value in values.items():
        setattr(subscription, key, value)
    if session.is_modified(subscription):
        subscription.updated_at = now
        await session.flush()
    return subscription


async def delete_subscription(
    session: AsyncSession, *, principal: Principal, subscription_id: uuid.UUID, expected_version: int | None
) -> None:
    """Its deliveries (and their log) go with it."""
    subscription = await get_subscription(session, principal, subscription_id, for_update=True)
    expect_version(subscription, expected_version, "webhook subscription")
    await session.delete(subscription)
    await session.flush()


async def list_subscriptions(
    session: AsyncSession, *, principal: Principal, after: Keyset | None, limit: int
) -> PageResult[WebhookSubscription]:
    query = apply_keyset(
        select(WebhookSubscription).where(WebhookSubscription.workspace_id == principal.workspace_id),
        column=WebhookSubscription.created_at,
        id_column=WebhookSubscription.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda s: (s.created_at, s.id))
