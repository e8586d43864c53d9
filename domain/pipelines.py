"""Pipelines and their stages: the workspace's sales process, as settings an admin edits.

Positions of a workspace's pipelines, and of a pipeline's stages, stay contiguous (0..n-1):
every structural change first locks the row that owns the sequence (the workspace's pipelines, or
the pipeline), so two admins reordering at once cannot interleave.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, FieldError, NotFound, ValidationFailed, invalid
from domain.models import Deal, Pipeline, Stage
from domain.principal import Principal
from domain.records import expect_version

STAGE_KINDS = ("open", "won", "lost")
ON_WON_CHOICES = ("project", "none")
# Fields a deal can lack, so a stage may demand them before a deal enters it.
REQUIRABLE_FIELDS = ("amount", "expected_close_date", "account_id", "contact_ids", "owner_id", "source")
DEFAULT_PIPELINE_NAME = "Sales pipeline"
# A won deal's renewal opens this many days before its contract ends (domain.renewals).
DEFAULT_RENEWAL_LEAD_DAYS = 60


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: int = 0
    kind: str = "open"
    rotting_days: int | None = None
    required_fields: Sequence[str] = ()
    position: int | None = None


DEFAULT_STAGES = (
    StageSpec("Prospect", 10, "open", 14),
    StageSpec("Qualified", 25, "open", 14),
    StageSpec("Proposal Sent", 50, "open", 10, ("amount", "expected_close_date")),
    StageSpec("Negotiation", 75, "open", 10),
    StageSpec("Closed Won", 100, "won"),
    StageSpec("Closed Lost", 0, "lost"),
)


@dataclass
class PipelineView:
    pipeline: Pipeline
    stages: list[Stage] = field(default_factory=list)


class _Positioned(Protocol):
    id: uuid.UUID
    position: int


def _renumber(rows: Sequence[_Positioned], moved: _Positioned | None = None, to: int | None = None) -> None:
    """Positions 0..n-1 in the current order, with `moved` (if any) placed at index `to`."""
    ordered = sorted((r for r in rows if moved is None or r.id != moved.id), key=lambda r: r.position)
    if moved is not None:
        index = len(ordered) if to is None else max(0, min(to, len(ordered)))
        ordered.insert(index, moved)
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position


def _clean_name(value: Any, what: str) -> str:
    name = str(value or "").strip()
    if not name:
        raise invalid("name", f"A {what} needs a name")
    return name


def _check_stage_values(spec: dict[str, Any], loc: Sequence[str | int] = ("body",)) -> None:
    """Domain-side checks of a stage's settings (the API schema checks them too)."""
    if "kind" in spec and spec["kind"] not in STAGE_KINDS:
        raise invalid([*loc, "kind"], f"kind must be one of {', '.join(STAGE_KINDS)}")
    probability = spec.get("probability", 0)
    if probability is None or not 0 <= int(probability) <= 100:
        raise invalid([*loc, "probability"], "probability must be between 0 and 100")
    rotting = spec.get("rotting_days")
    if rotting is not None and int(rotting) < 1:
        raise invalid([*loc, "rotting_days"], "rotting_days must be at least 1 (or null)")
    unknown = [f for f in spec.get("required_fields") or () if f not in REQUIRABLE_FIELDS]
    if unknown:
        raise invalid(
            [*loc, "required_fields"],
            f"Unknown required field(s) {', '.join(unknown)}; choose from {', '.join(REQUIRABLE_FIELDS)}",
        )


def _new_stage(workspace_id: uuid.UUID, pipeline_id: uuid.UUID, spec: StageSpec, now: datetime) -> Stage:
    return Stage(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        pipeline_id=pipeline_id,
        name=_clean_name(spec.name, "stage"),
        position=spec.position or 0,
        probability=spec.probability,
        kind=spec.kind,
        rotting_days=spec.rotting_days,
        required_fields=list(dict.fromkeys(spec.required_fields)),
        created_at=now,
        updated_at=now,
    )


def _check_unique_stage_names(stages: Sequence[Stage]) -> None:
    seen: set[str] = set()
    for stage in stages:
        key = stage.name.casefold()
        if key in seen:
            raise Conflict(f"This pipeline already has a stage named {stage.name!r}")
        seen.add(key)


async def create_default_pipeline(
    session: AsyncSession, *, workspace_id: uuid.UUID, now: datetime
) -> Pipeline:
    """The "Sales pipeline" every new workspace starts with."""
    pipeline = Pipeline(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        name=DEFAULT_PIPELINE_NAME,
        position=0,
        is_default=True,
        on_won="project",
        renewal_lead_days=DEFAULT_RENEWAL_LEAD_DAYS,
        created_at=now,
        updated_at=now,
    )
    session.add(pipeline)
    await session.flush()
    for position, spec in enumerate(DEFAULT_STAGES):
        stage = _new_stage(workspace_id, pipeline.id, spec, now)
        stage.position = position
        session.add(stage)
    await session.flush()
    return pipeline


async def _stages_of(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_ids: Sequence[uuid.UUID]
) -> list[Stage]:
    if not pipeline_ids:
        return []
    rows = await session.execute(
        select(Stage)
        .where(Stage.workspace_id == workspace_id, Stage.pipeline_id.in_(list(pipeline_ids)))
        .order_by(Stage.pipeline_id, Stage.position, Stage.id)
    )
    return list(rows.scalars())


async def list_pipelines(session: AsyncSession, principal: Principal) -> list[PipelineView]:
    pipelines = (
        await session.execute(
            select(Pipeline)
            .where(Pipeline.workspace_id == principal.workspace_id)
            .order_by(Pipeline.position, Pipeline.created_at, Pipeline.id)
        )
    ).scalars()
    views = {p.id: PipelineView(p) for p in pipelines}
    for stage in await _stages_of(session, principal.workspace_id, list(views)):
        views[stage.pipeline_id].stages.append(stage)
    return list(views.values())


async def _pipeline(
    session: AsyncSession, principal: Principal, pipeline_id: uuid.UUID, *, lock: bool = False
) -> Pipeline:
    ws = principal.workspace_id
    query = select(Pipeline).where(Pipeline.workspace_id == ws, Pipeline.id == pipeline_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    pipeline = (await session.execute(query)).scalar_one_or_none()
    if pipeline is None:
        raise NotFound("Pipeline not found")
    return pipeline


async def get_pipeline(session: AsyncSession, principal: Principal, pipeline_id: uuid.UUID) -> PipelineView:
    pipeline = await _pipeline(session, principal, pipeline_id)
    return PipelineView(pipeline, await _stages_of(session, principal.workspace_id, [pipeline.id]))


async def _lock_workspace_pipelines(session: AsyncSession, workspace_id: uuid.UUID) -> list[Pipeline]:
    rows = await session.execute(
        select(Pipeline)
        .where(Pipeline.workspace_id == workspace_id)
        .order_by(Pipeline.position)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(rows.scalars())


def _check_unique_pipeline_name(pipelines: Sequence[Pipeline], name: str, own_id: uuid.UUID | None) -> None:
    if any(p.name.casefold() == name.casefold() and p.id != own_id for p in pipelines):
        raise Conflict(f"A pipeline named {name!r} already exists")


async def create_pipeline(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    position: int | None,
    is_default: bool,
    on_won: str,
    stages: Sequence[StageSpec],
    after_sale: dict[str, Any] | None = None,
    now: datetime,
) -> PipelineView:
    name = _clean_name(name, "pipeline")
    if on_won not in ON_WON_CHOICES:
        raise invalid("on_won", f"on_won must be one of {', '.join(ON_WON_CHOICES)}")
    for index, spec in enumerate(stages):
        _check_stage_values(vars(spec), ("body", "stages", index))
    existing = await _lock_workspace_pipelines(session, principal.workspace_id)
    _check_unique_pipeline_name(existing, name, None)
    pipeline = Pipeline(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        name=name,
        position=len(existing),
        is_default=is_default or not existing,
        on_won=on_won,
        renewal_lead_days=DEFAULT_RENEWAL_LEAD_DAYS,
        created_at=now,
        updated_at=now,
    )
    await _apply_after_sale(session, principal, pipeline, after_sale or {})
    if pipeline.is_default:
        for other in existing:
            other.is_default = False
    _renumber(existing, pipeline, position)
    session.add(pipeline)
    await session.flush()
    # Inline stages keep the order they were sent in; a `position` among them is ignored.
    new_stages = [_new_stage(principal.workspace_id, pipeline.id, spec, now) for spec in stages]
    for index, stage in enumerate(new_stages):
        stage.position = index
    _check_unique_stage_names(new_stages)
    session.add_all(new_stages)
    await session.flush()
    return PipelineView(pipeline, new_stages)


async def update_pipeline(
    session: AsyncSession,
    principal: Principal,
    pipeline_id: uuid.UUID,
    *,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> PipelineView:
    await _pipeline(session, principal, pipeline_id)
    pipelines = await _lock_workspace_pipelines(session, principal.workspace_id)
    pipeline = next(p for p in pipelines if p.id == pipeline_id)
    expect_version(pipeline, expected_version, "pipeline")
    if "name" in changes:
        name = _clean_name(changes["name"], "pipeline")
        _check_unique_pipeline_name(pipelines, name, pipeline.id)
        pipeline.name = name
    if "on_won" in changes:
        if changes["on_won"] not in ON_WON_CHOICES:
            raise invalid("on_won", f"on_won must be one of {', '.join(ON_WON_CHOICES)}")
        pipeline.on_won = changes["on_won"]
    await _apply_after_sale(session, principal, pipeline, changes)
    if "is_default" in changes:
        if changes["is_default"]:
            for other in pipelines:
                other.is_default = other.id == pipeline.id
        elif pipeline.is_default:
            raise invalid("is_default", "Make another pipeline the default instead of unsetting this one")
    if changes.get("position") is not None:
        _renumber(pipelines, pipeline, int(changes["position"]))
    pipeline.updated_at = now
    await session.flush()
    return PipelineView(pipeline, await _stages_of(session, principal.workspace_id, [pipeline.id]))


async def _apply_after_sale(
    session: AsyncSession, principal: Principal, pipeline: Pipeline, settings: dict[str, Any]
) -> None:
    """The after-sale settings (domain.projects, domain.renewals) given; the others stay."""
    if "project_template" in settings:
        pipeline.project_template = settings["project_template"] or None
    if "renewal_lead_days" in settings:
        pipeline.renewal_lead_days = settings["renewal_lead_days"]
    if settings.get("renewal_pipeline_id") is not None:
        target = settings["renewal_pipeline_id"]
        found = await session.scalar(
            select(func.count())
            .select_from(Pipeline)
            .where(Pipeline.workspace_id == principal.workspace_id, Pipeline.id == target)
        )
        if not found and target != pipeline.id:
            raise invalid("renewal_pipeline_id", "renewal_pipeline_id is not a pipeline of this workspace")
    if "renewal_pipeline_id" in settings:
        pipeline.renewal_pipeline_id = settings["renewal_pipeline_id"]


async def _deal_count(session: AsyncSession, workspace_id: uuid.UUID, *where: Any) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Deal).where(Deal.workspace_id == workspace_id, *where)
        )
        or 0
    )


async def delete_pipeline(
    session: AsyncSession, principal: Principal, pipeline_id: uuid.UUID, *, expected_version: int | None
) -> None:
    await _pipeline(session, principal, pipeline_id)
    pipelines = await _lock_workspace_pipelines(session, principal.workspace_id)
    pipeline = next(p for p in pipelines if p.id == pipeline_id)
    expect_version(pipeline, expected_version, "pipeline")
    held = await _deal_count(session, principal.workspace_id, Deal.pipeline_id == pipeline_id)
    if held:
        raise Conflict(f"This pipeline holds {held} deal(s); move or delete them before deleting it")
    if len(pipelines) == 1:
        raise Conflict("A workspace needs at least one pipeline")
    remaining = [p for p in pipelines if p.id != pipeline_id]
    if pipeline.is_default:
        remaining[0].is_default = True
    _renumber(remaining)
    # Its stages go with it (ON DELETE CASCADE).
    await session.delete(pipeline)
    await session.flush()


async def list_stages(session: AsyncSession, principal: Principal, pipeline_id: uuid.UUID) -> list[Stage]:
    await _pipeline(session, principal, pipeline_id)
    return await _stages_of(session, principal.workspace_id, [pipeline_id])


async def get_stage(session: AsyncSession, principal: Principal, stage_id: uuid.UUID) -> Stage:
    stage = (
        await session.execute(
            select(Stage).where(Stage.workspace_id == principal.workspace_id, Stage.id == stage_id)
        )
    ).scalar_one_or_none()
    if stage is None:
        raise NotFound("Stage not found")
    return stage


async def create_stage(
    session: AsyncSession, principal: Principal, pipeline_id: uuid.UUID, *, spec: StageSpec, now: datetime
) -> Stage:
    _check_stage_values(vars(spec))
    pipeline = await _pipeline(session, principal, pipeline_id, lock=True)
    stages = await _stages_of(session, principal.workspace_id, [pipeline.id])
    stage = _new_stage(principal.workspace_id, pipeline.id, spec, now)
    stage.position = len(stages)
    _check_unique_stage_names([*stages, stage])
    _renumber(stages, stage, spec.position)
    session.add(stage)
    await session.flush()
    return stage


async def _stage_in_locked_pipeline(
    session: AsyncSession, principal: Principal, stage_id: uuid.UUID, expected_version: int | None
) -> tuple[Stage, list[Stage]]:
    stage = await get_stage(session, principal, stage_id)
    await _pipeline(session, principal, stage.pipeline_id, lock=True)
    siblings = await _stages_of(session, principal.workspace_id, [stage.pipeline_id])
    stage = next(s for s in siblings if s.id == stage_id)
    expect_version(stage, expected_version, "stage")
    return stage, siblings


async def update_stage(
    session: AsyncSession,
    principal: Principal,
    stage_id: uuid.UUID,
    *,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Stage:
    stage, siblings = await _stage_in_locked_pipeline(session, principal, stage_id, expected_version)
    for key in ("name", "probability", "kind"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be null")
    _check_stage_values({k: v for k, v in changes.items() if k != "name"})
    if "kind" in changes and changes["kind"] != stage.kind:
        held = await _deal_count(session, principal.workspace_id, Deal.stage_id == stage.id)
        if held:
            # Its deals' status follows the kind; changing it under them would rewrite history.
            raise Conflict(f"This stage holds {held} deal(s); move them out before changing its kind")
        stage.kind = changes["kind"]
    if "name" in changes:
        stage.name = _clean_name(changes["name"], "stage")
        _check_unique_stage_names(siblings)
    if "probability" in changes:
        stage.probability = int(changes["probability"])
    if "rotting_days" in changes:
        stage.rotting_days = changes["rotting_days"]
    if "required_fields" in changes:
        stage.required_fields = list(dict.fromkeys(changes["required_fields"] or ()))
    if changes.get("position") is not None:
        _renumber(siblings, stage, int(changes["position"]))
    stage.updated_at = now
    await session.flush()
    return stage


async def delete_stage(
    session: AsyncSession,
    principal: Principal,
    stage_id: uuid.UUID,
    *,
    move_deals_to: uuid.UUID | None,
    expected_version: int | None,
    now: datetime,
) -> None:
    from domain.board import relocate_stage_deals

    stage, siblings = await _stage_in_locked_pipeline(session, principal, stage_id, expected_version)
    held = await _deal_count(session, principal.workspace_id, Deal.stage_id == stage.id)
    if held and move_deals_to is None:
        raise Conflict(
            f"This stage holds {held} deal(s): pass ?move_deals_to=<stage id> (a stage of the same "
            "pipeline) to move them there first"
        )
    if move_deals_to is not None:
        target = next((s for s in siblings if s.id == move_deals_to), None)
        if target is None or target.id == stage.id:
            raise ValidationFailed(
                "move_deals_to must be another stage of the same pipeline",
                errors=[FieldError(loc=["query", "move_deals_to"], msg="Not another stage of this pipeline")],
            )
        if held:
            await relocate_stage_deals(
                session=session, principal=principal, from_stage=stage, to_stage=target, now=now
            )
    _renumber([s for s in siblings if s.id != stage.id])
    await session.delete(stage)
    await session.flush()


async def first_open_stage(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID
) -> Stage | None:
    return (
        await session.execute(
            select(Stage)
            .where(Stage.workspace_id == workspace_id, Stage.pipeline_id == pipeline_id, Stage.kind == "open")
            .order_by(Stage.position, Stage.id)
            .limit(1)
        )
    ).scalar_one_or_none()


async def default_pipeline(session: AsyncSession, workspace_id: uuid.UUID) -> Pipeline | None:
    return (
        await session.execute(
            select(Pipeline)
            .where(Pipeline.workspace_id == workspace_id)
            .order_by(Pipeline.is_default.desc(), Pipeline.position)
            .limit(1)
        )
    ).scalar_one_or_none()
