"""Pipeline, stage and board shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn
from api.schemas.deals import DealOut
from domain.board import Board
from domain.models import Stage
from domain.money import format_amount
from domain.pipelines import PipelineView, StageSpec

StageKind = Literal["open", "won", "lost"]
OnWon = Literal["project", "none"]
RequirableField = Literal["amount", "expected_close_date", "account_id", "contact_ids", "owner_id", "source"]


class StageIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    position: int | None = Field(None, ge=0, description="Where to insert it; default: last.")
    probability: int = Field(0, ge=0, le=100)
    kind: StageKind = "open"
    rotting_days: int | None = Field(None, ge=1, le=3650)
    required_fields: list[RequirableField] = Field(
        default_factory=list, description="Fields a deal must have to enter this stage."
    )

    def spec(self) -> StageSpec:
        return StageSpec(
            name=self.name,
            probability=self.probability,
            kind=self.kind,
            rotting_days=self.rotting_days,
            required_fields=tuple(self.required_fields),
            position=self.position,
        )


class StagePatch(StrictIn):
    """Merge-patch. A new `position` moves the stage there and renumbers the others (0..n-1).
    A stage that holds deals keeps its `kind`."""

    name: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(None, ge=0)
    probability: int | None = Field(None, ge=0, le=100)
    kind: StageKind | None = None
    rotting_days: int | None = Field(None, ge=1, le=3650)
    required_fields: list[RequirableField] | None = None


class StageOut(Out):
    id: uuid.UUID
    pipeline_id: uuid.UUID
    name: str
    position: int
    probability: int
    kind: StageKind
    rotting_days: int | None
    required_fields: list[RequirableField]
    version: int = Field(description="The ETag's value: send it back as If-Match.")
    created_at: datetime
    updated_at: datetime


class TemplateMilestone(StrictIn):
    title: str = Field(min_length=1, max_length=500)
    due_in_days: int | None = Field(None, ge=1, le=3650, description="Due this many days after the win.")


_TEMPLATE = "Milestones every project opened from this pipeline's won deals gets (after its commitments)."
_LEAD = "A won deal's renewal opens this many days before its contract ends; null: never automatically."
_RENEWAL_PIPELINE = "Where renewals open (its first open stage); null: this pipeline."


class PipelineIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    position: int | None = Field(None, ge=0, description="Where to insert it; default: last.")
    is_default: bool = Field(False, description="The first pipeline of a workspace is the default anyway.")
    on_won: OnWon = Field("project", description="What winning a deal starts: a project, or nothing.")
    stages: list[StageIn] = Field(
        default_factory=list, max_length=50, description="In board order (their `position` is not used here)."
    )
    project_template: list[TemplateMilestone] | None = Field(None, max_length=100, description=_TEMPLATE)
    renewal_lead_days: int | None = Field(None, ge=1, le=3650, description=f"{_LEAD} Left out: 60.")
    renewal_pipeline_id: uuid.UUID | None = Field(None, description=_RENEWAL_PIPELINE)


class PipelinePatch(StrictIn):
    """Merge-patch. `is_default: true` makes this the default (the former one stops being it)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(None, ge=0)
    is_default: bool | None = None
    on_won: OnWon | None = None
    project_template: list[TemplateMilestone] | None = Field(None, max_length=100, description=_TEMPLATE)
    renewal_lead_days: int | None = Field(None, ge=1, le=3650, description=_LEAD)
    renewal_pipeline_id: uuid.UUID | None = Field(None, description=_RENEWAL_PIPELINE)


class PipelineOut(Out):
    id: uuid.UUID
    name: str
    position: int
    is_default: bool
    on_won: OnWon
    project_template: list[dict[str, Any]] | None = Field(description=_TEMPLATE)
    renewal_lead_days: int | None = Field(description=_LEAD)
    renewal_pipeline_id: uuid.UUID | None = Field(description=_RENEWAL_PIPELINE)
    stages: list[StageOut]
    version: int = Field(description="The ETag's value: send it back as If-Match.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: PipelineView) -> PipelineOut:
        p = view.pipeline
        return cls(
            id=p.id,
            name=p.name,
            position=p.position,
            is_default=p.is_default,
            on_won=p.on_won,
            project_template=p.project_template,
            renewal_lead_days=p.renewal_lead_days,
            renewal_pipeline_id=p.renewal_pipeline_id,
            stages=[stage_out(s) for s in view.stages],
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


def stage_out(stage: Stage) -> StageOut:
    return StageOut.model_validate(stage)


class BoardColumnOut(Out):
    stage: StageOut
    count: int = Field(
        description="Open deals (won/lost columns: closed in the last 30 days), all currencies."
    )
    total_amount: str = Field(description="Sum of their amounts in the workspace currency.")
    weighted_amount: str = Field(description="total_amount × the stage's probability / 100.")
    other_currencies: dict[str, str] = Field(description="Totals of deals in other currencies, per currency.")
    deals: list[DealOut] = Field(description="The column's first cards, in rank order.")
    next_cursor: str | None = Field(
        description="More cards: GET /api/v1/deals?stage_id=<stage id>&sort=rank&cursor=<next_cursor> "
        "(repeat owner_id and q when filtering). A won/lost column's next pages also reach deals closed "
        "earlier."
    )


class BoardOut(Out):
    pipeline: PipelineOut
    currency: str = Field(description="The workspace currency the totals are in.")
    columns: list[BoardColumnOut]


def board_out(board: Board, next_cursors: list[str | None]) -> BoardOut:
    stages = {s.id: s for s in board.pipeline.stages}
    return BoardOut(
        pipeline=PipelineOut.of(board.pipeline),
        currency=board.currency,
        columns=[
            BoardColumnOut(
                stage=stage_out(stages[column.stage_id]),
                count=column.count,
                total_amount=format_amount(column.total_amount, board.currency) or "0",
                weighted_amount=format_amount(column.weighted_amount, board.currency) or "0",
                other_currencies={
                    c: format_amount(v, c) or "0" for c, v in sorted(column.other_currencies.items())
                },
                deals=[DealOut.of(card) for card in column.cards],
                next_cursor=cursor,
            )
            for column, cursor in zip(board.columns, next_cursors, strict=True)
        ],
    )
