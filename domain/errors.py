"""Errors the domain raises; api/errors.py maps each to problem+json once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class FieldError:
    loc: Sequence[str | int]
    msg: str
    type: str = "value_error"


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", *, errors: Sequence[FieldError] = (), **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors)
        self.extra = extra


class BadRequest(DomainError):
    status = 400
    title = "Bad request"


class Unauthorized(DomainError):
    status = 401
    title = "Not authenticated"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    title = "Precondition failed"


class ValidationFailed(DomainError):
    status = 422
    title = "Validation failed"


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after


def invalid(field_name: str | Sequence[str | int], msg: str) -> ValidationFailed:
    loc: list[str | int] = ["body", field_name] if isinstance(field_name, str) else list(field_name)
    return ValidationFailed(msg, errors=[FieldError(loc=loc, msg=msg)])
