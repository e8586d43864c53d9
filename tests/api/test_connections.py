"""Pooled connections: the pool has no pre-ping (three round trips per request on asyncpg), so a
connection the server closed must still never reach a request as an error."""

from __future__ import annotations

import asyncpg

from tests.conftest import Api, Db, User


async def cut_app_connections(db: Db) -> int:
    """Terminate the pool's idle connections from outside the pool, as a server restart would."""
    connection = await asyncpg.connect(db.url)
    try:
        cut = await connection.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'rapport' AND datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return int(cut or 0)


async def test_requests_survive_their_pooled_connections_being_cut(api: Api, user: User, db: Db) -> None:
    assert (await api.get("/api/v1/pipelines", headers=user.headers)).status_code == 200
    for _ in range(3):
        assert await cut_app_connections(db) >= 1
        # At once (the pool may not have seen the close yet) and after a pause (it has).
        read = await api.get("/api/v1/pipelines", headers=user.headers)
        assert read.status_code == 200, read.text
        write = await api.post("/api/v1/contacts", json={"first_name": "After"}, headers=user.headers)
        assert write.status_code == 201, write.text
