"""Automations as settings: create, change, delete, list, and the list of a rule's runs.

The rule's shape is checked by its typed model (domain.automations.schemas); what the shape
cannot know is checked here: every stage, pipeline and member it names must be this workspace's,
or the request is a 422 naming the field.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automations.engine import parse_rule
from domain.automations.schemas import (
    ID_FIELDS,
    AssignOwner,
    CreateRenewalDeal,
    CreateTask,
    DealStageEntered,
    Rule,
    rule_json,
)
from domain.errors import FieldError, NotFound, ValidationFailed, invalid
from domain.models import Automation, AutomationRun, Membership, Pipeline, Stage
from domain.pagination import Keyset, PageResult, page_of
from domain.principal import Principal
from domain.records import expect_version
from domain.search import keyset_page

DEFAULT_SORT = "created_at"
_NOUNS: dict[Any, str] = {Stage: "stage", Pipeline: "pipeline", Membership: "member"}
RUNS_SORT = "-fired_at"


async def _existing(
    session: AsyncSession, model: Any, workspace_id: uuid.UUID, ids: set[uuid.UUID]
) -> set[uuid.UUID]:
    if not ids:
        return set()
    column = model.user_id if model is Membership else model.id
    rows = await session.execute(
        select(column).where(model.workspace_id == workspace_id, column.in_(list(ids)))
    )
    return set(rows.scalars())


async def check_references(session: AsyncSession, workspace_id: uuid.UUID, rule: Rule) -> None:
    """Every id the rule names must be this workspace's: a 422 per stray id, naming where it is."""
    wanted: list[tuple[list[str | int], Any, uuid.UUID]] = []
    if isinstance(rule.trigger, DealStageEntered):
        wanted.append((["body", "trigger", "stage_id"], Stage, rule.trigger.stage_id))
    models = {"stage_id": Stage, "pipeline_id": Pipeline, "owner_id": Membership}
    for i, condition in enumerate(rule.conditions):
        if condition.field in ID_FIELDS:
            listed = isinstance(condition.value, list)
            values = condition.value if isinstance(condition.value, list) else [condition.value]
            for j, value in enumerate(values):
                loc: list[str | int] = ["body", "conditions", i, "value", *([j] if listed else [])]
                if value is not None:
                    wanted.append((loc, models[condition.field], uuid.UUID(str(value))))
    for i, action in enumerate(rule.actions):
        if isinstance(action, CreateTask) and action.assignee != "owner":
            wanted.append((["body", "actions", i, "assignee"], Membership, uuid.UUID(str(action.assignee))))
        if isinstance(action, AssignOwner):
            wanted += [
                (["body", "actions", i, "member_ids", j], Membership, m)
                for j, m in enumerate(action.member_ids)
            ]
        if isinstance(action, CreateRenewalDeal):
            wanted.append((["body", "actions", i, "pipeline_id"], Pipeline, action.pipeline_id))
    found: dict[Any, set[uuid.UUID]] = {}
    for model in {m for _, m, _ in wanted}:
        found[model] = await _existing(session, model, workspace_id, {i for _, m, i in wanted if m is model})
    errors = [
        FieldError(loc=loc, msg=f"{value} is not a {_NOUNS[model]} of this workspace")
        for loc, model, value in wanted
        if value not in found[model]
    ]
    errors += await _renewal_stages(session, workspace_id, rule)
    if errors:
        raise ValidationFailed("; ".join(e.msg for e in errors), errors=errors)


async def _renewal_stages(session: AsyncSession, workspace_id: uuid.UUID, rule: Rule) -> list[FieldError]:
    errors = []
    for i, action in enumerate(rule.actions):
        if isinstance(action, CreateRenewalDeal) and action.stage_id is not None:
            stage = await session.scalar(
                select(Stage).where(Stage.workspace_id == workspace_id, Stage.id == action.stage_id)
            )
            if stage is None or stage.pipeline_id != action.pipeline_id:
                errors.append(
                    FieldError(
                        loc=["body", "actions", i, "stage_id"],
                        msg="stage_id names no stage of pipeline_id in this workspace",
                    )
                )
    return errors


async def get_automation(
    session: AsyncSession, principal: Principal, automation_id: uuid.UUID, *, for_update: bool = False
) -> Automation:
    query = select(Automation).where(
        Automation.workspace_id == principal.workspace_id, Automation.id == automation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    automation = await session.scalar(query)
    if automation is None:
        raise NotFound("Automation not found")
    return automation


def _store(automation: Automation, rule: Rule) -> None:
    stored = rule_json(rule)
    automation.trigger, automation.conditions, automation.actions = (
        stored["trigger"],
        stored["conditions"],
        stored["actions"],
    )


async def create_automation(
    session: AsyncSession, *, principal: Principal, name: str, enabled: bool, rule: Rule, now: datetime
) -> Automation:
    name = name.strip()
    if not name:
        raise invalid("name", "An automation needs a name")
    await check_references(session, principal.workspace_id, rule)
    automation = Automation(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        name=name,
        enabled=enabled,
        created_by=principal.user_id if principal.kind == "user" else None,
        created_at=now,
        updated_at=now,
    )
    _store(automation, rule)
    session.add(automation)
    await session.flush()
    await session.refresh(automation, ["trigger_type"])
    return automation


async def update_automation(
    session: AsyncSession,
    *,
    principal: Principal,
    automation_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Automation:
    """Merge-patch: a field left out is unchanged; `conditions: null` clears them."""
    automation = await get_automation(session, principal, automation_id, for_update=True)
    expect_version(automation, expected_version, "automation")
    for key in ("name", "enabled", "trigger", "actions"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be null")
    if "name" in changes:
        if not str(changes["name"]).strip():
            raise invalid("name", "An automation needs a name")
        automation.name = str(changes["name"]).strip()
    if "enabled" in changes:
        automation.enabled = bool(changes["enabled"])
    if {"trigger", "conditions", "actions"} & changes.keys():
        current = parse_rule(automation)
        rule = Rule(
            trigger=changes.get("trigger", current.trigger),
            conditions=(changes["conditions"] or []) if "conditions" in changes else current.conditions,
            actions=changes.get("actions", current.actions),
        )
        await check_references(session, principal.workspace_id, rule)
        _store(automation, rule)
    automation.updated_at = now
    await session.flush()
    await session.refresh(automation, ["trigger_type"])
    return automation


async def delete_automation(
    session: AsyncSession, *, principal: Principal, automation_id: uuid.UUID, expected_version: int | None
) -> None:
    """Its runs go with it (the foreign key cascades); what it did stays on the records' timelines."""
    automation = await get_automation(session, principal, automation_id, for_update=True)
    expect_version(automation, expected_version, "automation")
    await session.delete(automation)
    await session.flush()


async def list_automations(
    session: AsyncSession, *, principal: Principal, after: Keyset | None, limit: int
) -> PageResult[Automation]:
    query = select(Automation).where(Automation.workspace_id == principal.workspace_id)
    return await keyset_page(
        session,
        query,
        sort=DEFAULT_SORT,
        allowed={"created_at": Automation.created_at},
        default=DEFAULT_SORT,
        id_column=Automation.id,
        after=after,
        limit=limit,
    )


async def list_runs(
    session: AsyncSession, *, principal: Principal, automation_id: uuid.UUID, after: Keyset | None, limit: int
) -> PageResult[AutomationRun]:
    """The rule's firings, newest first."""
    await get_automation(session, principal, automation_id)
    query = select(AutomationRun).where(
        AutomationRun.workspace_id == principal.workspace_id, AutomationRun.automation_id == automation_id
    )
    if after is not None:
        query = query.where(tuple_(AutomationRun.fired_at, AutomationRun.id) < tuple_(after.value, after.id))
    query = query.order_by(AutomationRun.fired_at.desc(), AutomationRun.id.desc()).limit(limit + 1)
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=RUNS_SORT, key=lambda r: (r.fired_at, r.id))
