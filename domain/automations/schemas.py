"""The shape of a rule: trigger, conditions and actions as typed models (discriminated on `type`).

Stored as JSON in `automations`, read back through the same models, and served in the OpenAPI
document, so the API, the engine and the SPA agree on one definition.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from domain.automations.durations import DURATION_PATTERN, parse_duration


def _valid_duration(value: str) -> str:
    parse_duration(value)
    return value.strip().upper()


Duration = Annotated[
    str,
    Field(
        max_length=40,
        description="ISO 8601 duration in weeks, days, hours, minutes or seconds: P7D, PT2H, PT30S.",
        json_schema_extra={"pattern": DURATION_PATTERN, "examples": ["P7D"]},
    ),
    AfterValidator(_valid_duration),
]


class RulePart(BaseModel):
    # A typo in a rule is a 422 naming it, never a silently ignored key.
    model_config = ConfigDict(extra="forbid")


# Triggers -----------------------------------------------------------------------------------


class DealCreated(RulePart):
    type: Literal["deal_created"]


class DealStageEntered(RulePart):
    """A deal entered the stage (moved into it, or created in it)."""

    type: Literal["deal_stage_entered"]
    stage_id: uuid.UUID


class DealIdle(RulePart):
    """No stage change and no activity logged by a person for the duration; once per idle spell."""

    type: Literal["deal_idle"]
    duration: Duration


class DealCloseDatePassed(RulePart):
    type: Literal["deal_close_date_passed"]


class TaskOverdue(RulePart):
    type: Literal["task_overdue"]


class ContactCreatedFromForm(RulePart):
    type: Literal["contact_created_from_form"]


class RenewalDue(RulePart):
    """A deal's contract end date falls within the duration from today."""

    type: Literal["renewal_due"]
    duration: Duration


class DealRotting(RulePart):
    """An open deal past its stage's `rotting_days` without a person's activity."""

    type: Literal["deal_rotting"]


Trigger = Annotated[
    DealCreated
    | DealStageEntered
    | DealIdle
    | DealCloseDatePassed
    | TaskOverdue
    | ContactCreatedFromForm
    | RenewalDue
    | DealRotting,
    Field(discriminator="type"),
]

SWEPT_TRIGGERS = ("deal_idle", "deal_close_date_passed", "task_overdue", "renewal_due", "deal_rotting")

# Conditions ---------------------------------------------------------------------------------

ConditionField = Literal[
    "amount", "pipeline_id", "stage_id", "owner_id", "source", "tags", "currency", "title"
]
ConditionOp = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains"]
Scalar = str | int | float | bool | None
ID_FIELDS = ("pipeline_id", "stage_id", "owner_id")
ORDERED_OPS = ("gt", "gte", "lt", "lte")


class Condition(RulePart):
    """`{field, op, value}` over the subject deal's fields (a contact's for contact triggers).

    `in` takes a list; `gt`/`gte`/`lt`/`lte` compare `amount`; `contains` finds a tag, or text in
    `title`/`source`. Text compares ignore case.
    """

    field: ConditionField
    op: ConditionOp
    value: Scalar | list[Scalar] = Field(examples=["10000"])

    @model_validator(mode="after")
    def _fits_field(self) -> Condition:
        values = self.value if isinstance(self.value, list) else [self.value]
        if self.op == "in":
            if not isinstance(self.value, list) or not self.value:
                raise ValueError("`in` takes a non-empty list of values")
        elif isinstance(self.value, list):
            raise ValueError(f"`{self.op}` takes a single value, not a list")
        if self.op in ORDERED_OPS and self.field != "amount":
            raise ValueError(f"`{self.op}` compares amounts only")
        if self.op == "contains" and self.field not in ("tags", "title", "source"):
            raise ValueError("`contains` applies to tags, title and source")
        if self.field == "amount":
            for value in values:
                if value is not None and not _is_decimal(value):
                    raise ValueError(f"{value!r} is not an amount")
        if self.field in ID_FIELDS:
            for value in values:
                if value is not None and not _is_uuid(value):
                    raise ValueError(f"{value!r} is not an id")
        return self


def _is_decimal(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return Decimal(str(value)).is_finite()
    except InvalidOperation:
        return False


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# Actions ------------------------------------------------------------------------------------

# Placeholders a subject or message template may use.
TEMPLATE_FIELDS = frozenset(
    {
        "deal.title",
        "deal.amount",
        "deal.currency",
        "deal.source",
        "deal.expected_close_date",
        "stage.name",
        "stage.rotting_days",
        "contact.name",
        "contact.email",
        "task.subject",
        "owner.name",
    }
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")


def _valid_template(value: str) -> str:
    unknown = sorted({p for p in _PLACEHOLDER.findall(value) if p not in TEMPLATE_FIELDS})
    if unknown:
        raise ValueError(
            f"unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)}; "
            f"use {', '.join('{' + f + '}' for f in sorted(TEMPLATE_FIELDS))}"
        )
    return value


def render(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)


Template = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_valid_template)]


class CreateTask(RulePart):
    type: Literal["create_task"]
    subject: Template = Field(examples=["Follow up on {deal.title}"])
    due_in: Duration = "P1D"
    assignee: Literal["owner"] | uuid.UUID = Field(
        "owner", description='"owner" (the subject\'s owner) or a member id.'
    )


class NotifyOwner(RulePart):
    type: Literal["notify_owner"]
    message: Template | None = Field(None, description="Default: says which rule fired and why.")


class AssignOwner(RulePart):
    type: Literal["assign_owner"]
    strategy: Literal["round_robin"] = "round_robin"
    member_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)


class AddTag(RulePart):
    type: Literal["add_tag"]
    tag: str = Field(min_length=1, max_length=100, pattern=r"\S")


class CloseAsLost(RulePart):
    type: Literal["close_as_lost"]
    reason: str = Field("stale", min_length=1, max_length=500, pattern=r"\S")


class SendWebhook(RulePart):
    """Asks the webhooks concern to deliver: emits `automation.webhook_requested`."""

    type: Literal["send_webhook"]
    subscription_id: uuid.UUID


class CreateRenewalDeal(RulePart):
    type: Literal["create_renewal_deal"]
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID | None = Field(None, description="Default: the pipeline's first open stage.")


Action = Annotated[
    CreateTask | NotifyOwner | AssignOwner | AddTag | CloseAsLost | SendWebhook | CreateRenewalDeal,
    Field(discriminator="type"),
]


class Rule(RulePart):
    """A whole rule as stored; what the engine reads."""

    trigger: Trigger
    conditions: list[Condition] = Field(default_factory=list, max_length=20)
    actions: list[Action] = Field(min_length=1, max_length=10)


def rule_json(rule: Rule) -> dict[str, Any]:
    return rule.model_dump(mode="json")
