"""Delivery projects: what a won deal becomes, with the promises of the sale as its milestones.

A project is opened once per deal (UNIQUE (workspace_id, deal_id)) when the deal is won and its
pipeline's `on_won` is `project`; it inherits the deal's account, owner, contacts, notes (as a
summary; its timeline also continues the deal's, notes included), contract dates and every open
commitment, each a milestone with the commitment's due date. The pipeline's `project_template`
adds its milestones after them.

Milestones are part of the project: changing one bumps the project's version, so the project's
ETag guards them too. Completing a milestone keeps the commitment it came from; keeping (or
reopening) the commitment completes (or reopens) its milestone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from domain.accounts import require_account
from domain.activities import require_deal
from domain.contacts import require_contact
from domain.deals import contact_ids_by_deal
from domain.errors import Conflict, NotFound, invalid
from domain.members import require_member
from domain.models import (
    Activity,
    Commitment,
    Deal,
    Membership,
    Pipeline,
    Project,
    ProjectMilestone,
    Workspace,
)
from domain.money import check_currency, parse_amount
from domain.pagination import Keyset, PageResult
from domain.principal import ADMIN, Principal
from domain.records import announce_changes, announce_created, clean_text, delete_and_announce, expect_version
from domain.search import keyset_page
from domain.snapshots import snapshot
from domain.timeline import record

SUBJECT = "project"
STATUSES = ("planned", "active", "on_hold", "done")
MILESTONE_STATUSES = ("open", "done")
DEFAULT_SORT = "-created_at"
SORTS: dict[str, InstrumentedAttribute[Any]] = {
    "created_at": Project.created_at,
    "updated_at": Project.updated_at,
    "name": Project.name,
}
SUMMARY_LIMIT = 20_000


@dataclass
class MilestoneView:
    milestone: ProjectMilestone
    # The promise behind it: delivery sees what sales promised, and where, without the deal.
    evidence_activity_id: uuid.UUID | None = None
    commitment_status: str | None = None


@dataclass
class ProjectView:
    project: Project
    milestones: list[MilestoneView] = field(default_factory=list)


# -- reading -------------------------------------------------------------------------------


async def load_project(
    session: AsyncSession, workspace_id: uuid.UUID, project_id: uuid.UUID, *, lock: bool = False
) -> Project:
    query = select(Project).where(Project.workspace_id == workspace_id, Project.id == project_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    project = (await session.execute(query)).scalar_one_or_none()
    if project is None:
        raise NotFound("Project not found")
    return project


async def project_views(
    session: AsyncSession, workspace_id: uuid.UUID, projects: list[Project]
) -> list[ProjectView]:
    views = {p.id: ProjectView(p) for p in projects}
    if not views:
        return []
    rows = await session.execute(
        select(ProjectMilestone, Commitment.evidence_activity_id, Commitment.status)
        .outerjoin(
            Commitment,
            (Commitment.workspace_id == ProjectMilestone.workspace_id)
            & (Commitment.id == ProjectMilestone.commitment_id),
        )
        .where(ProjectMilestone.workspace_id == workspace_id, ProjectMilestone.project_id.in_(list(views)))
        .order_by(ProjectMilestone.project_id, ProjectMilestone.position, ProjectMilestone.id)
    )
    for milestone, evidence, status in rows.all():
        views[milestone.project_id].milestones.append(MilestoneView(milestone, evidence, status))
    return list(views.values())


async def get_project(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> ProjectView:
    project = await load_project(session, principal.workspace_id, project_id)
    return (await project_views(session, principal.workspace_id, [project]))[0]


async def project_ids_by_deal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    if not deal_ids:
        return {}
    rows = await session.execute(
        select(Project.deal_id, Project.id).where(
            Project.workspace_id == workspace_id, Project.deal_id.in_(deal_ids)
        )
    )
    return {deal_id: project_id for deal_id, project_id in rows.all() if deal_id is not None}


async def list_projects(
    session: AsyncSession,
    *,
    principal: Principal,
    deal_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: str | None = None,
    sort: str | None = None,
    after: Keyset | None = None,
    limit: int,
) -> PageResult[ProjectView]:
    query = select(Project).where(Project.workspace_id == principal.workspace_id)
    for column, value in (
        (Project.deal_id, deal_id),
        (Project.account_id, account_id),
        (Project.owner_id, owner_id),
        (Project.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    page = await keyset_page(
        session,
        query,
        sort=sort,
        allowed=SORTS,
        default=DEFAULT_SORT,
        id_column=Project.id,
        after=after,
        limit=limit,
    )
    return PageResult(items=await project_views(session, principal.workspace_id, page.items), next=page.next)


# -- writing -------------------------------------------------------------------------------


async def _check_contacts(
    session: AsyncSession, principal: Principal, contact_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(contact_ids))
    for index, contact_id in enumerate(wanted):
        await require_contact(session, principal.workspace_id, contact_id, field=f"contact_ids.{index}")
    return wanted


async def _clean(session: AsyncSession, principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ws = principal.workspace_id
    if "name" in fields:
        out["name"] = clean_text(fields["name"])
        if out["name"] is None:
            raise invalid("name", "A project needs a name")
    if "status" in fields:
        if fields["status"] not in STATUSES:
            raise invalid("status", f"status must be one of {', '.join(STATUSES)}")
        out["status"] = fields["status"]
    if "summary" in fields:
        out["summary"] = clean_text(fields["summary"])
    if fields.get("account_id") is not None:
        await require_account(session, ws, fields["account_id"], field="account_id")
    if fields.get("owner_id") is not None:
        await require_member(session, ws, fields["owner_id"], field="owner_id")
    for key in ("account_id", "owner_id", "contract_start_date", "contract_end_date"):
        if key in fields:
            out[key] = fields[key]
    if "contact_ids" in fields:
        out["contact_ids"] = await _check_contacts(session, principal, list(fields["contact_ids"] or ()))
    return out


def _check_contract(project: Project | Deal) -> None:
    start, end = project.contract_start_date, project.contract_end_date
    if start is not None and end is not None and end < start:
        raise invalid("contract_end_date", "contract_end_date cannot be before contract_start_date")


async def _workspace_currency(session: AsyncSession, workspace_id: uuid.UUID) -> str:
    return (await session.scalar(select(Workspace.currency).where(Workspace.id == workspace_id))) or "USD"


async def create_project(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], now: datetime
) -> ProjectView:
    """A project made by hand; with a `deal_id`, that deal must not have one yet (409)."""
    ws = principal.workspace_id
    values = await _clean(session, principal, {"name": None, **fields})
    deal_id = fields.get("deal_id")
    if deal_id is not None:
        await require_deal(session, ws, deal_id, field="deal_id")
        # The deal's row lock orders this with a winning deal's handler opening the same project.
        await session.execute(
            select(Deal.id).where(Deal.workspace_id == ws, Deal.id == deal_id).with_for_update()
        )
        existing = await session.scalar(
            select(Project.id).where(Project.workspace_id == ws, Project.deal_id == deal_id)
        )
        if existing is not None:
            raise Conflict("This deal already has a project", project_id=str(existing))
    currency = check_currency(fields.get("currency") or await _workspace_currency(session, ws))
    renewal = fields.get("renewal_amount")
    project = Project(
        id=uuid.uuid4(),
        workspace_id=ws,
        deal_id=deal_id,
        status=values.pop("status", None) or "planned",
        owner_id=values.pop("owner_id", None) or principal.user_id,
        currency=currency,
        renewal_amount=parse_amount(renewal, currency, "renewal_amount") if renewal is not None else None,
        created_at=now,
        updated_at=now,
        **values,
    )
    _check_contract(project)
    session.add(project)
    await announce_created(session, principal, project, subject_type=SUBJECT, now=now)
    milestones = [
        {"title": m["title"], "due_date": m.get("due_date")} for m in fields.get("milestones") or ()
    ]
    await _insert_milestones(session, project, milestones, now=now)
    return await get_project(session, principal, project.id)


async def update_project(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> ProjectView:
    project = await load_project(session, principal.workspace_id, project_id, lock=True)
    expect_version(project, expected_version, SUBJECT)
    for key in ("name", "status", "contact_ids"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be null")
    values = await _clean(session, principal, changes)
    if "currency" in changes:
        if changes["currency"] is None:
            raise invalid("currency", "currency cannot be null")
        values["currency"] = check_currency(changes["currency"])
    currency = values.get("currency", project.currency)
    renewal = changes["renewal_amount"] if "renewal_amount" in changes else project.renewal_amount
    values["renewal_amount"] = (
        parse_amount(renewal, currency, "renewal_amount") if renewal is not None else None
    )
    before = snapshot(project)
    for key, value in values.items():
        if getattr(project, key) != value:
            setattr(project, key, value)
    _check_contract(project)
    await announce_changes(session, principal, project, before=before, subject_type=SUBJECT, now=now)
    return await get_project(session, principal, project.id)


async def delete_project(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    project = await load_project(session, principal.workspace_id, project_id, lock=True)
    expect_version(project, expected_version, SUBJECT)
    await delete_and_announce(session, principal, project, subject_type=SUBJECT, now=now)


# -- milestones ----------------------------------------------------------------------------


async def _insert_milestones(
    session: AsyncSession, project: Project, milestones: list[dict[str, Any]], *, now: datetime
) -> int:
    """Append milestones; one with a `commitment_id` the project already has is skipped."""
    if not milestones:
        return 0
    last = await session.scalar(
        select(func.max(ProjectMilestone.position)).where(
            ProjectMilestone.workspace_id == project.workspace_id, ProjectMilestone.project_id == project.id
        )
    )
    start = -1 if last is None else int(last)
    rows = [
        {
            "id": uuid.uuid4(),
            "workspace_id": project.workspace_id,
            "project_id": project.id,
            "title": str(m["title"])[:500],
            "due_date": m.get("due_date"),
            "status": "open",
            "position": start + 1 + index,
            "commitment_id": m.get("commitment_id"),
            "created_at": now,
            "updated_at": now,
        }
        for index, m in enumerate(milestones)
    ]
    inserted = await session.execute(
        insert(ProjectMilestone)
        .values(rows)
        .on_conflict_do_nothing(
            index_elements=["workspace_id", "project_id", "commitment_id"],
            index_where=ProjectMilestone.commitment_id.is_not(None),
        )
        .returning(ProjectMilestone.id)
    )
    return len(inserted.all())


async def _touch(session: AsyncSession, project: Project, now: datetime) -> None:
    """A milestone changed: the project's version moves so its ETag covers its milestones."""
    project.updated_at = now
    await session.flush()


async def _milestone(session: AsyncSession, project: Project, milestone_id: uuid.UUID) -> ProjectMilestone:
    found = await session.scalar(
        select(ProjectMilestone)
        .where(
            ProjectMilestone.workspace_id == project.workspace_id,
            ProjectMilestone.project_id == project.id,
            ProjectMilestone.id == milestone_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("Milestone not found")
    return found


async def _milestone_event(
    session: AsyncSession,
    principal: Principal,
    project: Project,
    milestone: ProjectMilestone,
    type: str,
    now: datetime,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    data: dict[str, Any] = {"milestone": snapshot(milestone)}
    if changes:
        data["changes"] = changes
    await record(
        session,
        principal=principal,
        subject_type=SUBJECT,
        subject_id=project.id,
        type=type,
        data=data,
        at=now,
    )


async def add_milestone(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    title: str,
    due_date: date | None,
    expected_version: int | None,
    now: datetime,
) -> ProjectView:
    project = await load_project(session, principal.workspace_id, project_id, lock=True)
    expect_version(project, expected_version, SUBJECT)
    clean = clean_text(title)
    if clean is None:
        raise invalid("title", "A milestone needs a title")
    milestone_id = uuid.uuid4()
    session.add(
        ProjectMilestone(
            id=milestone_id,
            workspace_id=project.workspace_id,
            project_id=project.id,
            title=clean,
            due_date=due_date,
            status="open",
            position=await _next_position(session, project),
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()
    milestone = await _milestone(session, project, milestone_id)
    await _milestone_event(session, principal, project, milestone, "milestone_added", now)
    await _touch(session, project, now)
    return await get_project(session, principal, project.id)


async def _next_position(session: AsyncSession, project: Project) -> int:
    last = await session.scalar(
        select(func.max(ProjectMilestone.position)).where(
            ProjectMilestone.workspace_id == project.workspace_id, ProjectMilestone.project_id == project.id
        )
    )
    return 0 if last is None else int(last) + 1


def _set_status(milestone: ProjectMilestone, status: str, now: datetime) -> None:
    if status == milestone.status:
        return
    milestone.status = status
    milestone.completed_at = now if status == "done" else None


async def update_milestone(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    milestone_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> ProjectView:
    """Merge-patch a milestone's title, due date or status (`done` completes it, `open` reopens)."""
    project = await load_project(session, principal.workspace_id, project_id, lock=True)
    expect_version(project, expected_version, SUBJECT)
    milestone = await _milestone(session, project, milestone_id)
    for key in ("title", "status"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be null")
    before = snapshot(milestone)
    if "title" in changes:
        clean = clean_text(changes["title"])
        if clean is None:
            raise invalid("title", "A milestone needs a title")
        milestone.title = clean
    if "due_date" in changes:
        milestone.due_date = changes["due_date"]
    if "status" in changes:
        if changes["status"] not in MILESTONE_STATUSES:
            raise invalid("status", f"status must be one of {', '.join(MILESTONE_STATUSES)}")
        _set_status(milestone, changes["status"], now)
    after = snapshot(milestone)
    diff = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v and k != "updated_at"}
    if diff:
        milestone.updated_at = now
        kind = "milestone_completed" if diff.get("status", [None, None])[1] == "done" else "milestone_changed"
        await _milestone_event(session, principal, project, milestone, kind, now, diff)
        await _touch(session, project, now)
        if "status" in diff and milestone.commitment_id is not None:
            await _keep_promise(session, principal, milestone, now)
    return await get_project(session, principal, project.id)


async def _keep_promise(
    session: AsyncSession, principal: Principal, milestone: ProjectMilestone, now: datetime
) -> None:
    """A milestone from a commitment done keeps it; reopened, an unkept promise is open again."""
    from domain.commitments import set_status

    status = await session.scalar(
        select(Commitment.status).where(
            Commitment.workspace_id == milestone.workspace_id, Commitment.id == milestone.commitment_id
        )
    )
    assert milestone.commitment_id is not None
    if milestone.status == "done" and status == "open":
        await set_status(session, principal, milestone.commitment_id, "kept", now=now)
    elif milestone.status == "open" and status == "kept":
        await set_status(session, principal, milestone.commitment_id, "open", now=now)


async def complete_milestone(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    milestone_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> ProjectView:
    """Completing twice keeps the first time (a retried click changes nothing)."""
    return await update_milestone(
        session,
        principal=principal,
        project_id=project_id,
        milestone_id=milestone_id,
        changes={"status": "done"},
        expected_version=expected_version,
        now=now,
    )


async def delete_milestone(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: uuid.UUID,
    milestone_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> ProjectView:
    project = await load_project(session, principal.workspace_id, project_id, lock=True)
    expect_version(project, expected_version, SUBJECT)
    milestone = await _milestone(session, project, milestone_id)
    await _milestone_event(session, principal, project, milestone, "milestone_removed", now)
    await session.delete(milestone)
    await _touch(session, project, now)
    return await get_project(session, principal, project.id)


# -- keeping commitments and milestones in step --------------------------------------------


async def add_commitment_milestone(
    session: AsyncSession, principal: Principal, commitment: Commitment, *, now: datetime
) -> None:
    """A promise made on a deal that is already a project is delivery's milestone at once."""
    project = await session.scalar(
        select(Project)
        .where(Project.workspace_id == commitment.workspace_id, Project.deal_id == commitment.deal_id)
        .with_for_update()
    )
    if project is None:
        return
    added = await _insert_milestones(
        session,
        project,
        [{"title": commitment.title, "due_date": commitment.due_date, "commitment_id": commitment.id}],
        now=now,
    )
    if added:
        await record(
            session,
            principal=principal,
            subject_type=SUBJECT,
            subject_id=project.id,
            type="milestone_added",
            data={"commitment_id": str(commitment.id), "title": commitment.title},
            at=now,
        )
        await _touch(session, project, now)


async def lock_projects_of_commitment(
    session: AsyncSession, workspace_id: uuid.UUID, commitment_id: uuid.UUID
) -> None:
    await session.execute(
        select(Project.id)
        .where(
            Project.workspace_id == workspace_id,
            Project.id.in_(
                select(ProjectMilestone.project_id).where(
                    ProjectMilestone.workspace_id == workspace_id,
                    ProjectMilestone.commitment_id == commitment_id,
                )
            ),
        )
        .order_by(Project.id)
        .with_for_update()
    )


async def follow_commitment_status(
    session: AsyncSession, principal: Principal, commitment: Commitment, *, now: datetime
) -> None:
    """Kept: its milestones are done; open again: they reopen. Broken or waived leave them as they are."""
    wanted = {"kept": "done", "open": "open"}.get(commitment.status)
    if wanted is None:
        return
    rows = await session.execute(
        select(ProjectMilestone, Project)
        .join(
            Project,
            (Project.workspace_id == ProjectMilestone.workspace_id)
            & (Project.id == ProjectMilestone.project_id),
        )
        .where(
            ProjectMilestone.workspace_id == commitment.workspace_id,
            ProjectMilestone.commitment_id == commitment.id,
            ProjectMilestone.status != wanted,
        )
        .with_for_update()
    )
    for milestone, project in rows.all():
        _set_status(milestone, wanted, now)
        milestone.updated_at = now
        kind = "milestone_completed" if wanted == "done" else "milestone_changed"
        await _milestone_event(session, principal, project, milestone, kind, now)
        await _touch(session, project, now)


# -- a won deal becomes a project ----------------------------------------------------------


async def first_admin(session: AsyncSession, workspace_id: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = await session.scalar(
        select(Membership.user_id)
        .where(Membership.workspace_id == workspace_id, Membership.role == ADMIN)
        .order_by(Membership.created_at, Membership.user_id)
        .limit(1)
    )
    return found


def system_principal(workspace_id: uuid.UUID, acting_for: uuid.UUID, name: str) -> Principal:
    """The system acting in a workspace; `acting_for` owns what it creates by default."""
    return Principal(workspace_id=workspace_id, user_id=acting_for, role=ADMIN, kind="system", name=name)


def _template_milestones(template: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in template or ():
        if isinstance(item, dict) and clean_text(item.get("title")):
            due = item.get("due_in_days")
            out.append(
                {"title": clean_text(item["title"]), "due_in_days": due if isinstance(due, int) else None}
            )
    return out


async def _deal_notes(session: AsyncSession, workspace_id: uuid.UUID, deal_id: uuid.UUID) -> str | None:
    notes = (
        await session.execute(
            select(Activity.created_at, Activity.subject, Activity.body)
            .where(
                Activity.workspace_id == workspace_id, Activity.deal_id == deal_id, Activity.type == "note"
            )
            .order_by(Activity.created_at, Activity.id)
        )
    ).all()
    if not notes:
        return None
    lines = [
        f"{at.date().isoformat()} {subject}" + (f": {body}" if body else "") for at, subject, body in notes
    ]
    return "Notes from the sale:\n" + "\n".join(lines)[:SUMMARY_LIMIT]


async def open_project_for_won_deal(
    session: AsyncSession, *, workspace_id: uuid.UUID, deal_id: uuid.UUID, now: datetime
) -> Project | None:
    """The won deal's project, opened once; None when its pipeline says `none` or it is not won.

    The deal's row lock orders racing deliveries (won twice, an event delivered twice): the
    second waits, then finds the first's project. The UNIQUE key is the wall behind it.
    """
    deal = await session.scalar(
        select(Deal)
        .where(Deal.workspace_id == workspace_id, Deal.id == deal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if deal is None or deal.status != "won":
        return None
    existing = await session.scalar(
        select(Project).where(Project.workspace_id == workspace_id, Project.deal_id == deal.id)
    )
    if existing is not None:
        return None
    pipeline = await session.scalar(
        select(Pipeline).where(Pipeline.workspace_id == workspace_id, Pipeline.id == deal.pipeline_id)
    )
    if pipeline is None or pipeline.on_won != "project":
        return None
    owner = deal.owner_id or await first_admin(session, workspace_id)
    if owner is None:
        return None
    principal = system_principal(workspace_id, owner, "Won deal handover")
    contacts = (await contact_ids_by_deal(session, workspace_id, [deal.id]))[deal.id]
    project = Project(
        id=uuid.uuid4(),
        workspace_id=workspace_id,
        name=deal.title,
        deal_id=deal.id,
        account_id=deal.account_id,
        owner_id=owner,
        status="planned",
        contact_ids=contacts,
        summary=await _deal_notes(session, workspace_id, deal.id),
        contract_start_date=deal.contract_start_date,
        contract_end_date=deal.contract_end_date,
        renewal_amount=deal.renewal_amount if deal.renewal_amount is not None else deal.amount,
        currency=deal.currency,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    from domain.commitments import open_commitments_of_deal

    promised = [
        {"title": c.title, "due_date": c.due_date, "commitment_id": c.id}
        for c in await open_commitments_of_deal(session, workspace_id, deal.id)
    ]
    today = now.date()
    templated = [
        {
            "title": m["title"],
            "due_date": date.fromordinal(today.toordinal() + m["due_in_days"]) if m["due_in_days"] else None,
        }
        for m in _template_milestones(pipeline.project_template)
    ]
    await _insert_milestones(session, project, promised + templated, now=now)
    await record(
        session,
        principal=principal,
        subject_type=SUBJECT,
        subject_id=project.id,
        type="created",
        data={"deal_id": str(deal.id), "from_commitments": len(promised), "from_template": len(templated)},
        at=now,
    )
    await record(
        session,
        principal=principal,
        subject_type="deal",
        subject_id=deal.id,
        type="project_created",
        data={"project_id": str(project.id), "name": project.name},
        at=now,
    )
    await announce_created(session, principal, project, subject_type=SUBJECT, now=now, timeline=False)
    return project


def renewal_value(project: Project | None, deal: Deal) -> Decimal | None:
    if deal.renewal_amount is not None:
        return deal.renewal_amount
    if project is not None and project.renewal_amount is not None:
        return project.renewal_amount
    return deal.amount
