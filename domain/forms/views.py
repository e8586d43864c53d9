"""A submission as the API shows it (also the `data` of the `form.submitted` webhook)."""

from __future__ import annotations

from typing import Any

from domain.models import Form, FormSubmission
from domain.snapshots import json_value

PUBLIC_FIELDS = (
    "id",
    "form_id",
    "status",
    "reason",
    "received_at",
    "processed_at",
    "source_ip",
    "content_type",
    "fields",
    "lead",
    "attempts",
    "contact_id",
    "account_id",
    "deal_id",
    "activity_id",
)


def submission_view(submission: FormSubmission, form: Form | None = None) -> dict[str, Any]:
    view = {name: json_value(getattr(submission, name)) for name in PUBLIC_FIELDS}
    if form is not None:
        view["form_name"] = form.name
    return view
