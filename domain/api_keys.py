"""API keys for integrations: shown once, stored as an HMAC, revocable."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.auth import API_KEY_PREFIX
from domain.errors import NotFound, invalid
from domain.models import ApiKey
from domain.principal import Principal
from domain.security import digest, new_secret


async def create_api_key(
    session: AsyncSession, principal: Principal, *, name: str, secret_key: str, now: datetime
) -> tuple[ApiKey, str]:
    if not name.strip():
        raise invalid("name", "An API key needs a name")
    key = new_secret(API_KEY_PREFIX)
    api_key = ApiKey(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        name=name.strip(),
        prefix=key[:10],
        key_hash=digest(key, secret_key),
        created_by=principal.user_id,
        created_at=now,
    )
    session.add(api_key)
    await session.flush()
    return api_key, key


async def list_api_keys(session: AsyncSession, principal: Principal) -> list[ApiKey]:
    rows = await session.execute(
        select(ApiKey)
        .where(ApiKey.workspace_id == principal.workspace_id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    return list(rows.scalars())


async def get_api_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    api_key = (
        await session.execute(
            select(ApiKey).where(
                ApiKey.workspace_id == principal.workspace_id,
                ApiKey.id == key_id,
                ApiKey.revoked_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    if api_key is None:
        raise NotFound("API key not found")
    return api_key


async def revoke_api_key(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID, now: datetime
) -> None:
    api_key = await get_api_key(session, principal, key_id)
    api_key.revoked_at = now
