"""Shapes shared by many resources."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class StrictIn(BaseModel):
    """Request bodies reject unknown fields so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")
