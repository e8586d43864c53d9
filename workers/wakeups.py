"""Wake a polling loop the moment PostgreSQL announces new work (LISTEN/NOTIFY).

The loops still poll on a timer: a lost notification only delays work, and a lost connection
is reopened every two seconds until it holds.
"""

from __future__ import annotations

import asyncio
import contextlib

import asyncpg
import structlog

log = structlog.get_logger("rapport.worker")


async def listen(dsn: str, channel: str, wake: asyncio.Event, *, name: str) -> None:
    """Set `wake` on every NOTIFY on `channel`; `name` tells whose listener failed in the logs."""
    while True:
        try:
            connection = await asyncpg.connect(dsn)
            try:
                closed = asyncio.Event()
                connection.add_termination_listener(lambda *_, ev=closed: ev.set())
                await connection.add_listener(channel, lambda *_: wake.set())
                await closed.wait()
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(f"{name}.listen_failed", error=str(exc))
            await asyncio.sleep(2)
