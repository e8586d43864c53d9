"""Who is acting: a user or an API key, always inside exactly one workspace."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

ADMIN = "admin"
MEMBER = "member"
ROLES = (ADMIN, MEMBER)


@dataclass(frozen=True)
class Principal:
    workspace_id: uuid.UUID
    # The acting user; for an API key, the admin who created it (owner of what it creates).
    user_id: uuid.UUID
    role: str
    kind: Literal["user", "api_key", "automation", "system"]
    name: str
    token_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def actor_id(self) -> uuid.UUID:
        return self.api_key_id or self.user_id

    def actor(self) -> dict[str, Any]:
        return {"type": self.kind, "id": str(self.actor_id), "name": self.name}
