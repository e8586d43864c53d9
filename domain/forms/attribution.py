"""Attribution of a contact made from forms: `{first_touch, last_touch}`, each the submission's
`utm_*`, `referrer` and time. The first touch is kept, the last follows the latest submission
(by when it arrived, so a retried older submission cannot overwrite a newer touch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.forms.fields import UTM_FIELDS
from domain.models import Contact
from domain.principal import Principal
from domain.records import announce_changes
from domain.snapshots import snapshot


def touch_of(lead: dict[str, Any], at: datetime) -> dict[str, Any]:
    touch: dict[str, Any] = {key: lead.get(key) for key in UTM_FIELDS}
    touch["referrer"] = lead.get("referrer")
    touch["at"] = at.isoformat()
    return touch


def _at(touch: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(touch["at"])
    except (TypeError, KeyError, ValueError):
        return None


def merged(current: dict[str, Any] | None, touch: dict[str, Any]) -> dict[str, Any]:
    current = current or {}
    first, last = current.get("first_touch"), current.get("last_touch")
    at = _at(touch)
    first_at, last_at = _at(first), _at(last)
    return {
        "first_touch": touch if first is None or (at and first_at and at < first_at) else first,
        "last_touch": touch if last is None or not (at and last_at) or at >= last_at else last,
    }


async def touch_attribution(
    session: AsyncSession,
    principal: Principal,
    contact: Contact,
    lead: dict[str, Any],
    *,
    at: datetime,
    created: bool,
    now: datetime,
) -> dict[str, Any]:
    """Record the touch on the contact; returns it."""
    touch = touch_of(lead, at)
    value = merged(contact.attribution, touch)
    if created:
        # Part of the contact's creation: written without a second version or `contact.updated`.
        await session.execute(
            update(Contact)
            .where(Contact.workspace_id == contact.workspace_id, Contact.id == contact.id)
            .values(attribution=value)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(contact, "attribution", value)
    elif value != contact.attribution:
        before = snapshot(contact)
        contact.attribution = value
        await announce_changes(session, principal, contact, before=before, subject_type="contact", now=now)
    return touch
