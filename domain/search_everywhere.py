"""Search everywhere: contacts, accounts, deals and activities for one typed term, ranked together.

Each object has a SECURITY DEFINER function of migration 0090 (`search_<object>`) that finds
and scores its best matches through the trigram indexes, inside the transaction's workspace
(see domain.search for why a function: under row-level security the index could not serve the
match). The functions run as one UNION ALL statement, one round trip, whose outer part reads
titles under RLS like any query; the best `limit` of all of them win.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import invalid
from domain.principal import Principal
from domain.search import like_pattern

SearchObject = Literal["contacts", "accounts", "deals", "activities"]
OBJECTS: tuple[SearchObject, ...] = get_args(SearchObject)
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_TERM = 200
# pg_trgm's `<%` threshold: 0.5 lets a swapped pair or a dropped letter through ("scorpoi",
# "scorio" find Scorpio) and keeps the candidates few; a term that finds nothing so is tried
# again at 0.4, which also forgives a wrong letter mid-word ("scarpio"). Measured on a million
# contacts, the looser pass reads about twice the candidates, so it is only the fallback.
STRICT, LOOSE = 0.5, 0.4
LOOSE_MIN_LENGTH = 4
MAX_WORDS = 6

# Per object: the title and subtitle a result shows, read under RLS for the ids the function found.
_PARTS: dict[SearchObject, str] = {
    "contacts": """
        SELECT 'contacts' AS object, c.id, s.score,
               coalesce(nullif(concat_ws(' ', c.first_name, c.last_name), ''), c.email, c.phone) AS title,
               nullif(concat_ws(' · ', c.title, a.name, c.email), '') AS subtitle,
               NULL::text AS about_object, NULL::uuid AS about_id
        FROM search_contacts(:q, :pattern, :words, :word_patterns, :lim, :fuzzy) s
        JOIN contacts c ON c.id = s.id
        LEFT JOIN accounts a ON a.workspace_id = c.workspace_id AND a.id = c.account_id
    """,
    "accounts": """
        SELECT 'accounts', a.id, s.score, a.name, nullif(concat_ws(' · ', a.domain, a.industry), ''),
               NULL, NULL
        FROM search_accounts(:q, :pattern, :words, :word_patterns, :lim, :fuzzy) s
        JOIN accounts a ON a.id = s.id
    """,
    "deals": """
        SELECT 'deals', d.id, s.score, d.title,
               concat_ws(' · ', st.name,
                         round(d.amount, 2) || ' ' || d.currency,
                         CASE WHEN d.status <> 'open' THEN d.status END),
               NULL, NULL
        FROM search_deals(:q, :pattern, :words, :word_patterns, :lim, :fuzzy) s
        JOIN deals d ON d.id = s.id
        JOIN stages st ON st.workspace_id = d.workspace_id AND st.id = d.stage_id
    """,
    "activities": """
        SELECT 'activities', t.id, s.score, t.subject,
               concat_ws(' · ', t.type,
                         'due ' || to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                         CASE WHEN t.completed_at IS NOT NULL THEN 'done' END),
               CASE WHEN t.deal_id IS NOT NULL THEN 'deals' WHEN t.contact_id IS NOT NULL THEN 'contacts'
                    WHEN t.account_id IS NOT NULL THEN 'accounts' END,
               coalesce(t.deal_id, t.contact_id, t.account_id)
        FROM search_activities(:q, :pattern, :words, :word_patterns, :lim, :fuzzy) s
        JOIN activities t ON t.id = s.id
    """,
}


@dataclass(frozen=True)
class Hit:
    object: SearchObject
    id: uuid.UUID
    title: str
    subtitle: str | None
    score: float
    # What an activity is about (its deal, else contact, else account): where a link can go.
    about: tuple[SearchObject, uuid.UUID] | None = None


def parse_objects(raw: str | None) -> list[SearchObject]:
    """`contacts,deals` -> those objects (all when absent); an unknown one is a 422."""
    if raw is None or not raw.strip():
        return list(OBJECTS)
    chosen: list[SearchObject] = []
    for part in raw.split(","):
        name = part.strip().lower()
        if name not in OBJECTS:
            raise invalid(["query", "objects"], f"Unknown object {part.strip()!r}; use {', '.join(OBJECTS)}")
        if name not in chosen:
            chosen.append(name)
    return chosen


async def search_everywhere(
    session: AsyncSession,
    principal: Principal,
    *,
    q: str,
    objects: Sequence[SearchObject] = OBJECTS,
    limit: int = DEFAULT_LIMIT,
) -> list[Hit]:
    """The best `limit` records of `objects` for `q`, best first (ties: object order, then id)."""
    del principal  # the functions and the outer query keep to the transaction's workspace
    term = " ".join(q.split()).lower()
    if not term:
        raise invalid(["query", "q"], "Type something to search for")
    union = " UNION ALL ".join(f"({_PARTS[name]})" for name in objects)
    statement = text(
        f"SELECT * FROM ({union}) AS hits (object, id, score, title, subtitle, about_object, about_id)"
        " ORDER BY score DESC, object, id LIMIT :lim"
    )
    # Every word must match (typos forgiven in each); words past MAX_WORDS only rank.
    words = list(dict.fromkeys(term.split()))[:MAX_WORDS]
    params = {
        "q": term,
        "pattern": like_pattern(term),
        "words": words,
        "word_patterns": [like_pattern(w) for w in words],
        "lim": limit,
    }
    # Verbatim first, everywhere: a term found as typed is what was meant. Only when nothing
    # has it are typos looked for, strictly, then (nothing still) loosely.
    rows = list(await session.execute(statement, {**params, "fuzzy": False}))
    passes = (STRICT, LOOSE) if len(term) >= LOOSE_MIN_LENGTH else (STRICT,)
    for threshold in passes if not rows else ():
        # Transaction-local, like the request's role; only these functions use `<%`.
        await session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"), {"t": str(threshold)}
        )
        rows = list(await session.execute(statement, {**params, "fuzzy": True}))
        if rows:
            break
    return [
        Hit(
            object=row[0],
            id=row[1],
            title=row[3] or "",
            subtitle=row[4] or None,
            score=round(float(row[2]), 4),
            about=(row[5], row[6]) if row[5] is not None else None,
        )
        for row in rows
    ]
