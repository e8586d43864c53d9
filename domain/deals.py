"""Deals: create, read, change, delete and list them (moving them is domain.board's).

Every change writes its consequences in the caller's transaction: the stage history row, the
timeline event and the outbox event commit with the deal or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import custom_fields as custom_fields_
from domain import lost_reasons, ranks, trash
from domain.custom_fields.definitions import env_for, specs_for
from domain.custom_fields.lists import custom_filters, custom_sorts
from domain.errors import FieldError, NotFound, ValidationFailed, invalid
from domain.hygiene.required_fields import require_fields
from domain.members import require_member
from domain.models import Account, Contact, Deal, DealContact, Project, Stage, StageChange, Workspace
from domain.money import check_currency, parse_amount
from domain.outbox import emit
from domain.pagination import Keyset, apply_keyset, page_of, parse_sort
from domain.pipelines import default_pipeline, first_open_stage
from domain.principal import Principal
from domain.records import clean_tags, clean_text, expect_version
from domain.search import as_utc, like_pattern, uses_trigram_index
from domain.snapshots import snapshot
from domain.timeline import field_changes, record

SORTS = {
    "created_at": Deal.created_at,
    "updated_at": Deal.updated_at,
    "amount": Deal.amount,
    "expected_close_date": Deal.expected_close_date,
    "title": Deal.title,
    "rank": Deal.rank,
}
DEFAULT_SORT = "-created_at"


CONTACT_ROLES = ("decision_maker", "champion", "influencer", "user", "other")


@dataclass
class DealRecord:
    deal: Deal
    contact_ids: list[uuid.UUID]
    # The role each linked contact plays (None: not said); `contacts` pairs them in order.
    roles: dict[uuid.UUID, str | None] = field(default_factory=dict)
    # The delivery project the won deal became (domain.projects), if any.
    project_id: uuid.UUID | None = None

    @property
    def contacts(self) -> list[dict[str, Any]]:
        return [{"contact_id": c, "role": self.roles.get(c)} for c in self.contact_ids]

    def snapshot(self) -> dict[str, Any]:
        return snapshot(
            self.deal,
            contact_ids=self.contact_ids,
            contacts=[{"contact_id": str(c), "role": self.roles.get(c)} for c in self.contact_ids],
        )


@dataclass(frozen=True)
class DealFilters:
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    status: str | None = None
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    updated_after: datetime | None = None
    q: str | None = None
    # `cf.<key>[.op]` query parameters (domain.custom_fields.lists).
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass
class DealPage:
    items: list[DealRecord]
    next: Keyset | None


def title_matches(q: str, deal: Any = Deal) -> ColumnElement[bool]:
    """`q` as a case-insensitive part of the title (see domain.search for why a function)."""
    pattern = like_pattern(q)
    if uses_trigram_index(q):
        return cast(ColumnElement[bool], deal.id.in_(select(func.deal_ids_matching(pattern))))
    return cast(ColumnElement[bool], deal.search_text.like(pattern))


async def deal_links(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[uuid.UUID, str | None]]]:
    """Each deal's contacts, in order, with their roles."""
    found: dict[uuid.UUID, list[tuple[uuid.UUID, str | None]]] = {deal_id: [] for deal_id in deal_ids}
    if not deal_ids:
        return found
    rows = await session.execute(
        select(DealContact.deal_id, DealContact.contact_id, DealContact.role)
        .where(DealContact.workspace_id == workspace_id, DealContact.deal_id.in_(list(deal_ids)))
        .order_by(DealContact.deal_id, DealContact.position)
    )
    for deal_id, contact_id, role in rows.all():
        found[deal_id].append((contact_id, role))
    return found


async def contact_ids_by_deal(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    links = await deal_links(session, workspace_id, deal_ids)
    return {deal_id: [c for c, _ in pairs] for deal_id, pairs in links.items()}


def record_of(
    deal: Deal, links: Sequence[tuple[uuid.UUID, str | None]], *, project_id: uuid.UUID | None = None
) -> DealRecord:
    return DealRecord(deal, [c for c, _ in links], {c: role for c, role in links}, project_id)


async def deal_records(
    session: AsyncSession, workspace_id: uuid.UUID, deals: Sequence[Deal]
) -> list[DealRecord]:
    links = await deal_links(session, workspace_id, [d.id for d in deals])
    projects = await _project_ids(session, workspace_id, [d.id for d in deals if d.status == "won"])
    return [record_of(d, links[d.id], project_id=projects.get(d.id)) for d in deals]


async def _project_ids(
    session: AsyncSession, workspace_id: uuid.UUID, deal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Only won deals are asked about (projects open on a win), so open boards pay nothing."""
    if not deal_ids:
        return {}
    rows = await session.execute(
        select(Project.deal_id, Project.id).where(
            Project.workspace_id == workspace_id, Project.deal_id.in_(list(deal_ids))
        )
    )
    return {deal_id: project_id for deal_id, project_id in rows.all() if deal_id is not None}


async def load_deal(session: AsyncSession, principal: Principal, deal_id: uuid.UUID, *, lock: bool) -> Deal:
    query = select(Deal).where(Deal.workspace_id == principal.workspace_id, Deal.id == deal_id)
    if lock:
        # Racing writers of one deal queue here and each then sees the winner's version.
        query = query.with_for_update().execution_options(populate_existing=True)
    deal = (await session.execute(query)).scalar_one_or_none()
    if deal is None:
        raise NotFound("Deal not found")
    return deal


async def get_deal(session: AsyncSession, principal: Principal, deal_id: uuid.UUID) -> DealRecord:
    deal = await load_deal(session, principal, deal_id, lock=False)
    return (await deal_records(session, principal.workspace_id, [deal]))[0]


async def load_stage(session: AsyncSession, workspace_id: uuid.UUID, stage_id: uuid.UUID) -> Stage | None:
    return (
        await session.execute(select(Stage).where(Stage.workspace_id == workspace_id, Stage.id == stage_id))
    ).scalar_one_or_none()


def missing_fields(deal: Deal, contact_ids: Sequence[uuid.UUID], stage: Stage) -> list[str]:
    """The fields `stage` requires that the deal lacks, in the stage's order."""
    values = {"contact_ids": list(contact_ids)}
    return [f for f in stage.required_fields if not values.get(f, getattr(deal, f, None))]


def missing_errors(stage: Stage, missing: Sequence[str]) -> list[FieldError]:
    return [
        FieldError(loc=["body", f], msg=f"Stage {stage.name!r} requires {f}", type="missing") for f in missing
    ]


async def _check_account(
    session: AsyncSession, workspace_id: uuid.UUID, account_id: uuid.UUID | None
) -> None:
    if account_id is None:
        return
    found = await session.scalar(
        select(func.count())
        .select_from(Account)
        .where(
            Account.workspace_id == workspace_id, Account.id == account_id, Account.merged_into_id.is_(None)
        )
    )
    if not found:
        raise invalid("account_id", "account_id is not an account of this workspace")


async def _check_contacts(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    contact_ids: Sequence[uuid.UUID] | None,
    *,
    field: str = "contact_ids",
) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(contact_ids or ()))
    if not wanted:
        return []
    found = set(
        (
            await session.execute(
                select(Contact.id).where(
                    Contact.workspace_id == workspace_id,
                    Contact.id.in_(wanted),
                    Contact.merged_into_id.is_(None),
                )
            )
        ).scalars()
    )
    absent = [i for i, contact_id in enumerate(wanted) if contact_id not in found]
    if absent:

        def loc(i: int) -> list[str | int]:
            return (
                ["body", "contacts", i, "contact_id"] if field == "contacts" else ["body", "contact_ids", i]
            )

        raise ValidationFailed(
            f"{field} names contacts that are not in this workspace",
            errors=[FieldError(loc=loc(i), msg="No such contact") for i in absent],
        )
    return wanted


def _roles_from(
    contact_ids: Sequence[uuid.UUID] | None, contacts: Sequence[dict[str, Any]] | None
) -> tuple[list[uuid.UUID] | None, dict[uuid.UUID, str | None] | None]:
    """`contacts: [{contact_id, role}]` and `contact_ids` name the same links; `contacts` adds roles.

    Given both, they must list the same contacts in the same order.
    """
    if contacts is None:
        return (list(contact_ids) if contact_ids is not None else None), None
    ids = [c["contact_id"] for c in contacts]
    if len(set(ids)) != len(ids):
        raise invalid("contacts", "contacts names a contact twice")
    if contact_ids and list(dict.fromkeys(contact_ids)) != ids:
        raise invalid("contact_ids", "contact_ids and contacts name different contacts; give one of them")
    return ids, {c["contact_id"]: c.get("role") for c in contacts}


async def _set_contacts(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    deal_id: uuid.UUID,
    contact_ids: Sequence[uuid.UUID],
    roles: dict[uuid.UUID, str | None] | None = None,
) -> None:
    await session.execute(
        delete(DealContact).where(DealContact.workspace_id == workspace_id, DealContact.deal_id == deal_id)
    )
    if contact_ids:
        await session.execute(
            insert(DealContact),
            [
                {
                    "workspace_id": workspace_id,
                    "deal_id": deal_id,
                    "contact_id": c,
                    "position": i,
                    "role": (roles or {}).get(c),
                }
                for i, c in enumerate(contact_ids)
            ],
        )


def _merge_patch(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7396 merge-patch: keys set to null are removed, nested objects merge."""
    merged = dict(target)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge_patch(merged[key], value)
        else:
            merged[key] = value
    return merged


def check_contract_dates(deal: Deal) -> None:
    start, end = deal.contract_start_date, deal.contract_end_date
    if start is not None and end is not None and end < start:
        raise invalid("contract_end_date", "contract_end_date cannot be before contract_start_date")


def stage_entry(deal: Deal, stage: Stage, now: datetime) -> dict[str, Any]:
    """The columns that change when the deal enters `stage`: its status follows the stage's kind
    (entering won/lost closes it, entering an open stage reopens it)."""
    values: dict[str, Any] = {"pipeline_id": stage.pipeline_id, "stage_id": stage.id, "stage_entered_at": now}
    if stage.kind == "open":
        values.update(status="open", closed_at=None)
    elif deal.status != stage.kind or deal.closed_at is None:
        values.update(status=stage.kind, closed_at=now)
    return values


def enter_stage(deal: Deal, stage: Stage, now: datetime) -> None:
    """Put the deal in `stage` (see stage_entry)."""
    for key, value in stage_entry(deal, stage, now).items():
        setattr(deal, key, value)


async def announce(
    session: AsyncSession, principal: Principal, record_: DealRecord, types: Sequence[str], now: datetime
) -> None:
    payload = record_.snapshot()
    for type_ in types:
        await emit(
            session,
            workspace_id=principal.workspace_id,
            type=type_,
            payload=payload,
            now=now,
            subject_type="deal",
            subject_id=record_.deal.id,
            actor=principal,
        )


def history_row(
    principal: Principal, deal: Deal, from_stage_id: uuid.UUID | None, now: datetime
) -> StageChange:
    """The deal entering its current stage (from None when created into it)."""
    return StageChange(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        deal_id=deal.id,
        pipeline_id=deal.pipeline_id,
        from_stage_id=from_stage_id,
        to_stage_id=deal.stage_id,
        actor_type=principal.kind,
        actor_id=principal.actor_id,
        at=now,
    )


def entry_events(stage: Stage) -> list[str]:
    return [f"deal.{stage.kind}"] if stage.kind in ("won", "lost") else []


async def _resolve_stage(
    session: AsyncSession, workspace_id: uuid.UUID, pipeline_id: uuid.UUID | None, stage_id: uuid.UUID | None
) -> Stage:
    """The stage a new deal enters: the one named, else the first open stage of its pipeline."""
    if stage_id is not None:
        stage = await load_stage(session, workspace_id, stage_id)
        if stage is None:
            raise invalid("stage_id", "stage_id is not a stage of this workspace")
        if pipeline_id is not None and pipeline_id != stage.pipeline_id:
            raise invalid("pipeline_id", "pipeline_id is not the pipeline of stage_id")
        return stage
    if pipeline_id is None:
        pipeline = await default_pipeline(session, workspace_id)
        if pipeline is None:
            raise invalid("pipeline_id", "This workspace has no pipeline; create one first")
        pipeline_id = pipeline.id
    opening = await first_open_stage(session, workspace_id, pipeline_id)
    if opening is None:
        raise invalid("pipeline_id", "pipeline_id is not a pipeline of this workspace with an open stage")
    return opening


async def create_deal(
    *,
    session: AsyncSession,
    principal: Principal,
    title: str,
    amount: Decimal | str | None = None,
    currency: str | None = None,
    pipeline_id: uuid.UUID | None = None,
    stage_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    contact_ids: Sequence[uuid.UUID] = (),
    contacts: Sequence[dict[str, Any]] | None = None,
    owner_id: uuid.UUID | None = None,
    expected_close_date: date | None = None,
    lost_reason: str | None = None,
    lost_reason_detail: str | None = None,
    source: str | None = None,
    tags: Sequence[str] = (),
    custom_fields: dict[str, Any] | None = None,
    contract_start_date: date | None = None,
    contract_end_date: date | None = None,
    renewal_amount: Decimal | str | None = None,
    renewal_of_id: uuid.UUID | None = None,
    now: datetime,
) -> DealRecord:
    ws = principal.workspace_id
    if not title or not title.strip():
        raise invalid("title", "A deal needs a title")
    if currency is None:
        workspace = await session.get(Workspace, ws)
        currency = workspace.currency if workspace else "USD"
    currency = check_currency(currency)
    parsed_amount = parse_amount(amount, currency) if amount is not None else None
    stage = await _resolve_stage(session, ws, pipeline_id, stage_id)
    owner_id = owner_id or principal.user_id
    await require_member(session, ws, owner_id, field="owner_id")
    await _check_account(session, ws, account_id)
    wanted, roles = _roles_from(contact_ids, contacts)
    linked = await _check_contacts(
        session, ws, wanted, field="contacts" if contacts is not None else "contact_ids"
    )
    custom = await custom_fields_.check_write(session, ws, "deals", custom_fields)
    reason, reason_detail = clean_text(lost_reason), clean_text(lost_reason_detail)
    if reason is not None:
        reason, reason_detail = await lost_reasons.resolve(session, ws, reason, reason_detail)
    source = clean_text(source)
    if source is None and linked:
        source = await session.scalar(
            select(Contact.source).where(Contact.workspace_id == ws, Contact.id == linked[0])
        )
    deal = Deal(
        id=uuid.uuid4(),
        workspace_id=ws,
        title=title.strip(),
        amount=parsed_amount,
        currency=currency,
        account_id=account_id,
        owner_id=owner_id,
        expected_close_date=expected_close_date,
        lost_reason=reason,
        lost_reason_detail=reason_detail,
        source=source,
        tags=clean_tags(tags),
        custom_fields=custom,
        contract_start_date=contract_start_date,
        contract_end_date=contract_end_date,
        renewal_amount=parse_amount(renewal_amount, currency, "renewal_amount")
        if renewal_amount is not None
        else None,
        renewal_of_id=renewal_of_id,
        created_at=now,
        updated_at=now,
        status="open",
    )
    # The workspace's own demands first (what every deal needs), then the stage's.
    await require_fields(session, ws, "deals", snapshot(deal, contact_ids=linked))
    check_contract_dates(deal)
    errors = missing_errors(stage, missing_fields(deal, linked, stage))
    if stage.kind == "lost" and not deal.lost_reason:
        errors.append(
            FieldError(loc=["body", "lost_reason"], msg="A lost deal needs a lost_reason", type="missing")
        )
    if errors:
        missing = ", ".join(str(e.loc[-1]) for e in errors)
        raise ValidationFailed(
            f"The deal cannot enter stage {stage.name!r} without: {missing}", errors=errors
        )
    enter_stage(deal, stage, now)
    await ranks.lock_column(session, stage.id)
    deal.rank = await ranks.rank_at_end(session, workspace_id=ws, stage_id=stage.id, moving_id=deal.id)
    session.add(deal)
    await session.flush()
    await _set_contacts(session, ws, deal.id, linked, roles)
    session.add(history_row(principal, deal, None, now))
    record_ = DealRecord(deal, linked, dict(roles or {}))
    await record(
        session,
        principal=principal,
        subject_type="deal",
        subject_id=deal.id,
        type="created",
        data={"title": deal.title, "stage_id": str(stage.id), "stage": stage.name},
        at=now,
    )
    await announce(session, principal, record_, ["deal.created", *entry_events(stage)], now)
    return record_


async def update_deal(
    *,
    session: AsyncSession,
    principal: Principal,
    deal_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> DealRecord:
    """Merge-patch the deal's fields; the stage changes only through `move_deal`."""
    ws = principal.workspace_id
    deal = await load_deal(session, principal, deal_id, lock=True)
    expect_version(deal, expected_version, "deal")
    current = record_of(deal, (await deal_links(session, ws, [deal.id]))[deal.id])
    contacts = current.contact_ids
    stage = await load_stage(session, ws, deal.stage_id)
    assert stage is not None
    before = current.snapshot()
    new: dict[str, Any] = {}
    for key in ("title", "currency"):
        if key in changes and (changes[key] is None or not str(changes[key]).strip()):
            raise invalid(key, f"{key} cannot be empty")
    if "title" in changes:
        new["title"] = changes["title"].strip()
    currency = check_currency(changes["currency"]) if "currency" in changes else deal.currency
    new["currency"] = currency
    amount = changes["amount"] if "amount" in changes else deal.amount
    # A new currency re-rounds a kept amount to its minor unit.
    new["amount"] = parse_amount(amount, currency) if amount is not None else None
    if "account_id" in changes:
        await _check_account(session, ws, changes["account_id"])
        new["account_id"] = changes["account_id"]
    if changes.get("owner_id") is not None:
        await require_member(session, ws, changes["owner_id"], field="owner_id")
    for key in ("owner_id", "expected_close_date", "contract_start_date", "contract_end_date"):
        if key in changes:
            new[key] = changes[key]
    renewal = changes["renewal_amount"] if "renewal_amount" in changes else deal.renewal_amount
    new["renewal_amount"] = parse_amount(renewal, currency, "renewal_amount") if renewal is not None else None
    for key in ("source", "lost_reason", "lost_reason_detail"):
        if key in changes:
            new[key] = clean_text(changes[key])
    if new.get("lost_reason") is not None:
        detail = new["lost_reason_detail"] if "lost_reason_detail" in new else deal.lost_reason_detail
        new["lost_reason"], new["lost_reason_detail"] = await lost_reasons.resolve(
            session, ws, new["lost_reason"], detail
        )
    elif "lost_reason_detail" in new and new["lost_reason_detail"] is None and "lost_reason" not in new:
        if deal.status == "lost" and await lost_reasons.is_other(session, ws, deal.lost_reason):
            raise invalid("lost_reason_detail", f"A deal lost for {deal.lost_reason!r} keeps its detail")
    if "tags" in changes:
        new["tags"] = clean_tags(changes["tags"])
    if "custom_fields" in changes:
        patch = changes["custom_fields"]
        new["custom_fields"] = await custom_fields_.check_write(
            session, ws, "deals", patch, current=deal.custom_fields, merge=patch is not None
        )
    new_contacts, new_roles = contacts, dict(current.roles)
    if "contacts" in changes or "contact_ids" in changes:
        if changes.get("contacts") is None and changes.get("contact_ids") is None:
            wanted: list[uuid.UUID] | None = []
            roles: dict[uuid.UUID, str | None] | None = None
        else:
            wanted, roles = _roles_from(changes.get("contact_ids"), changes.get("contacts"))
        new_contacts = await _check_contacts(
            session, ws, wanted, field="contacts" if changes.get("contacts") is not None else "contact_ids"
        )
        # Given only `contact_ids`, a contact that stays keeps its role.
        new_roles = roles if roles is not None else {c: current.roles.get(c) for c in new_contacts}
    project_id = (await _project_ids(session, ws, [deal.id])).get(deal.id) if deal.status == "won" else None
    # Every query is done: from here the deal changes in memory and is written once.
    for key, value in new.items():
        if getattr(deal, key) != value:
            setattr(deal, key, value)
    check_contract_dates(deal)
    # A patch may not take away what the deal's stage demands (a stage's later demands are not
    # forced onto deals already in it until they move).
    named = set(changes) | ({"contact_ids"} if "contacts" in changes else set())
    errors = missing_errors(stage, [f for f in missing_fields(deal, new_contacts, stage) if f in named])
    if "lost_reason" in changes and deal.status == "lost" and not deal.lost_reason:
        errors.append(FieldError(loc=["body", "lost_reason"], msg="A lost deal keeps its lost_reason"))
    if errors:
        raise ValidationFailed("These fields are required by the deal's stage", errors=errors)
    record_ = DealRecord(deal, new_contacts, new_roles, project_id)
    after = record_.snapshot()
    await require_fields(session, ws, "deals", after)
    diff = field_changes(before, after)
    if not diff:
        return record_
    deal.updated_at = now
    await session.flush()
    if new_contacts != contacts or new_roles != current.roles:
        await _set_contacts(session, ws, deal.id, new_contacts, new_roles)
    await record(
        session,
        principal=principal,
        subject_type="deal",
        subject_id=deal.id,
        type="field_changed",
        data={"changes": diff},
        at=now,
    )
    await announce(session, principal, record_, ["deal.updated"], now)
    return record_


async def delete_deal(
    *,
    session: AsyncSession,
    principal: Principal,
    deal_id: uuid.UUID,
    expected_version: int | None,
    now: datetime,
) -> None:
    deal = await load_deal(session, principal, deal_id, lock=True)
    expect_version(deal, expected_version, "deal")
    record_ = (await deal_records(session, principal.workspace_id, [deal]))[0]
    await announce(session, principal, record_, ["deal.deleted"], now)
    await trash.move_to_trash(session, principal, "deals", deal.id, now)
    await session.delete(deal)
    await session.flush()


async def list_deals(
    *,
    session: AsyncSession,
    principal: Principal,
    filters: DealFilters,
    sort: str | None,
    after: Keyset | None,
    limit: int,
) -> DealPage:
    specs = await specs_for(session, principal.workspace_id, "deals")
    extra = custom_sorts(Deal, specs)
    sort_key, descending = parse_sort(sort, {**SORTS, **extra}, DEFAULT_SORT)
    name = sort_key.lstrip("-")
    sort_column, value_of = extra[name] if name in extra else (SORTS[name], lambda d: getattr(d, name))
    query = select(Deal).where(Deal.workspace_id == principal.workspace_id)
    if filters.custom:
        env = await env_for(session, principal.workspace_id)
        query = query.where(*custom_filters(Deal, specs, filters.custom, env))
    for column, value in (
        (Deal.pipeline_id, filters.pipeline_id),
        (Deal.stage_id, filters.stage_id),
        (Deal.status, filters.status),
        (Deal.owner_id, filters.owner_id),
        (Deal.account_id, filters.account_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.contact_id is not None:
        query = query.where(
            Deal.id.in_(
                select(DealContact.deal_id).where(
                    DealContact.workspace_id == principal.workspace_id,
                    DealContact.contact_id == filters.contact_id,
                )
            )
        )
    if filters.updated_after is not None:
        query = query.where(Deal.updated_at > as_utc(filters.updated_after))
    if filters.q and filters.q.strip():
        query = query.where(title_matches(filters.q))
    query = apply_keyset(
        query, column=sort_column, id_column=Deal.id, descending=descending, after=after, limit=limit
    )
    rows = list((await session.execute(query)).scalars())
    page = page_of(rows, limit=limit, sort=sort_key, key=lambda d: (value_of(d), d.id))
    return DealPage(items=await deal_records(session, principal.workspace_id, page.items), next=page.next)
