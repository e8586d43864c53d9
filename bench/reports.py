"""Every report over 1,000,000 deals, 5,000,000 activities and 200,000 contacts.

The data is made in SQL (generate_series, one INSERT ... SELECT per table) as the connecting
role with triggers off (`session_replication_role = replica`) and the bulk tables' indexes
dropped, then the trigger-kept tables are filled the way their migrations backfill them and the
indexes rebuilt from their own definitions: what a long-lived workspace looks like, made in
minutes. Two years of history up to now, in a Europe/Paris workspace; 80% of the deals in the
default pipeline, 20% in a second one; twenty owners.

Each report's statements run through the domain functions (the SQL the API runs, without HTTP
and JSON) inside an RLS transaction as `rapport_app`, `REPEATS` times each; the median and the
slowest are reported. `BENCH_REPORTS_SCALE` (default 1) shrinks the data for a quick try.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx

from bench.env import World, signup

SCALE = float(os.environ.get("BENCH_REPORTS_SCALE", "1"))
DEALS = int(1_000_000 * SCALE)
ACTIVITIES = int(5_000_000 * SCALE)
CONTACTS = int(200_000 * SCALE)
OWNERS = 20
REPEATS = 15
BULK_TABLES = ("contacts", "deals", "deal_contacts", "stage_history", "activities")
SOURCES = "ARRAY['web','referral','event','partner','cold call','ads','newsletter',NULL]"

# Deals: created over two years; 55% closed (won 40% of those) a few weeks to months after
# creation, the rest open with an expected close date in the coming year. Their history walks
# the open stages in order up to where they are (about 4 entries a deal).
DEALS_SQL = (
    """
INSERT INTO deals (id, workspace_id, title, amount, currency, pipeline_id, stage_id, status, owner_id,
                   expected_close_date, closed_at, lost_reason, source, rank, stage_entered_at,
                   created_at, updated_at, version)
SELECT gen_random_uuid(), $1, 'Deal ' || g, (500 + (g::bigint * 7919) % 200000)::numeric,
       CASE WHEN g % 10 = 0 THEN 'EUR' ELSE 'USD' END,
       p.pipeline_id, p.stage_id, p.kind, o.id,
       CASE WHEN p.kind = 'open' THEN (now() + (g % 365) * interval '1 day')::date END,
       CASE WHEN p.kind <> 'open' THEN LEAST(t.created + (5 + g % 120) * interval '1 day', now()) END,
       CASE WHEN p.kind = 'lost' THEN 'Went elsewhere' END,
       ("""
    + SOURCES
    + """)[1 + g % 8],
       'a' || lpad(to_hex(g), 8, '0') || '1',
       LEAST(t.created + (5 + g % 120) * interval '1 day', now()),
       t.created, t.created, 1
FROM generate_series(1, $2) AS g
CROSS JOIN LATERAL (SELECT now() - (g::float8 / $2) * interval '730 days'
                               - (g % 86400) * interval '1 second' AS created) t
CROSS JOIN LATERAL (
    SELECT s.pipeline_id, s.id AS stage_id, s.kind FROM bench_stage_pick s
    WHERE s.pipeline_no = CASE WHEN g % 5 = 0 THEN 2 ELSE 1 END
      AND s.slot = (g * 31) % 100
) p
CROSS JOIN LATERAL (SELECT id FROM bench_owners WHERE n = g % $3) o
"""
)

# The open stages a deal went through (its creation into the first, then each move) and, for a
# closed deal, its closing stage.
HISTORY_SQL = """
INSERT INTO stage_history (id, workspace_id, deal_id, pipeline_id, from_stage_id, to_stage_id,
                           actor_type, actor_id, at)
SELECT gen_random_uuid(), d.workspace_id, d.id, d.pipeline_id,
       lag(s.id) OVER (PARTITION BY d.id ORDER BY s.position), s.id,
       'user', d.owner_id,
       d.created_at + (d.stage_entered_at - d.created_at)
                      * (row_number() OVER (PARTITION BY d.id ORDER BY s.position) - 1)
                      / GREATEST(count(*) OVER (PARTITION BY d.id) - 1, 1)
FROM deals d
JOIN stages cur ON cur.id = d.stage_id
JOIN stages s ON s.pipeline_id = d.pipeline_id
    AND ((s.kind = 'open' AND (s.position <= cur.position OR cur.kind <> 'open')) OR s.id = cur.id)
"""

DEAL_CONTACTS_SQL = """
INSERT INTO deal_contacts (workspace_id, deal_id, contact_id, position)
SELECT d.workspace_id, d.id, c.id, 0
FROM (SELECT id, workspace_id, row_number() OVER () AS n FROM deals) d
JOIN bench_contact_ids c ON c.n = d.n % $1
"""

CONTACTS_SQL = (
    """
INSERT INTO contacts (id, workspace_id, first_name, last_name, email, source, owner_id,
                      created_at, updated_at, version)
SELECT gen_random_uuid(), $1, 'First' || g, 'Last' || g, 'person' || g || '@example' || g % 97 || '.com',
       ("""
    + SOURCES
    + """)[1 + g % 8], o.id,
       now() - (g::float8 / $2) * interval '760 days', now(), 1
FROM generate_series(1, $2) AS g
CROSS JOIN LATERAL (SELECT id FROM bench_owners WHERE n = g % $3) o
"""
)

# Calls, emails, meetings, notes and tasks (half of them completed a few days later), 60% on a
# deal (its pipeline set as the triggers would), most on a contact, 5% by automations.
ACTIVITIES_SQL = """
INSERT INTO activities (id, workspace_id, type, subject, owner_id, contact_id, deal_id, pipeline_id,
                        due_at, completed_at, created_by_type, created_at, updated_at, version, open_count)
SELECT gen_random_uuid(), $1, k.type, 'Activity ' || g, o.id,
       CASE WHEN g % 4 <> 0 THEN c.id END, d.id, d.pipeline_id,
       CASE WHEN k.type = 'task' THEN t.created + interval '3 days' END,
       CASE WHEN k.type = 'task' AND g % 2 = 0 THEN LEAST(t.created + (g % 9) * interval '1 day', now()) END,
       CASE WHEN g % 20 = 0 THEN 'automation' ELSE 'user' END,
       t.created, t.created, 1, 0
FROM generate_series(1, $2) AS g
CROSS JOIN LATERAL (SELECT now() - (g::float8 / $2) * interval '730 days'
                               - (g % 3600) * interval '1 second' AS created) t
CROSS JOIN LATERAL (SELECT (ARRAY['call','email','email','meeting','note','task'])[1 + g % 6] AS type) k
CROSS JOIN LATERAL (SELECT id FROM bench_owners WHERE n = g % $3) o
LEFT JOIN bench_contact_ids c ON c.n = (g * 7) % $4
LEFT JOIN bench_deal_ids d ON g % 5 < 3 AND d.n = (g * 13) % $5
"""

JOINED_PIPELINE_FILTER = """ AND EXISTS (SELECT 1 FROM deals d
    WHERE d.workspace_id = :ws AND d.id = a.deal_id AND d.pipeline_id = :pipeline_id)"""

# What migrations 0005 and 0010 backfill for rows that exist before their triggers.
SUMMARIES_SQL = [
    """
    INSERT INTO stage_totals AS t (workspace_id, stage_id, currency, open_count, open_amount)
    SELECT workspace_id, stage_id, currency, count(*), sum(coalesce(amount, 0))
    FROM deals WHERE status = 'open' GROUP BY 1, 2, 3
    ON CONFLICT (workspace_id, stage_id, currency) DO UPDATE
    SET open_count = EXCLUDED.open_count, open_amount = EXCLUDED.open_amount
    """,
    """
    INSERT INTO deal_closings
        (workspace_id, deal_id, status, closed_at, pipeline_id, owner_id, source, first_contact_at)
    SELECT d.workspace_id, d.id, d.status, d.closed_at, d.pipeline_id, d.owner_id, d.source,
           report_first_contact_at(d.workspace_id, d.id, d.created_at)
    FROM deals d WHERE d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL
    """,
    """
    INSERT INTO stage_visits
        (id, workspace_id, deal_id, pipeline_id, stage_id, owner_id, deal_created_at, entered_at, left_at)
    SELECT h.id, h.workspace_id, h.deal_id, h.pipeline_id, h.to_stage_id, d.owner_id, d.created_at, h.at,
           lead(h.at) OVER (PARTITION BY h.deal_id ORDER BY h.at, h.id)
    FROM stage_history h JOIN deals d ON d.workspace_id = h.workspace_id AND d.id = h.deal_id
    """,
]


async def _timed(connection: asyncpg.Connection, label: str, sql: str, *args: Any) -> float:
    started = time.perf_counter()
    await connection.execute(sql, *args)
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f} s", flush=True)
    return elapsed


async def _generate(database_url: str, workspace_id: str, pipelines: list[str]) -> dict[str, float]:
    ws = uuid.UUID(workspace_id)
    connection = await asyncpg.connect(database_url, command_timeout=3600)
    took: dict[str, float] = {}
    try:
        await connection.execute("SET session_replication_role = replica; SET work_mem = '256MB'")
        await connection.execute("SET maintenance_work_mem = '1GB'")
        # Twenty owners, members of the workspace.
        await connection.execute(
            """
            CREATE TEMP TABLE bench_owners AS
            SELECT n, gen_random_uuid() AS id FROM generate_series(0, $1 - 1) AS n;
            """.replace("$1", str(OWNERS))
        )
        await connection.execute(
            """
            INSERT INTO users (id, email, name, created_at, updated_at)
            SELECT id, 'owner' || n || '-' || $2 || '@example.com', 'Owner ' || lpad(n::text, 2, '0'),
                   now(), now()
            FROM bench_owners;
            """.replace("$2", f"'{ws.hex[:8]}'")
        )
        await connection.execute(
            "INSERT INTO memberships (workspace_id, user_id, role, created_at, updated_at) "
            "SELECT $1, id, 'member', now(), now() FROM bench_owners",
            ws,
        )
        # Where deals sit: 100 slots per pipeline, spread over its stages (closed ones included).
        await connection.execute(
            """
            CREATE TEMP TABLE bench_stage_pick AS
            WITH ranked AS (
                SELECT s.id, s.pipeline_id, s.kind, s.position,
                       p.no AS pipeline_no,
                       count(*) OVER (PARTITION BY s.pipeline_id) AS stages,
                       row_number() OVER (PARTITION BY s.pipeline_id ORDER BY s.position) - 1 AS i
                FROM stages s
                JOIN unnest($1::uuid[]) WITH ORDINALITY AS p(id, no) ON p.id = s.pipeline_id
            )
            SELECT r.id, r.pipeline_id, r.kind, r.pipeline_no, slot
            FROM ranked r
            CROSS JOIN generate_series(0, 99) AS slot
            WHERE CASE
                WHEN r.kind = 'won' THEN slot < 22
                WHEN r.kind = 'lost' THEN slot >= 22 AND slot < 55
                ELSE slot >= 55 AND (slot - 55) % (SELECT count(*) FROM ranked o
                                                   WHERE o.pipeline_id = r.pipeline_id AND o.kind = 'open')
                     = (SELECT count(*) FROM ranked o WHERE o.pipeline_id = r.pipeline_id
                        AND o.kind = 'open' AND o.position < r.position)
            END
            """,
            [uuid.UUID(p) for p in pipelines],
        )
        definitions: list[tuple[str, str]] = [
            (row["indexname"], row["indexdef"])
            for row in await connection.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = ANY($1::text[]) AND indexname LIKE 'ix_%'",
                list(BULK_TABLES),
            )
        ]
        for name, _ in definitions:
            await connection.execute(f'DROP INDEX "{name}"')
        took["contacts"] = await _timed(connection, "contacts", CONTACTS_SQL, ws, CONTACTS, OWNERS)
        await connection.execute(
            "CREATE TEMP TABLE bench_contact_ids AS "
            "SELECT id, (row_number() OVER () - 1) AS n FROM contacts WHERE workspace_id = $1",
            ws,
        )
        await connection.execute("CREATE INDEX ON bench_contact_ids (n); ANALYZE bench_contact_ids")
        took["deals"] = await _timed(connection, "deals", DEALS_SQL, ws, DEALS, OWNERS)
        await connection.execute(
            "CREATE TEMP TABLE bench_deal_ids AS "
            "SELECT id, pipeline_id, (row_number() OVER () - 1) AS n FROM deals WHERE workspace_id = $1",
            ws,
        )
        await connection.execute("CREATE INDEX ON bench_deal_ids (n); ANALYZE bench_deal_ids")
        took["deal_contacts"] = await _timed(connection, "deal contacts", DEAL_CONTACTS_SQL, CONTACTS)
        took["stage_history"] = await _timed(connection, "stage history", HISTORY_SQL)
        took["activities"] = await _timed(
            connection, "activities", ACTIVITIES_SQL, ws, ACTIVITIES, OWNERS, CONTACTS, DEALS
        )
        started = time.perf_counter()
        for _, definition in definitions:
            await connection.execute(definition)
        took["indexes"] = time.perf_counter() - started
        print(f"  indexes: {took['indexes']:.1f} s", flush=True)
        await connection.execute("ANALYZE")
        for i, statement in enumerate(SUMMARIES_SQL):
            took[f"summary_{i}"] = await _timed(connection, f"summary table {i}", statement)
        started = time.perf_counter()
        await connection.execute("VACUUM ANALYZE")
        took["vacuum"] = time.perf_counter() - started
        counts = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM deals) AS deals, (SELECT count(*) FROM activities) AS activities,"
            " (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM stage_history) AS history,"
            " (SELECT count(*) FROM deal_closings) AS closings, (SELECT count(*) FROM stage_visits) AS visits"
        )
        print(f"  rows: {dict(counts)}", flush=True)
    finally:
        await connection.close()
    return took


Runner = Callable[[Any, Any], Awaitable[Any]]


async def _measure(database_url: str, workspace_id: str, pipeline_id: str) -> dict[str, dict[str, float]]:
    from domain import reports
    from domain.clock import SystemClock
    from domain.db import make_engine, make_sessionmaker, workspace_transaction
    from rapport.settings import to_asyncpg_url

    engine = make_engine(to_asyncpg_url(database_url), pool_size=1)
    maker = make_sessionmaker(engine)
    ws = uuid.UUID(workspace_id)
    pipeline = uuid.UUID(pipeline_id)
    now = SystemClock().now()
    this_month: tuple[date | None, date | None] = (None, None)
    # The last October that is over, a quarter before it, and this calendar year.
    october_year = now.year if now.month > 10 else now.year - 1
    october = (date(october_year, 10, 1), date(october_year, 10, 31))
    quarter = (date(october_year, 7, 1), date(october_year, 9, 30))
    year = (date(now.year, 1, 1), date(now.year, 12, 31))
    connection = await asyncpg.connect(database_url)
    try:
        an_owner = await connection.fetchval(
            "SELECT user_id FROM memberships WHERE workspace_id = $1 AND role = 'member' "
            "ORDER BY user_id LIMIT 1",
            ws,
        )
    finally:
        await connection.close()

    def funnel(session: Any, scope: Any) -> Awaitable[Any]:
        return reports.funnel_report(session, scope, pipeline_id=pipeline)

    def forecast(months: int) -> Runner:
        return lambda session, scope: reports.forecast_report(session, scope, months=months)

    def won(interval: str) -> Runner:
        return lambda session, scope: reports.won_over_time_report(session, scope, interval=interval)

    def activity(group: str) -> Runner:
        return lambda session, scope: reports.activity_report(session, scope, group=group)

    async def activity_joined(session: Any, scope: Any) -> Any:
        """The pipeline filter as it was before migration 0055 (each activity joined to its
        deal), measured beside the current one in the same run."""
        from domain.reports import activity as module

        original = module._activity_filters

        def joined(scope: Any) -> str:
            return str(scope.owner_filter("a.owner_id")) + JOINED_PIPELINE_FILTER

        module._activity_filters = joined
        try:
            return await module.activity_report(session, scope, group="week")
        finally:
            module._activity_filters = original

    Case = tuple[str, tuple[date | None, date | None], uuid.UUID | None, uuid.UUID | None, Runner]
    cases: list[Case] = [
        ("summary, this month", this_month, None, None, reports.summary_report),
        ("summary, October", october, None, None, reports.summary_report),
        ("summary, October, pipeline", october, pipeline, None, reports.summary_report),
        ("summary, a quarter, one owner", quarter, None, an_owner, reports.summary_report),
        ("funnel, this month", this_month, None, None, funnel),
        ("funnel, October", october, None, None, funnel),
        ("sources, this month", this_month, None, None, reports.sources_report),
        ("sources, October", october, None, None, reports.sources_report),
        ("sources, October, pipeline", october, pipeline, None, reports.sources_report),
        ("forecast, 3 months", this_month, None, None, forecast(3)),
        ("forecast, 12 months", this_month, None, None, forecast(12)),
        ("forecast, 12 months, pipeline", this_month, pipeline, None, forecast(12)),
        ("won over time, weeks of October", october, None, None, won("week")),
        ("won over time, months of this year", year, None, None, won("month")),
        ("won over time, months of this year, pipeline", year, pipeline, None, won("month")),
        ("activity by week, this month", this_month, None, None, activity("week")),
        ("activity by week, October", october, None, None, activity("week")),
        ("activity by week, October, pipeline", october, pipeline, None, activity("week")),
        ("activity by week, October, pipeline, joined to deals (before 0055)", october, pipeline, None,
         activity_joined),
        ("activity by month, October, pipeline and owner", october, pipeline, an_owner, activity("month")),
    ]  # fmt: skip
    results: dict[str, dict[str, float]] = {}
    try:
        for label, (first_day, last_day), pipeline_filter, owner_filter, runner in cases:
            timings = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                async with workspace_transaction(maker, ws) as session:
                    scope = await reports.report_scope(
                        session,
                        workspace_id=ws,
                        first_day=first_day,
                        last_day=last_day,
                        pipeline_id=pipeline_filter,
                        owner_id=owner_filter,
                        now=now,
                    )
                    await runner(session, scope)
                timings.append((time.perf_counter() - started) * 1000)
            results[label] = {
                "median_ms": round(statistics.median(timings), 1),
                "max_ms": round(max(timings), 1),
                "load_average": round(os.getloadavg()[0], 2),
            }
            print(f"  {label}: {results[label]}", flush=True)
    finally:
        await engine.dispose()
    return results


def run(world: World) -> dict[str, Any]:
    headers, workspace_id, _ = signup(world.base_url)
    with httpx.Client(base_url=world.base_url, headers=headers, timeout=30) as client:
        client.patch("/api/v1/workspace", json={"timezone": "Europe/Paris"}).raise_for_status()
        default = client.get("/api/v1/pipelines").json()["items"][0]["id"]
        second = client.post(
            "/api/v1/pipelines",
            json={
                "name": "Partners",
                "stages": [
                    {"name": "Intro", "probability": 10},
                    {"name": "Pilot", "probability": 40},
                    {"name": "Contract", "probability": 80},
                    {"name": "Signed", "kind": "won", "probability": 100},
                    {"name": "Dropped", "kind": "lost"},
                ],
            },
        )
        second.raise_for_status()
    print(f"generating {DEALS} deals, {ACTIVITIES} activities, {CONTACTS} contacts", flush=True)
    started = time.perf_counter()
    took = asyncio.run(_generate(world.database_url, workspace_id, [default, second.json()["id"]]))
    generated = time.perf_counter() - started
    load_before = os.getloadavg()
    timings = asyncio.run(_measure(world.database_url, workspace_id, default))
    return {
        "name": "reports",
        "deals": DEALS,
        "activities": ACTIVITIES,
        "contacts": CONTACTS,
        "repeats": REPEATS,
        "generate_seconds": round(generated, 1),
        "generate_steps": {k: round(v, 1) for k, v in took.items()},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "reports": timings,
        "when": datetime.now().isoformat(timespec="minutes"),
    }
