"""The rules a new workspace starts with: switched on, and editable like any other."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automations.schemas import Rule, rule_json
from domain.models import Automation, Pipeline, Stage

PROPOSAL_STAGE = "Proposal Sent"


def _seed_rules(proposal_stage_id: uuid.UUID | None) -> list[tuple[str, dict[str, Any]]]:
    rules: list[tuple[str, dict[str, Any]]] = [
        (
            "Follow up on deals that have not moved in 7 days",
            {
                "trigger": {"type": "deal_idle", "duration": "P7D"},
                "actions": [
                    {
                        "type": "create_task",
                        "subject": "Follow up on {deal.title}",
                        "due_in": "P1D",
                        "assignee": "owner",
                    }
                ],
            },
        ),
    ]
    if proposal_stage_id is not None:
        rules.append(
            (
                "Follow up after a proposal is sent",
                {
                    "trigger": {"type": "deal_stage_entered", "stage_id": str(proposal_stage_id)},
                    "actions": [
                        {
                            "type": "create_task",
                            "subject": "Follow up on the proposal for {deal.title}",
                            "due_in": "P3D",
                            "assignee": "owner",
                        }
                    ],
                },
            )
        )
    rules += [
        (
            "Tell the owner when a deal is rotting",
            {
                "trigger": {"type": "deal_rotting"},
                "actions": [
                    {
                        "type": "notify_owner",
                        "message": "{deal.title} has sat in {stage.name} longer than its "
                        "{stage.rotting_days}-day limit",
                    }
                ],
            },
        ),
        (
            "Close deals idle for 90 days as lost",
            {
                "trigger": {"type": "deal_idle", "duration": "P90D"},
                "actions": [{"type": "close_as_lost", "reason": "stale"}],
            },
        ),
    ]
    return rules


async def create_seed_automations(
    session: AsyncSession, *, workspace_id: uuid.UUID, owner_id: uuid.UUID | None, now: datetime
) -> list[Automation]:
    """Called by `create_workspace` after the default pipeline exists (its Proposal Sent stage)."""
    proposal = await session.scalar(
        select(Stage.id)
        .join(Pipeline, (Pipeline.workspace_id == Stage.workspace_id) & (Pipeline.id == Stage.pipeline_id))
        .where(
            Stage.workspace_id == workspace_id, Pipeline.is_default.is_(True), Stage.name == PROPOSAL_STAGE
        )
        .limit(1)
    )
    created = []
    for offset, (name, spec) in enumerate(_seed_rules(proposal)):
        stored = rule_json(Rule.model_validate(spec))
        automation = Automation(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            name=name,
            enabled=True,
            trigger=stored["trigger"],
            conditions=stored["conditions"],
            actions=stored["actions"],
            created_by=owner_id,
            # Distinct times keep the list in this order (it sorts by creation).
            created_at=now + timedelta(microseconds=offset),
            updated_at=now,
        )
        session.add(automation)
        created.append(automation)
    await session.flush()
    return created
