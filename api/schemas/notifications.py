"""Notification shapes: one notification, the list page with the unread count, read-all's answer."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from api.schemas.common import Out, Page


class NotificationOut(Out):
    id: uuid.UUID
    type: str = Field(description="`reminder`, `task_due`, `automation`, or another concern's kind.")
    title: str
    body: str | None
    subject_type: str | None = Field(description="What it is about: `deal`, `contact`, `activity`, ...")
    subject_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Page[NotificationOut]):
    unread_count: int = Field(description="The member's unread notifications, whatever the filter.")


class ReadAllOut(Out):
    marked: int = Field(description="How many were unread and are now read.")
    unread_count: int
