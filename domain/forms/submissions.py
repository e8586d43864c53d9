"""Reading a form's submissions (what arrived, what it became, why not) and retrying failed ones."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, NotFound
from domain.forms.config import get_form
from domain.models import FormSubmission
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal

SORT = "-received_at"


async def list_submissions(
    session: AsyncSession,
    *,
    principal: Principal,
    form_id: uuid.UUID,
    status: str | None,
    after: Keyset | None,
    limit: int,
) -> PageResult[FormSubmission]:
    """Newest first; 404 when the form is not this workspace's."""
    await get_form(session, principal, form_id)
    query = select(FormSubmission).where(
        FormSubmission.workspace_id == principal.workspace_id, FormSubmission.form_id == form_id
    )
    if status is not None:
        query = query.where(FormSubmission.status == status)
    query = apply_keyset(
        query,
        column=FormSubmission.received_at,
        id_column=FormSubmission.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda s: (s.received_at, s.id))


async def get_submission(
    session: AsyncSession,
    principal: Principal,
    form_id: uuid.UUID,
    submission_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> FormSubmission:
    query = select(FormSubmission).where(
        FormSubmission.workspace_id == principal.workspace_id,
        FormSubmission.form_id == form_id,
        FormSubmission.id == submission_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    submission = (await session.execute(query)).scalar_one_or_none()
    if submission is None:
        raise NotFound("Submission not found")
    return submission


async def retry_submission(
    session: AsyncSession,
    *,
    principal: Principal,
    form_id: uuid.UUID,
    submission_id: uuid.UUID,
    now: datetime,
) -> FormSubmission:
    """A failed submission goes back to pending (which queues it again); any other status is a 409."""
    await get_form(session, principal, form_id)
    submission = await get_submission(session, principal, form_id, submission_id, for_update=True)
    if submission.status != "failed":
        raise Conflict(f"Only a failed submission can be retried (this one is {submission.status})")
    submission.status = "pending"
    submission.reason = None
    await session.flush()
    return submission
