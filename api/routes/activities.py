"""Routes for activities (being written)."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import problem_responses

router = APIRouter(prefix="/api/v1", tags=["activities"], responses=problem_responses(400, 401, 403, 404))
