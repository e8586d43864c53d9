"""Lead routing: who owns a lead from a form, and telling them.

A form's `routing` is `{"rules": [{"field", "op", "value", "owner_id"}...], "round_robin": [member
ids]}`. Rules are read in order on the submitted fields (the mapped ones such as `country`,
`company_size`, `source`, `utm_*`, then any field by its name) and the first match names the
owner; otherwise the lead goes round-robin among the listed members; otherwise to the form's
`owner_id`. Members who have left the workspace are skipped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import FieldError, ValidationFailed
from domain.forms.fields import canonical_name, text_of
from domain.models import Form, Membership
from domain.notifications import notify

OPS = ("eq", "ne", "in", "not_in", "contains", "gt", "gte", "lt", "lte")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


async def _members(
    session: AsyncSession, workspace_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    if not ids:
        return set()
    rows = await session.execute(
        select(Membership.user_id).where(
            Membership.workspace_id == workspace_id, Membership.user_id.in_(list(ids))
        )
    )
    return set(rows.scalars())


async def clean_routing(
    session: AsyncSession, workspace_id: uuid.UUID, routing: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Check a routing definition (422 naming the bad part) and return it JSON-ready."""
    if not routing:
        return None
    rules = list(routing.get("rules") or [])
    round_robin = [uuid.UUID(str(m)) for m in routing.get("round_robin") or []]
    errors: list[FieldError] = []
    named = [uuid.UUID(str(r["owner_id"])) for r in rules] + round_robin
    known = await _members(session, workspace_id, named)
    for index, rule in enumerate(rules):
        if rule.get("op") not in OPS:
            errors.append(
                FieldError(
                    loc=["body", "routing", "rules", index, "op"], msg=f"op must be one of {', '.join(OPS)}"
                )
            )
        if uuid.UUID(str(rule["owner_id"])) not in known:
            errors.append(
                FieldError(
                    loc=["body", "routing", "rules", index, "owner_id"],
                    msg="owner_id is not a member of this workspace",
                )
            )
    for index, member_id in enumerate(round_robin):
        if member_id not in known:
            errors.append(
                FieldError(
                    loc=["body", "routing", "round_robin", index], msg="Not a member of this workspace"
                )
            )
    if errors:
        raise ValidationFailed("The routing names something that is not valid here", errors=errors)
    return {
        "rules": [
            {"field": str(r["field"]), "op": r["op"], "value": r.get("value"), "owner_id": str(r["owner_id"])}
            for r in rules
        ],
        "round_robin": [str(m) for m in dict.fromkeys(round_robin)],
    }


def _value_of(field: str, lead: dict[str, Any], fields: dict[str, Any]) -> str | None:
    name = canonical_name(field)
    if name == "source":
        return lead.get("utm_source") or "form"
    if name in lead:
        return text_of(lead[name])
    for raw, value in fields.items():
        if canonical_name(raw) == name:
            return text_of(value)
    return None


def _number(text: str | None) -> float | None:
    match = _NUMBER.search(text or "")
    return float(match.group()) if match else None


def rule_matches(rule: dict[str, Any], lead: dict[str, Any], fields: dict[str, Any]) -> bool:
    actual = _value_of(rule["field"], lead, fields)
    op, expected = rule["op"], rule.get("value")
    if op in ("gt", "gte", "lt", "lte"):
        left, right = _number(actual), _number(text_of(expected))
        if left is None or right is None:
            return False
        return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]
    folded = (actual or "").casefold()
    choices = [str(v).casefold() for v in (expected if isinstance(expected, list) else [expected])]
    if op == "eq":
        return actual is not None and folded == choices[0]
    if op == "ne":
        return folded != choices[0]
    if op == "in":
        return actual is not None and folded in choices
    if op == "not_in":
        return folded not in choices
    return actual is not None and any(choice in folded for choice in choices)  # contains


async def route_owner(
    session: AsyncSession, form: Form, lead: dict[str, Any], fields: dict[str, Any]
) -> tuple[uuid.UUID | None, str]:
    """The owner of a new lead from `form`, and how it was chosen (for the submission's record)."""
    routing = form.routing or {}
    rules = routing.get("rules") or []
    round_robin = [uuid.UUID(m) for m in routing.get("round_robin") or []]
    candidates = [uuid.UUID(r["owner_id"]) for r in rules] + round_robin
    if form.owner_id:
        candidates.append(form.owner_id)
    members = await _members(session, form.workspace_id, candidates)
    for index, rule in enumerate(rules):
        owner = uuid.UUID(rule["owner_id"])
        if owner in members and rule_matches(rule, lead, fields):
            return owner, f"rule {index + 1} ({rule['field']} {rule['op']} {rule.get('value')!r})"
    present = [m for m in round_robin if m in members]
    if present:
        # The counter advances under the form row's lock: two leads never take the same turn.
        turn = await session.scalar(
            update(Form)
            .where(Form.workspace_id == form.workspace_id, Form.id == form.id)
            .values(round_robin_next=Form.round_robin_next + 1)
            .returning(Form.round_robin_next - 1)
            .execution_options(synchronize_session=False)
        )
        return present[int(turn or 0) % len(present)], "round robin"
    if form.owner_id in members:
        return form.owner_id, "form owner"
    return None, "no routing"


async def notify_lead_owner(
    session: AsyncSession,
    *,
    form: Form,
    owner_id: uuid.UUID,
    contact_id: uuid.UUID,
    contact_label: str,
    is_new: bool,
    submission_id: uuid.UUID,
    now: datetime,
) -> None:
    """The owner of a routed lead (or of the contact who wrote again) hears of it once."""
    if owner_id not in await _members(session, form.workspace_id, [owner_id]):
        return  # an owner who has left cannot be notified (nor be a notification's foreign key)
    title = (
        f"New lead from {form.name}: {contact_label}"
        if is_new
        else f"{contact_label} submitted {form.name} again"
    )
    await notify(
        session,
        workspace_id=form.workspace_id,
        user_id=owner_id,
        type="lead_routed",
        title=title,
        body=None,
        subject_type="contact",
        subject_id=contact_id,
        dedupe_key=f"form-submission:{submission_id}",
        now=now,
    )
