"""Search everywhere, saved views, several emails and phones per contact.

Revision ID: 0090
Revises: 0080
Create Date: 2026-11-23

Search everywhere: one SECURITY DEFINER function per object ranks the workspace's records for a
typed term. As in 0003/0004 they exist because under row-level security PostgreSQL will not use
a non-leakproof operator (`<%`, LIKE) as an index condition; as their owner they can, and they
keep to the transaction's workspace with the very predicate the policies use (so a caller cannot
point them at another workspace), returning only ids and scores. Typos are met by pg_trgm's word
similarity (`q <% text`: the term is close to some stretch of the text), substrings by LIKE; both
are served by the GIN trigram indexes, combined as a BitmapOr. Activities gain a trigram index
on their subject.

Several emails and phones: `contacts.email`/`phone` stay the primary (every existing reader and
writer keeps working); the others, with labels, live in `other_emails`/`other_phones` (JSONB,
the API's order) and, for look-ups, in `contact_emails`/`contact_phones`, which a trigger keeps
equal to the JSON. Those are not unique: `?on_duplicate=allow` and imports under `create` keep
duplicates on purpose; the create path's 409 comes from an advisory lock per value plus an
indexed look-up, as it did for the primary.

Saved views: a user's named filters, sort and columns of a list, optionally shared.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from migrations.rls import APP_ROLE, enable_tenant_rls

revision = "0090"
down_revision = "0080"
branch_labels = None
depends_on = None

WORKSPACE = "NULLIF(current_setting('rapport.workspace_id', true), '')::uuid"
# A contact's name, the text typos are forgiven in: word similarity costs in proportion to the
# text's length, and the whole search_text (email, title) made it four times slower per row.
CONTACT_NAME = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"
C_NAME = "lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))"
SIGNATURE = "(q text, pattern text, words text[], word_patterns text[], lim integer, fuzzy boolean)"
ARGS = "(text, text, text[], text[], integer, boolean)"
FUNCTIONS = ("search_contacts", "search_accounts", "search_deals", "search_activities")
# Candidates scored per pass at most: a common word ("pilot" in 60,000 deal titles) would
# otherwise be scored row by row (about 40 us each). Verbatim matches are read first, so they
# are never crowded out by fuzzy ones; among a common word's many equal matches, any will do.
CANDIDATES = 300
# Fuzzy candidates cost more (the `<%` re-check, then the score, on every one) and a typo's
# best few are what matter.
FUZZY_CANDIDATES = 100


@dataclass(frozen=True)
class Target:
    """What one object's search reads: its table, the texts typos are forgiven in (`fuzzy`) and
    matched verbatim (`verbatim`), the record's name (for how much of it the term is)."""

    table: str
    fuzzy: tuple[str, ...]
    verbatim: tuple[str, ...]
    name: str
    live: str = "true"


TARGETS = {
    "search_contacts": Target(
        "contacts c", (C_NAME,), ("c.search_text",), C_NAME, live="c.merged_into_id IS NULL"
    ),
    "search_accounts": Target(
        "accounts a",
        ("lower(a.name)", "lower(a.domain)"),
        ("lower(a.name)", "lower(a.domain)"),
        "lower(a.name)",
        live="a.merged_into_id IS NULL",
    ),
    "search_deals": Target("deals d", ("d.search_text",), ("d.search_text",), "d.search_text"),
    "search_activities": Target(
        "activities t", ("lower(t.subject)",), ("lower(t.subject)",), "lower(t.subject)"
    ),
}


def _function(name: str, target: Target) -> str:
    """A plpgsql function building its statement for the term's number of words.

    Inside: $1 the term, $2 its words, $3 their LIKE patterns, $4 the term's LIKE pattern, $5 the
    limit. Every word must match (typo-tolerant `<%`, or verbatim LIKE), so "lodan pilot" reads
    the few titles near "lodan" rather than every "pilot"; each condition is an index OR and the
    words an index AND. EXECUTE plans with the actual values, so the indexes serve each call.
    Values only ever travel as parameters; the statement's text holds word numbers alone.
    """
    alias = target.table.split()[1]
    verbatim_term = " OR ".join(f"{t} LIKE $4" for t in target.verbatim)
    # greatest() passes over NULLs (an account without a domain).
    word_sim = "greatest(" + ", ".join(f"word_similarity($1, {t})" for t in target.fuzzy) + ")"
    score = (
        f"(0.6 * greatest({word_sim}, CASE WHEN {verbatim_term} THEN 0.8 ELSE 0 END)"
        f" + 0.25 * similarity($1, {target.name})"
        f" + 0.15 * ({verbatim_term})::int)::real"
    )
    word = " OR ".join(
        [*(f"$2[%1$s] <%% {t}" for t in target.fuzzy), *(f"{t} LIKE $3[%1$s]" for t in target.verbatim)]
    )
    base = f"FROM {target.table} WHERE {alias}.workspace_id = {WORKSPACE} AND {target.live}"
    return f"""
        CREATE FUNCTION {name}{SIGNATURE} RETURNS TABLE (id uuid, score real)
        LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        -- The planner prices word similarity like a cheap operator and, on a small table,
        -- scans every row (measured: 230 ms for 10,000 contacts) where the index takes 1 ms.
        SET enable_seqscan = off
        ROWS 20 AS $body$
        DECLARE
            every_word text := '';
        BEGIN
            IF NOT fuzzy THEN
                -- The term as typed, anywhere in the text: one LIKE on the trigram index.
                RETURN QUERY EXECUTE $q$
                    SELECT m.id, m.score FROM (
                        SELECT {alias}.id, {score} AS score {base} AND ({verbatim_term}) LIMIT {CANDIDATES}
                    ) m ORDER BY 2 DESC, 1 LIMIT $5
                    $q$
                USING q, words, word_patterns, pattern, lim;
                RETURN;
            END IF;
            FOR i IN 1 .. coalesce(array_length(words, 1), 0) LOOP
                every_word := every_word || format($w$ AND ({word})$w$, i);
            END LOOP;
            RETURN QUERY EXECUTE format(
                $q$
                SELECT m.id, m.score FROM (
                    SELECT {alias}.id, {score} AS score {base} %s LIMIT {FUZZY_CANDIDATES}
                ) m ORDER BY 2 DESC, 1 LIMIT $5
                $q$,
                every_word)
            USING q, words, word_patterns, pattern, lim;
        END
        $body$
    """


def _search_functions() -> None:
    # The score (0..1) weighs how well the term matches some stretch of the text, how much of
    # the record's name it is, and whether it appears verbatim, so an exact name beats a fuzzy
    # one and a company named exactly so beats a deal that mentions it.
    for name, target in TARGETS.items():
        op.execute(_function(name, target))
        op.execute(f"REVOKE ALL ON FUNCTION {name}{ARGS} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}{ARGS} TO {APP_ROLE}")


def _contact_channels() -> None:
    op.add_column("contacts", sa.Column("email_label", sa.String(50)))
    op.add_column("contacts", sa.Column("phone_label", sa.String(50)))
    op.add_column(
        "contacts", sa.Column("other_emails", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    op.add_column(
        "contacts", sa.Column("other_phones", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    for kind in ("email", "phone"):
        table = f"contact_{kind}s"
        op.create_table(
            table,
            sa.Column(
                "workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
            ),
            sa.Column("contact_id", sa.Uuid, nullable=False),
            sa.Column(kind, sa.String(320 if kind == "email" else 50), nullable=False),
            sa.PrimaryKeyConstraint("workspace_id", "contact_id", kind, name=f"pk_{table}"),
            sa.ForeignKeyConstraint(
                ["workspace_id", "contact_id"],
                ["contacts.workspace_id", "contacts.id"],
                ondelete="CASCADE",
                name=f"fk_{table}_contact",
            ),
        )
        op.create_index(f"ix_{table}_value", table, ["workspace_id", kind])
        enable_tenant_rls(table)
    # The look-up tables follow the JSON whoever writes it (API, merge, a future import path).
    op.execute(
        """
        CREATE FUNCTION contact_channels_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' OR NEW.other_emails IS DISTINCT FROM OLD.other_emails THEN
                IF TG_OP = 'UPDATE' THEN
                    DELETE FROM contact_emails WHERE workspace_id = NEW.workspace_id AND contact_id = NEW.id;
                END IF;
                INSERT INTO contact_emails (workspace_id, contact_id, email)
                SELECT DISTINCT NEW.workspace_id, NEW.id, e ->> 'email'
                FROM jsonb_array_elements(NEW.other_emails) e WHERE e ->> 'email' IS NOT NULL;
            END IF;
            IF TG_OP = 'INSERT' OR NEW.other_phones IS DISTINCT FROM OLD.other_phones THEN
                IF TG_OP = 'UPDATE' THEN
                    DELETE FROM contact_phones WHERE workspace_id = NEW.workspace_id AND contact_id = NEW.id;
                END IF;
                INSERT INTO contact_phones (workspace_id, contact_id, phone)
                SELECT DISTINCT NEW.workspace_id, NEW.id, p ->> 'phone'
                FROM jsonb_array_elements(NEW.other_phones) p WHERE p ->> 'phone' IS NOT NULL;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    # Only rows that carry other channels fire it, so bulk loads of plain contacts pay nothing.
    op.execute(
        """
        CREATE TRIGGER contact_channels_insert AFTER INSERT ON contacts FOR EACH ROW
        WHEN (NEW.other_emails <> '[]'::jsonb OR NEW.other_phones <> '[]'::jsonb)
        EXECUTE FUNCTION contact_channels_sync()
        """
    )
    op.execute(
        """
        CREATE TRIGGER contact_channels_update AFTER UPDATE OF other_emails, other_phones ON contacts
        FOR EACH ROW EXECUTE FUNCTION contact_channels_sync()
        """
    )


def _saved_views() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "workspace_id", sa.Uuid, sa.ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("owner_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("object", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("filters", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("sort", sa.String(100)),
        sa.Column("columns", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("workspace_id", "id", name="uq_saved_views_workspace_id_id"),
        sa.CheckConstraint(
            "object IN ('contacts', 'accounts', 'deals', 'activities')", name="ck_saved_views_object_valid"
        ),
    )
    op.create_index("ix_saved_views_owner", "saved_views", ["workspace_id", "owner_id", "object"])
    op.create_index(
        "ix_saved_views_shared", "saved_views", ["workspace_id", "object"], postgresql_where=sa.text("shared")
    )
    enable_tenant_rls("saved_views")


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_activities_subject_trgm ON activities USING gin (lower(subject) gin_trgm_ops)"
    )
    op.execute(f"CREATE INDEX ix_contacts_name_trgm ON contacts USING gin (({CONTACT_NAME}) gin_trgm_ops)")
    _search_functions()
    _contact_channels()
    _saved_views()


def downgrade() -> None:
    op.drop_table("saved_views")
    op.execute("DROP TRIGGER IF EXISTS contact_channels_update ON contacts")
    op.execute("DROP TRIGGER IF EXISTS contact_channels_insert ON contacts")
    op.execute("DROP FUNCTION IF EXISTS contact_channels_sync()")
    op.drop_table("contact_phones")
    op.drop_table("contact_emails")
    for column in ("other_phones", "other_emails", "phone_label", "email_label"):
        op.drop_column("contacts", column)
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}{ARGS}")
    op.execute("DROP INDEX IF EXISTS ix_contacts_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_activities_subject_trgm")
