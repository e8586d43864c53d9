"""What an import job loads once about its workspace before reading rows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import lost_reasons
from domain.custom_fields.definitions import specs_for
from domain.hygiene.required_fields import rules_for
from domain.hygiene.similarity import fold
from domain.imports.deal_rows import MONTH_FIRST_REGIONS, PipelineInfo, StageInfo
from domain.imports.mapping import plan
from domain.imports.rows import RowContext
from domain.models import Import, Membership, Pipeline, Stage, User, Workspace
from domain.principal import ADMIN


async def _pipelines(
    session: AsyncSession, record: Import
) -> tuple[dict[str, PipelineInfo], PipelineInfo | None]:
    pipelines = (
        await session.scalars(
            select(Pipeline)
            .where(Pipeline.workspace_id == record.workspace_id)
            .order_by(Pipeline.is_default.desc(), Pipeline.position)
        )
    ).all()
    stages = (
        await session.scalars(
            select(Stage).where(Stage.workspace_id == record.workspace_id).order_by(Stage.position, Stage.id)
        )
    ).all()
    infos = [
        PipelineInfo(
            id=p.id,
            name=p.name,
            stages=tuple(
                StageInfo(id=s.id, name=s.name, kind=s.kind, required_fields=tuple(s.required_fields))
                for s in stages
                if s.pipeline_id == p.id
            ),
        )
        for p in pipelines
    ]
    return {fold(info.name): info for info in reversed(infos)}, (infos[0] if infos else None)


async def load_context(session: AsyncSession, record: Import) -> RowContext:
    workspace = await session.get(Workspace, record.workspace_id)
    assert workspace is not None
    members = (
        await session.execute(
            select(User.id, User.email, User.name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == record.workspace_id)
            .order_by(Membership.created_at)
        )
    ).all()
    owners = {" ".join(m.name.casefold().split()): m.id for m in reversed(members)}
    owners.update({m.email.casefold(): m.id for m in members})
    member_ids = frozenset(m.id for m in members)
    importer = next((m for m in members if m.id == record.created_by), None)
    # The person who imported owns what the file does not assign; if they left, the first admin.
    fallback = importer or next((m for m in members if m.role == ADMIN), members[0])
    kind = record.object
    extra: dict[str, object] = {
        "actor_name": fallback.name,
        "currency": workspace.currency,
        "zone": ZoneInfo(workspace.timezone or "UTC"),
        "month_first": workspace.default_region in MONTH_FIRST_REGIONS,
    }
    if kind == "deals":
        extra["pipelines"], extra["default_pipeline"] = await _pipelines(session, record)
        extra["lost_reasons"] = await lost_reasons.choices(session, record.workspace_id)
    extra["custom_specs"] = await specs_for(session, record.workspace_id, kind)
    return RowContext(
        kind=kind,
        columns=plan(kind, list(record.columns), dict(record.mapping), replay=True).columns,
        region=workspace.default_region or "US",
        rules=await rules_for(session, record.workspace_id, kind),  # type: ignore[arg-type]
        default_owner=fallback.id,
        owners=owners,
        member_ids=member_ids,
        extra=extra,
    )
