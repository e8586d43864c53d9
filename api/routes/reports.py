"""Reports: summary, funnel, sources, forecast, activity, won over time; each as JSON or CSV.

Every member may read them. Filters `from`/`to` are days in the workspace's time zone (default:
the current month there); a `pipeline_id` or `owner_id` of another workspace matches nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.deps import Ctx, CtxDep
from api.errors import problem_responses
from api.schemas.reports import (
    ActivityOut,
    ForecastOut,
    FunnelOut,
    Interval,
    LostReasonsOut,
    PeriodOut,
    ReportFormat,
    SourcesOut,
    SummaryOut,
    WonOverTimeOut,
)
from domain import profile, reports
from domain.reports import ReportScope
from domain.reports.lost_reasons import lost_reasons_csv, lost_reasons_report

router = APIRouter(
    prefix="/api/v1/reports", tags=["reports"], responses=problem_responses(400, 401, 403, 422)
)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON, or as CSV with `format=csv` (a header row, one row per item)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}

FromDay = Annotated[
    date | None,
    Query(
        alias="from", description="First day (inclusive), in the workspace's time zone; default: this month"
    ),
]
ToDay = Annotated[date | None, Query(description="Last day (inclusive), in the workspace's time zone")]
PipelineFilter = Annotated[uuid.UUID | None, Query(description="Only deals of this pipeline")]
OwnerFilter = Annotated[uuid.UUID | None, Query(description="Only this member's records")]
ReportZone = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Read `from`/`to` and months in this IANA zone, or `user` for the caller's own "
        "(else the workspace's); default: the workspace's, so a team sees the same figures.",
    ),
]
Format = Annotated[ReportFormat, Query(alias="format", description="`csv` for a CSV download")]


async def _scope(
    ctx: Ctx,
    first_day: date | None = None,
    last_day: date | None = None,
    pipeline_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    zone_name: str | None = None,
) -> ReportScope:
    zone = None
    if zone_name == "user":
        zone = (await profile.effective_zone(ctx.session, ctx.principal)).key
    elif zone_name is not None:
        zone = profile.valid_zone(zone_name, field=["query", "timezone"])
    return await reports.report_scope(
        ctx.session,
        zone_name=zone,
        workspace_id=ctx.workspace_id,
        first_day=first_day,
        last_day=last_day,
        pipeline_id=pipeline_id,
        owner_id=owner_id,
        now=ctx.now,
    )


def _period(scope: ReportScope) -> PeriodOut:
    return PeriodOut.model_validate(
        {"from": scope.period.first_day, "to": scope.period.last_day, "timezone": scope.tz.key}
    )


async def _answer(
    ctx: Ctx, fmt: ReportFormat, body: BaseModel, csv: Callable[[], str], filename: str
) -> Response:
    if fmt == "json":
        return await ctx.respond(body)
    # Ctx.respond writes JSON; an orjson Fragment passes through it verbatim, so the CSV leaves by
    # the same path as every answer (the transaction ends first) under its own content type.
    return await ctx.respond(
        orjson.Fragment(csv().encode()),
        headers={
            "Content-Type": CSV_MEDIA_TYPE,
            "Content-Disposition": f'attachment; filename="{filename}.csv"',
        },
    )


def _filename(name: str, scope: ReportScope) -> str:
    return f"rapport-{name}-{scope.period.first_day}-{scope.period.last_day}"


@router.get("/summary", response_model=SummaryOut, operation_id="reports-summary", responses=CSV_RESPONSE)
async def summary(
    ctx: CtxDep,
    from_: FromDay = None,
    to: ToDay = None,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    scope = await _scope(ctx, from_, to, pipeline_id, owner_id, timezone)
    report = await reports.summary_report(ctx.session, scope)
    body = SummaryOut.model_validate({**vars(report), "period": _period(scope)})
    return await _answer(
        ctx, format_, body, lambda: reports.summary_csv(report, scope.period), _filename("summary", scope)
    )


@router.get("/funnel", response_model=FunnelOut, operation_id="reports-funnel", responses=CSV_RESPONSE)
async def funnel(
    ctx: CtxDep,
    pipeline_id: Annotated[uuid.UUID, Query(description="The pipeline whose stages to follow")],
    from_: FromDay = None,
    to: ToDay = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    scope = await _scope(ctx, from_, to, None, owner_id, timezone)
    report = await reports.funnel_report(ctx.session, scope, pipeline_id=pipeline_id)
    body = FunnelOut.model_validate(
        {"pipeline_id": report.pipeline_id, "stages": report.stages, "period": _period(scope)}
    )
    return await _answer(ctx, format_, body, lambda: reports.funnel_csv(report), _filename("funnel", scope))


@router.get("/sources", response_model=SourcesOut, operation_id="reports-sources", responses=CSV_RESPONSE)
async def sources(
    ctx: CtxDep,
    from_: FromDay = None,
    to: ToDay = None,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    scope = await _scope(ctx, from_, to, pipeline_id, owner_id, timezone)
    report = await reports.sources_report(ctx.session, scope)
    body = SourcesOut.model_validate({**vars(report), "period": _period(scope)})
    return await _answer(ctx, format_, body, lambda: reports.sources_csv(report), _filename("sources", scope))


@router.get("/forecast", response_model=ForecastOut, operation_id="reports-forecast", responses=CSV_RESPONSE)
async def forecast(
    ctx: CtxDep,
    months: Annotated[int, Query(ge=1, le=24, description="How many months")] = reports.DEFAULT_MONTHS,
    from_: Annotated[
        str | None,
        Query(
            alias="from", pattern=r"^\d{4}-\d{2}$", description="First month (YYYY-MM); default: this month"
        ),
    ] = None,
    commit_probability: Annotated[
        int, Query(ge=0, le=100, description="Stages at or above this probability count as commit")
    ] = reports.DEFAULT_COMMIT_PROBABILITY,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    first_month = reports.parse_month(from_, "from") if from_ else None
    scope = await _scope(ctx, None, None, pipeline_id, owner_id, timezone)
    report = await reports.forecast_report(
        ctx.session, scope, first_month=first_month, months=months, commit_probability=commit_probability
    )
    body = ForecastOut.model_validate(vars(report))
    filename = f"rapport-forecast-{report.months[0].month}-{report.months[-1].month}"
    return await _answer(ctx, format_, body, lambda: reports.forecast_csv(report), filename)


@router.get("/activity", response_model=ActivityOut, operation_id="reports-activity", responses=CSV_RESPONSE)
async def activity(
    ctx: CtxDep,
    group: Annotated[Interval, Query(description="Count per week (from Monday) or per month")] = "week",
    from_: FromDay = None,
    to: ToDay = None,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    scope = await _scope(ctx, from_, to, pipeline_id, owner_id, timezone)
    report = await reports.activity_report(ctx.session, scope, group=group)
    body = ActivityOut.model_validate({**vars(report), "period": _period(scope)})
    return await _answer(
        ctx, format_, body, lambda: reports.activity_csv(report), _filename("activity", scope)
    )


@router.get(
    "/won-over-time",
    response_model=WonOverTimeOut,
    operation_id="reports-won-over-time",
    responses=CSV_RESPONSE,
)
async def won_over_time(
    ctx: CtxDep,
    interval: Annotated[Interval, Query(description="One point per week (from Monday) or month")] = "week",
    from_: FromDay = None,
    to: ToDay = None,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    timezone: ReportZone = None,
    format_: Format = "json",
) -> Response:
    scope = await _scope(ctx, from_, to, pipeline_id, owner_id, timezone)
    report = await reports.won_over_time_report(ctx.session, scope, interval=interval)
    body = WonOverTimeOut.model_validate({**vars(report), "period": _period(scope)})
    return await _answer(
        ctx, format_, body, lambda: reports.won_over_time_csv(report), _filename("won-over-time", scope)
    )


@router.get(
    "/lost-reasons",
    response_model=LostReasonsOut,
    operation_id="reports-lost-reasons",
    responses=CSV_RESPONSE,
)
async def lost_reasons(
    ctx: CtxDep,
    from_: FromDay = None,
    to: ToDay = None,
    pipeline_id: PipelineFilter = None,
    owner_id: OwnerFilter = None,
    format_: Format = "json",
) -> Response:
    """Deals lost in the period by reason, and by the stage they were lost from (with its reasons)."""
    scope = await _scope(ctx, from_, to, pipeline_id, owner_id)
    report = await lost_reasons_report(ctx.session, scope)
    body = LostReasonsOut.model_validate({**vars(report), "period": _period(scope)})
    return await _answer(
        ctx, format_, body, lambda: lost_reasons_csv(report), _filename("lost-reasons", scope)
    )
