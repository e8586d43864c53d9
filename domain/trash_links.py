"""What a delete undoes, read from the database's own foreign keys, and how to do it again.

Deleting a row makes PostgreSQL act on every foreign key that points at it: `SET NULL` columns
are cleared (a deleted account's contacts lose `account_id`) and `CASCADE` rows go with it (a
deleted contact's deal links). Rather than a hand-kept list that drifts as tables are added, the
links are found in `pg_constraint` when the record is trashed, so a table added later (files on
a contact, a contact's extra emails) is captured and restored without anyone remembering to.

A snapshot is `{"table", "row", "cascade": [{"table", "row"}...], "set_null": [{"table",
"columns", "keys"}...]}`: rows as `to_jsonb` gave them, cascaded rows parents first, and for each
cleared link the primary keys of the rows that pointed here.

Restoring is the delete run backwards, with care for what changed meanwhile:
- a row is re-inserted only when everything it points at exists; a link to a record that is
  itself in the trash moves into that record's snapshot (restoring it later reconnects both);
  a link to something gone for good is dropped (SET NULL) or the row is left out (CASCADE);
- a cleared link is set again only where it is still empty: a contact given another account
  while this one sat in the trash keeps the user's later choice.
Tables that triggers derive from others (report summaries) are never captured: re-inserting
the rows they derive from rebuilds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# Kept by triggers from their parent rows (the report summaries of migration 0010; a contact's
# look-up addresses of 0090): the re-inserted parent rebuilds them, so they are never captured.
DERIVED_TABLES = frozenset({"deal_closings", "stage_visits", "contact_emails", "contact_phones"})
# Where a deleted record waits; the tables of `object` in the API.
TRASHABLE = frozenset({"contacts", "accounts", "deals", "activities"})
# A cascade of cascades deeper than this is not captured (none in the schema is deeper than 1).
MAX_DEPTH = 4


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str  # pg_constraint.confdeltype: c cascade, n set null, a/r refuse, d default
    set_null: tuple[str, ...]

    def ref_value_column(self, column: str) -> str:
        return self.ref_columns[self.columns.index(column)]


@dataclass(frozen=True)
class Catalog:
    foreign_keys: tuple[ForeignKey, ...]
    columns: dict[str, tuple[str, ...]]  # insertable (not generated) columns per table
    primary_keys: dict[str, tuple[str, ...]]

    def pointing_at(self, table: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.ref_table == table]

    def pointing_from(self, table: str) -> list[ForeignKey]:
        return [fk for fk in self.foreign_keys if fk.table == table]


_catalog: Catalog | None = None

_FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS ref_table,
       c.confdeltype::text AS on_delete,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS ref_columns,
       ARRAY(SELECT a.attname::text FROM unnest(COALESCE(c.confdelsetcols, c.conkey)) k(n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS set_null
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
ORDER BY c.conrelid::regclass::text, c.conname
"""
_COLUMNS_SQL = """
SELECT a.attrelid::regclass::text AS table_name, a.attname::text AS column_name
FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attrelid, a.attnum
"""
_PRIMARY_KEYS_SQL = """
SELECT i.indrelid::regclass::text AS table_name,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) AS columns
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE i.indisprimary AND t.relnamespace = 'public'::regnamespace
"""


async def catalog(session: AsyncSession) -> Catalog:
    """Foreign keys, columns and primary keys; read once per process (only migrations change them)."""
    global _catalog
    if _catalog is None:
        fks = tuple(
            ForeignKey(
                table=r.table_name,
                columns=tuple(r.columns),
                ref_table=r.ref_table,
                ref_columns=tuple(r.ref_columns),
                on_delete=r.on_delete,
                set_null=tuple(r.set_null),
            )
            for r in (await session.execute(text(_FOREIGN_KEYS_SQL))).all()
        )
        columns: dict[str, list[str]] = {}
        for r in (await session.execute(text(_COLUMNS_SQL))).all():
            columns.setdefault(r.table_name, []).append(r.column_name)
        keys = {
            r.table_name: tuple(r.columns) for r in (await session.execute(text(_PRIMARY_KEYS_SQL))).all()
        }
        _catalog = Catalog(fks, {t: tuple(c) for t, c in columns.items()}, keys)
    return _catalog


def _q(name: str) -> str:
    """A catalog name as an SQL identifier (names come from pg_catalog, never from a client)."""
    return '"' + name.replace('"', '""') + '"'


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _join(fk: ForeignKey, child: str, parent: str) -> str:
    return " AND ".join(
        f"{child}.{_q(col)} = {parent}.{_q(ref)}" for col, ref in zip(fk.columns, fk.ref_columns, strict=True)
    )


async def _rows_pointing(
    session: AsyncSession, fk: ForeignKey, parent_table: str, parent: dict[str, Any], select: str
) -> list[Any]:
    sql = (
        f"SELECT {select} FROM {_q(fk.table)} t, "
        f"jsonb_populate_record(NULL::{_q(parent_table)}, CAST(:parent AS jsonb)) p "
        f"WHERE {_join(fk, 't', 'p')}"
    )
    return list((await session.execute(text(sql), {"parent": _json(parent)})).scalars().all())


async def capture(session: AsyncSession, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row and every link its delete will undo, read before the delete."""
    cat = await catalog(session)
    cascade: list[dict[str, Any]] = []
    set_null: list[dict[str, Any]] = []
    level: list[tuple[str, dict[str, Any]]] = [(table, row)]
    for _ in range(MAX_DEPTH):
        next_level: list[tuple[str, dict[str, Any]]] = []
        for parent_table, parent in level:
            for fk in cat.pointing_at(parent_table):
                if fk.table in DERIVED_TABLES:
                    continue
                if fk.on_delete == "c":
                    for child in await _rows_pointing(session, fk, parent_table, parent, "to_jsonb(t)"):
                        cascade.append({"table": fk.table, "row": child})
                        next_level.append((fk.table, child))
                elif fk.on_delete == "n":
                    pk = cat.primary_keys.get(fk.table)
                    if not pk:
                        continue
                    select = "jsonb_build_object(" + ", ".join(f"'{c}', t.{_q(c)}" for c in pk) + ")"
                    keys = await _rows_pointing(session, fk, parent_table, parent, select)
                    if keys:
                        set_null.append(
                            {
                                "table": fk.table,
                                "columns": list(fk.set_null),
                                "keys": keys,
                                "fk": list(fk.columns),
                            }
                        )
        level = next_level
        if not level:
            break
    return {"table": table, "row": row, "cascade": cascade, "set_null": set_null}


async def read_row(
    session: AsyncSession, table: str, workspace_id: Any, record_id: Any
) -> dict[str, Any] | None:
    value = await session.scalar(
        text(f"SELECT to_jsonb(t) FROM {_q(table)} t WHERE t.workspace_id = :ws AND t.id = :id"),
        {"ws": workspace_id, "id": record_id},
    )
    return dict(value) if value is not None else None


@dataclass
class Missing:
    """A row's link to something absent: the foreign key, and the trashed record's id if it is one."""

    fk: ForeignKey
    trashed_id: str | None


async def missing_links(session: AsyncSession, table: str, row: dict[str, Any]) -> list[Missing]:
    """The row's outgoing links whose target does not exist now."""
    cat = await catalog(session)
    found: list[Missing] = []
    for fk in cat.pointing_from(table):
        if fk.ref_table == "workspaces" or any(row.get(col) is None for col in fk.columns):
            continue
        exists = await session.scalar(
            text(
                f"SELECT EXISTS (SELECT 1 FROM {_q(fk.ref_table)} r, "
                f"jsonb_populate_record(NULL::{_q(table)}, CAST(:row AS jsonb)) t "
                f"WHERE {_join(fk, 't', 'r')})"
            ),
            {"row": _json(row)},
        )
        if exists:
            continue
        trashed_id: str | None = None
        if fk.ref_table in TRASHABLE and "id" in fk.ref_columns:
            candidate = row[fk.columns[fk.ref_columns.index("id")]]
            in_trash = await session.scalar(
                text(
                    "SELECT EXISTS (SELECT 1 FROM trash_items "
                    "WHERE id = CAST(:id AS uuid) AND object = :object)"
                ),
                {"id": str(candidate), "object": fk.ref_table},
            )
            trashed_id = str(candidate) if in_trash else None
        found.append(Missing(fk, trashed_id))
    return found


async def insert_row(session: AsyncSession, table: str, row: dict[str, Any], *, skip_existing: bool) -> bool:
    """Insert the snapshot's row as it was.

    Generated columns are recomputed; columns added since the delete take their defaults.
    """
    cat = await catalog(session)
    columns = [c for c in cat.columns.get(table, ()) if c in row]
    names = ", ".join(_q(c) for c in columns)
    conflict = " ON CONFLICT DO NOTHING" if skip_existing else ""
    result = await session.execute(
        text(
            f"INSERT INTO {_q(table)} ({names}) SELECT {names} "
            f"FROM jsonb_populate_record(NULL::{_q(table)}, CAST(:row AS jsonb)){conflict}"
        ),
        {"row": _json(row)},
    )
    return bool(getattr(result, "rowcount", 1))


async def relink(
    session: AsyncSession, record_table: str, record: dict[str, Any], link: dict[str, Any]
) -> None:
    """Point the rows that pointed here before the delete back here, where still empty.

    Rows that are themselves in the trash get the link in their snapshot instead.
    """
    cat = await catalog(session)
    table = link["table"]
    fk = next(
        (f for f in cat.pointing_at(record_table) if f.table == table and list(f.columns) == link["fk"]),
        None,
    )
    pk = cat.primary_keys.get(table)
    if fk is None or not pk:
        return
    assignments = ", ".join(f"{_q(c)} = p.{_q(fk.ref_value_column(c))}" for c in link["columns"])
    still_empty = " AND ".join(f"t.{_q(c)} IS NULL" for c in link["columns"])
    same_rest = [
        f"t.{_q(c)} = p.{_q(fk.ref_value_column(c))}" for c in fk.columns if c not in link["columns"]
    ]
    by_key = " AND ".join(f"t.{_q(c)} = k.{_q(c)}" for c in pk)
    where = " AND ".join([by_key, still_empty, *same_rest])
    await session.execute(
        text(
            f"UPDATE {_q(table)} t SET {assignments} "
            f"FROM jsonb_populate_record(NULL::{_q(record_table)}, CAST(:record AS jsonb)) p, "
            f"jsonb_populate_recordset(NULL::{_q(table)}, CAST(:keys AS jsonb)) k WHERE {where}"
        ),
        {"record": _json(record), "keys": _json(link["keys"])},
    )
    if table in TRASHABLE and pk == ("id",):
        ids = [str(k["id"]) for k in link["keys"]]
        for column in link["columns"]:
            await session.execute(
                text(
                    "UPDATE trash_items SET snapshot = jsonb_set("
                    "snapshot, ARRAY['row', CAST(:column AS text)], "
                    "CAST(:record AS jsonb) -> CAST(:ref AS text)) "
                    "WHERE object = :table AND id = ANY(CAST(:ids AS uuid[])) AND "
                    "COALESCE(snapshot #> ARRAY['row', CAST(:column AS text)], 'null'::jsonb) = 'null'::jsonb"
                ),
                {
                    "column": column,
                    "ref": fk.ref_value_column(column),
                    "record": _json(record),
                    "table": table,
                    "ids": ids,
                },
            )


async def hand_over(session: AsyncSession, trashed_id: str, key: str, entry: dict[str, Any]) -> None:
    """Append a pending link to a trashed record's snapshot: restoring it will make the link."""
    await session.execute(
        text(
            "UPDATE trash_items SET snapshot = jsonb_set(snapshot, ARRAY[CAST(:key AS text)], "
            "COALESCE(snapshot -> CAST(:key AS text), '[]'::jsonb) "
            "|| jsonb_build_array(CAST(:entry AS jsonb))) "
            "WHERE id = CAST(:id AS uuid)"
        ),
        {"key": key, "entry": _json(entry), "id": trashed_id},
    )


def primary_key(cat: Catalog, table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {c: row.get(c) for c in cat.primary_keys.get(table, ())}
