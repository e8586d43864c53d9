"""Search everywhere: `GET /search?q=` across contacts, accounts, deals and activities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CtxDep
from api.errors import problem_responses
from api.schemas.search import RecordRef, SearchHit, SearchResults
from domain import search_everywhere as search

router = APIRouter(prefix="/api/v1", tags=["search"], responses=problem_responses(400, 401, 403, 422))


@router.get("/search", response_model=SearchResults, operation_id="search-everywhere")
async def search_everything(
    ctx: CtxDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=search.MAX_TERM, description="What to look for; typos are forgiven."),
    ],
    objects: Annotated[
        str | None,
        Query(max_length=100, description="Comma-separated subset of contacts, accounts, deals, activities."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = search.DEFAULT_LIMIT,
) -> Response:
    hits = await search.search_everywhere(
        ctx.session, ctx.principal, q=q, objects=search.parse_objects(objects), limit=limit
    )
    return await ctx.respond(
        SearchResults(
            items=[
                SearchHit(
                    object=h.object,
                    id=h.id,
                    title=h.title,
                    subtitle=h.subtitle,
                    score=h.score,
                    about=RecordRef(object=h.about[0], id=h.about[1]) if h.about else None,
                )
                for h in hits
            ]
        )
    )
