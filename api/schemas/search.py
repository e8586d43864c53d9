"""Search everywhere: one ranked list of matching records of every kind."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from domain.search_everywhere import SearchObject


class RecordRef(BaseModel):
    object: SearchObject
    id: uuid.UUID


class SearchHit(BaseModel):
    object: SearchObject = Field(description="Which list the record belongs to.")
    id: uuid.UUID
    title: str = Field(
        description="A contact's name, an account's name, a deal's title, an activity's subject."
    )
    subtitle: str | None = Field(
        description="What tells similar titles apart (title and company, stage and amount...)."
    )
    score: float = Field(description="0..1, higher is a better match; comparable across objects.")
    about: RecordRef | None = Field(
        default=None,
        description="For an activity, the record it belongs to (its deal, else contact, else account).",
    )


class SearchResults(BaseModel):
    items: list[SearchHit]
