"""Forms as workspace settings: create, read, change, delete, list, and the embeddable snippet."""

from __future__ import annotations

import html
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.deals import load_stage
from domain.errors import NotFound, invalid
from domain.forms.fields import TARGETS
from domain.forms.routing import clean_routing
from domain.members import require_member
from domain.models import Form, FormSubmission, Pipeline
from domain.models.forms import SUBMISSION_STATUSES
from domain.pagination import Keyset, PageResult, apply_keyset, page_of
from domain.principal import Principal
from domain.records import clean_text, expect_version

KEY_PREFIX = "frm_"
MIN_SECRET_LENGTH = 16
SORT = "-created_at"
_SETTINGS = (
    "name",
    "pipeline_id",
    "stage_id",
    "owner_id",
    "create_deal",
    "secret",
    "allowed_origins",
    "thank_you_url",
    "routing",
    "field_mapping",
)


def new_form_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(18)


async def get_form(
    session: AsyncSession, principal: Principal, form_id: uuid.UUID, *, for_update: bool = False
) -> Form:
    query = select(Form).where(Form.workspace_id == principal.workspace_id, Form.id == form_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    form = (await session.execute(query)).scalar_one_or_none()
    if form is None:
        raise NotFound("Form not found")
    return form


def clean_origin(value: str) -> str:
    """`https://Example.com/` -> `https://example.com`: the form a browser's Origin header takes."""
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username
    ):
        raise invalid("allowed_origins", f"Not an origin (scheme://host[:port]): {value!r}")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _clean_url(value: Any, field: str) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(field, f"{field} must be an http(s) URL")
    return text


def _clean_mapping(mapping: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, target in (mapping or {}).items():
        target = str(target).strip()
        if target not in TARGETS and not (target.startswith("custom_fields.") and len(target) > 14):
            raise invalid(
                ["body", "field_mapping", name], f"Map to one of {', '.join(TARGETS)} or custom_fields.<key>"
            )
        out[str(name)] = target
    return out


async def _check_pipeline(session: AsyncSession, workspace_id: uuid.UUID, values: dict[str, Any]) -> None:
    pipeline_id, stage_id = values.get("pipeline_id"), values.get("stage_id")
    if stage_id is not None:
        stage = await load_stage(session, workspace_id, stage_id)
        if stage is None:
            raise invalid("stage_id", "stage_id is not a stage of this workspace")
        if pipeline_id is not None and pipeline_id != stage.pipeline_id:
            raise invalid("stage_id", "stage_id is not a stage of pipeline_id")
        values["pipeline_id"] = stage.pipeline_id
    elif pipeline_id is not None:
        found = await session.scalar(
            select(func.count())
            .select_from(Pipeline)
            .where(Pipeline.workspace_id == workspace_id, Pipeline.id == pipeline_id)
        )
        if not found:
            raise invalid("pipeline_id", "pipeline_id is not a pipeline of this workspace")


async def _clean(session: AsyncSession, principal: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in fields:
        out["name"] = clean_text(fields["name"])
        if out["name"] is None:
            raise invalid("name", "A form needs a name")
    if "create_deal" in fields:
        out["create_deal"] = bool(fields["create_deal"])
    if "secret" in fields:
        secret = clean_text(fields["secret"])
        if secret is not None and len(secret) < MIN_SECRET_LENGTH:
            raise invalid("secret", f"A signing secret needs at least {MIN_SECRET_LENGTH} characters")
        out["secret"] = secret
    if "allowed_origins" in fields:
        out["allowed_origins"] = list(dict.fromkeys(clean_origin(o) for o in fields["allowed_origins"] or []))
    if "thank_you_url" in fields:
        out["thank_you_url"] = _clean_url(fields["thank_you_url"], "thank_you_url")
    if "field_mapping" in fields:
        out["field_mapping"] = _clean_mapping(fields["field_mapping"])
    if "routing" in fields:
        out["routing"] = await clean_routing(session, principal.workspace_id, fields["routing"])
    if fields.get("owner_id") is not None:
        await require_member(session, principal.workspace_id, fields["owner_id"], field="owner_id")
    for key in ("owner_id", "pipeline_id", "stage_id"):
        if key in fields:
            out[key] = fields[key]
    return out


async def create_form(
    session: AsyncSession, *, principal: Principal, fields: dict[str, Any], now: datetime
) -> Form:
    values = await _clean(session, principal, {"name": None, **fields})
    await _check_pipeline(session, principal.workspace_id, values)
    form = Form(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        key=new_form_key(),
        created_by=principal.user_id,
        created_at=now,
        updated_at=now,
        allowed_origins=values.pop("allowed_origins", []),
        field_mapping=values.pop("field_mapping", {}),
        create_deal=values.pop("create_deal", False),
        **values,
    )
    session.add(form)
    await session.flush()
    return form


async def update_form(
    session: AsyncSession,
    *,
    principal: Principal,
    form_id: uuid.UUID,
    changes: dict[str, Any],
    expected_version: int | None,
    now: datetime,
) -> Form:
    """Merge-patch: a field left out is unchanged, `null` clears it."""
    form = await get_form(session, principal, form_id, for_update=True)
    expect_version(form, expected_version, "form")
    values = await _clean(session, principal, {k: v for k, v in changes.items() if k in _SETTINGS})
    if "pipeline_id" in values or "stage_id" in values:
        placement = {
            "pipeline_id": values.get("pipeline_id", form.pipeline_id),
            "stage_id": values.get("stage_id", form.stage_id),
        }
        if "pipeline_id" in values and "stage_id" not in values and values["pipeline_id"] != form.pipeline_id:
            placement["stage_id"] = None  # the old stage belongs to the old pipeline
        await _check_pipeline(session, principal.workspace_id, placement)
        values.update(placement)
    for key, value in values.items():
        if key in ("allowed_origins", "field_mapping") and value is None:
            value = [] if key == "allowed_origins" else {}
        if key == "create_deal" and value is None:
            value = False
        setattr(form, key, value)
    if session.is_modified(form):
        form.updated_at = now
        await session.flush()
    return form


async def delete_form(
    session: AsyncSession, *, principal: Principal, form_id: uuid.UUID, expected_version: int | None
) -> Form:
    """Its submissions go with it; the contacts and deals they became stay. Returns what was deleted."""
    form = await get_form(session, principal, form_id, for_update=True)
    expect_version(form, expected_version, "form")
    await session.delete(form)
    await session.flush()
    return form


async def list_forms(
    session: AsyncSession, *, principal: Principal, after: Keyset | None, limit: int
) -> PageResult[Form]:
    query = apply_keyset(
        select(Form).where(Form.workspace_id == principal.workspace_id),
        column=Form.created_at,
        id_column=Form.id,
        descending=True,
        after=after,
        limit=limit,
    )
    rows = list((await session.execute(query)).scalars())
    return page_of(rows, limit=limit, sort=SORT, key=lambda f: (f.created_at, f.id))


async def submission_counts(
    session: AsyncSession, workspace_id: uuid.UUID, form_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    """Submissions per status of each form (spam included: honeypot hits are counted here)."""
    counts = {form_id: dict.fromkeys(SUBMISSION_STATUSES, 0) for form_id in form_ids}
    if not form_ids:
        return counts
    rows = await session.execute(
        select(FormSubmission.form_id, FormSubmission.status, func.count())
        .where(FormSubmission.workspace_id == workspace_id, FormSubmission.form_id.in_(list(form_ids)))
        .group_by(FormSubmission.form_id, FormSubmission.status)
    )
    for form_id, status, count in rows.all():
        counts[form_id][status] = int(count)
    return counts


def submission_url(public_url: str, key: str) -> str:
    return f"{public_url.rstrip('/')}/api/v1/forms/{key}/submissions"


def embed_html(form: Form, public_url: str) -> str:
    """A copy-paste HTML form that posts to the form's endpoint, honeypot included."""
    action = html.escape(submission_url(public_url, form.key), quote=True)
    note = (
        "\n  <!-- This form requires signed posts (Rapport-Signature): send it from your server, "
        "never with the secret in a page. -->"
        if form.secret
        else ""
    )
    return (
        f'<form action="{action}" method="POST" accept-charset="UTF-8">{note}\n'
        '  <label>Name <input type="text" name="name" autocomplete="name"></label>\n'
        '  <label>Email <input type="email" name="email" required autocomplete="email"></label>\n'
        '  <label>Company <input type="text" name="company" autocomplete="organization"></label>\n'
        '  <label>Phone <input type="tel" name="phone" autocomplete="tel"></label>\n'
        '  <label>Message <textarea name="message"></textarea></label>\n'
        "  <!-- Leave empty: people never see this field, bots fill it in. -->\n"
        '  <input type="text" name="_gotcha" tabindex="-1" autocomplete="off" aria-hidden="true" '
        'style="position:absolute;left:-10000px">\n'
        '  <button type="submit">Send</button>\n'
        "</form>\n"
    )
