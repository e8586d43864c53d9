"""A deals CSV row into a deal: money, dates, the pipeline and stage by name, history kept.

Tools disagree on what "won" is: Pipedrive keeps a won deal in the open stage it was in and marks
its status, Rapport has won and lost stages. A row whose status closes the deal while naming an
open stage goes to the pipeline's first won (or lost) stage, and its history records both: entered
the named stage when it was created, closed at `closed_at`. Dates in the file are read in the
workspace's time zone, day-first except in the United States (a day above 12 settles it anyway).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.errors import ValidationFailed
from domain.hygiene.normalise import bulk_email
from domain.hygiene.similarity import fold
from domain.imports.rows import (
    Prepared,
    RowContext,
    RowFailure,
    check_required,
    custom_fields,
    limited,
    owner,
    parse_tags,
)
from domain.lost_reasons import pick
from domain.money import check_currency, parse_amount

MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW"})
_STATUS = {
    "open": "open",
    "active": "open",
    "inprogress": "open",
    "won": "won",
    "closedwon": "won",
    "lost": "lost",
    "closedlost": "lost",
}
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T](.*))?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)
_WORDY_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%d-%b-%Y")


@dataclass(frozen=True)
class StageInfo:
    id: uuid.UUID
    name: str
    kind: str
    required_fields: tuple[str, ...]


@dataclass(frozen=True)
class PipelineInfo:
    id: uuid.UUID
    name: str
    stages: tuple[StageInfo, ...]  # in position order

    def stage(self, name: str) -> StageInfo | None:
        key = fold(name)
        return next((s for s in self.stages if fold(s.name) == key), None)

    def first(self, kind: str) -> StageInfo | None:
        return next((s for s in self.stages if s.kind == kind), None)


def parse_money(raw: str, currency: str) -> Decimal:
    """ "$1,500.00", "1.500,00 €", "1 500", "0.125" as people write them. With both separators the
    last is the decimal point; one repeated is grouping; a lone one is the decimal point unless
    three digits follow it after a non-zero number ("1,500")."""
    text = re.sub(r"[^\d.,\-]", "", raw)
    marks = [i for i, ch in enumerate(text) if ch in ".,"]
    point: int | None = None
    if marks and len({text[i] for i in marks}) == 2:
        point = marks[-1]
    elif len(marks) == 1:
        head, tail = text[: marks[0]], text[marks[0] + 1 :]
        point = None if len(tail) == 3 and head.strip("-0") else marks[0]
    number = "".join(ch for i, ch in enumerate(text) if ch not in ".," or i == point).replace(",", ".")
    try:
        return parse_amount(number, currency)
    except ValidationFailed as exc:
        raise RowFailure(f"amount {raw!r}: {exc.detail}") from None


def _date_parts(raw: str, month_first: bool) -> tuple[date, str]:
    text = raw.strip()
    match = _NUMERIC_DATE.fullmatch(text)
    if match:
        a, b, c, rest = match.groups()
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        else:
            first, second, year = int(a), int(b), int(c)
            year += 2000 if year < 100 else 0
            month_is_first = second > 12 or (first <= 12 and month_first)
            month, day = (first, second) if month_is_first else (second, first)
        try:
            return date(year, month, day), (rest or "").strip()
        except ValueError:
            raise RowFailure(f"Not a date: {raw}") from None
    for layout in _WORDY_FORMATS:
        try:
            return datetime.strptime(text, layout).date(), ""
        except ValueError:
            continue
    raise RowFailure(f"Not a date: {raw}")


def parse_date(raw: str, month_first: bool) -> date:
    return _date_parts(raw, month_first)[0]


def parse_datetime(raw: str, month_first: bool, zone: ZoneInfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    except ValueError:
        pass
    day, rest = _date_parts(raw, month_first)
    clock = time(0, 0)
    if rest:
        match = _TIME.match(rest)
        if match is None:
            raise RowFailure(f"Not a time: {raw}")
        hour, minute, second, meridiem = match.groups()
        hour_value = (
            int(hour) % 12 + (12 if meridiem and meridiem.lower().startswith("p") else 0)
            if meridiem
            else int(hour)
        )
        try:
            clock = time(hour_value, int(minute), int(second or 0))
        except ValueError:
            raise RowFailure(f"Not a time: {raw}") from None
    return datetime.combine(day, clock, tzinfo=zone)


def _status(raw: str | None) -> str | None:
    if raw is None:
        return None
    status = _STATUS.get(re.sub(r"[^a-z]", "", raw.casefold()))
    if status is None:
        raise RowFailure(f"status {raw!r} is not open, won or lost")
    return status


def _placement(
    pipeline: PipelineInfo, stage_name: str | None, status: str | None
) -> tuple[StageInfo, StageInfo]:
    """(the stage the deal is in, the stage it entered when created)."""
    named = pipeline.stage(stage_name) if stage_name else None
    if stage_name and named is None:
        raise RowFailure(f"Pipeline {pipeline.name!r} has no stage named {stage_name!r}")
    if named is not None and (status is None or status == named.kind):
        return named, named
    if status in ("won", "lost"):
        closing = pipeline.first(status)
        if closing is None:
            raise RowFailure(f"Pipeline {pipeline.name!r} has no {status} stage")
        return closing, named or closing
    if named is not None:  # an open status in a won or lost stage
        raise RowFailure(f"status {status!r} does not fit stage {named.name!r}")
    opening = pipeline.first("open")
    if opening is None:
        raise RowFailure(f"Pipeline {pipeline.name!r} has no open stage")
    return opening, opening


def deal_row(ctx: RowContext, row: int, cells: list[str]) -> Prepared:
    get = ctx.getter(cells)
    extra = ctx.extra
    title = get("title")
    if title is None:
        raise RowFailure("A deal needs a title")
    try:
        currency = check_currency(get("currency") or extra["currency"])
    except ValidationFailed as exc:
        raise RowFailure(exc.detail) from None
    raw_amount = get("amount")
    pipeline_name = get("pipeline")
    pipeline: PipelineInfo | None = (
        extra["pipelines"].get(fold(pipeline_name)) if pipeline_name else extra["default_pipeline"]
    )
    if pipeline is None:
        raise RowFailure(
            f"No pipeline named {pipeline_name!r}" if pipeline_name else "This workspace has no pipeline"
        )
    stage, entered = _placement(pipeline, get("stage"), _status(get("status")))
    month_first, zone = extra["month_first"], extra["zone"]
    emails = []
    for raw in re.split(r"[;,]", get("contact_email") or ""):
        if raw.strip():
            email = bulk_email(raw)
            if email is None:
                raise RowFailure(f"Not a valid email address: {raw.strip()}")
            emails.append(email)
    created = get("created_at")
    closed = get("closed_at")
    expected = get("expected_close_date")
    values = {
        "title": limited("name", title),
        "currency": currency,
        "amount": parse_money(raw_amount, currency) if raw_amount else None,
        "pipeline_id": pipeline.id,
        "stage_id": stage.id,
        "stage": stage.name,
        "status": stage.kind,
        "entered_stage_id": entered.id,
        "owner_id": owner(ctx, get),
        "account": limited("company", get("account")),
        "contact_emails": list(dict.fromkeys(emails)),
        "expected_close_date": parse_date(expected, month_first) if expected else None,
        "created_at": parse_datetime(created, month_first, zone) if created else None,
        "closed_at": parse_datetime(closed, month_first, zone) if closed and stage.kind != "open" else None,
        "lost_reason": limited("lost_reason", get("lost_reason")),
        "source": limited("source", get("source")),
        "tags": parse_tags(get("tags")),
        "custom_fields": custom_fields(ctx, get),
    }
    present = {**values, "account_id": values["account"], "contact_ids": values["contact_emails"]}
    missing_for_stage = [f for f in stage.required_fields if not present.get(f)]
    if missing_for_stage:
        raise RowFailure(f"Stage {stage.name!r} requires {', '.join(missing_for_stage)}")
    if stage.kind == "lost" and not values["lost_reason"]:
        raise RowFailure("A lost deal needs a lost_reason")
    detail = limited("lost_reason_detail", get("lost_reason_detail"))
    values["lost_reason_detail"] = detail
    options = ctx.extra.get("lost_reasons")
    if values["lost_reason"] and options:
        # Another CRM's reasons: the pick-list's spelling, else "Other" with the words as detail.
        try:
            values["lost_reason"], values["lost_reason_detail"] = pick(
                options, str(values["lost_reason"]), detail, off_list="other"
            )
        except ValidationFailed as exc:
            raise RowFailure(exc.detail) from None
    check_required(ctx, present)
    key = f"t:{title.lower()}|{(get('account') or '').lower()}"
    return Prepared(row=row, values=values, keys=(key,))
