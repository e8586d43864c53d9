"""Search everywhere, saved views, several emails and phones per contact.

Revision ID: 0090
Revises: 0050
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

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from migrations.rls import APP_ROLE, enable_tenant_rls

revision = "0090"
down_revision = "0050"
branch_labels = None
depends_on = None

WORKSPACE = "NULLIF(current_setting('rapport.workspace_id', true), '')::uuid"
# The word-similarity threshold of `<%` is the caller's (domain.search_everywhere sets it for
# the transaction): a strict pass first, a looser one only when that finds nothing.
SEARCH_SETTINGS = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public"
# A contact's name, the text typos are forgiven in: word similarity costs in proportion to the
# text's length, and the whole search_text (email, title) made it four times slower per row.
CONTACT_NAME = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))"
C_NAME = "lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))"
SIGNATURE = "(q text, pattern text, lim integer)"
FUNCTIONS = ("search_contacts", "search_accounts", "search_deals", "search_activities")


def _search_functions() -> None:
    # `q` is the lower-cased term, `pattern` the same as a LIKE "contains" pattern. The score
    # (0..1) weighs how well the term matches some word of the text, how much of the record's
    # name it is, and whether it appears verbatim, so an exact name beats a fuzzy email.
    op.execute(
        f"""
        CREATE FUNCTION search_contacts{SIGNATURE} RETURNS TABLE (id uuid, score real)
        {SEARCH_SETTINGS} ROWS 20 AS $$
            SELECT c.id,
                   (0.6 * greatest(word_similarity(q, {C_NAME}),
                                   CASE WHEN c.search_text LIKE pattern THEN 0.8 ELSE 0 END)
                    + 0.25 * similarity(q, {C_NAME})
                    + 0.15 * (c.search_text LIKE pattern)::int)::real AS score
            FROM contacts c
            WHERE c.workspace_id = {WORKSPACE}
              AND c.merged_into_id IS NULL
              AND (q <% {C_NAME} OR c.search_text LIKE pattern)
            ORDER BY score DESC, c.id
            LIMIT lim
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION search_accounts{SIGNATURE} RETURNS TABLE (id uuid, score real)
        {SEARCH_SETTINGS} ROWS 20 AS $$
            SELECT a.id,
                   (0.6 * greatest(word_similarity(q, lower(a.name)),
                                   word_similarity(q, coalesce(lower(a.domain), '')))
                    + 0.25 * similarity(q, lower(a.name))
                    + 0.15 * (lower(a.name) LIKE pattern OR lower(a.domain) LIKE pattern)::int)::real
                   AS score
            FROM accounts a
            WHERE a.workspace_id = {WORKSPACE}
              AND a.merged_into_id IS NULL
              AND (q <% lower(a.name) OR q <% lower(a.domain)
                   OR lower(a.name) LIKE pattern OR lower(a.domain) LIKE pattern)
            ORDER BY score DESC, a.id
            LIMIT lim
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION search_deals{SIGNATURE} RETURNS TABLE (id uuid, score real)
        {SEARCH_SETTINGS} ROWS 20 AS $$
            SELECT d.id,
                   (0.6 * word_similarity(q, d.search_text)
                    + 0.25 * similarity(q, d.search_text)
                    + 0.15 * (d.search_text LIKE pattern)::int)::real AS score
            FROM deals d
            WHERE d.workspace_id = {WORKSPACE}
              AND (q <% d.search_text OR d.search_text LIKE pattern)
            ORDER BY score DESC, d.id
            LIMIT lim
        $$
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION search_activities{SIGNATURE} RETURNS TABLE (id uuid, score real)
        {SEARCH_SETTINGS} ROWS 20 AS $$
            SELECT t.id,
                   (0.6 * word_similarity(q, lower(t.subject))
                    + 0.25 * similarity(q, lower(t.subject))
                    + 0.15 * (lower(t.subject) LIKE pattern)::int)::real AS score
            FROM activities t
            WHERE t.workspace_id = {WORKSPACE}
              AND (q <% lower(t.subject) OR lower(t.subject) LIKE pattern)
            ORDER BY score DESC, t.id
            LIMIT lim
        $$
        """
    )
    for name in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {name}(text, text, integer) FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {name}(text, text, integer) TO {APP_ROLE}")


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
        sa.UniqueConstraint("workspace_id", "id", name="uq_saved_views_workspace_id"),
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
        op.execute(f"DROP FUNCTION IF EXISTS {name}(text, text, integer)")
    op.execute("DROP INDEX IF EXISTS ix_contacts_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_activities_subject_trgm")
