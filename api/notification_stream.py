"""Live notifications: one PostgreSQL LISTEN connection per process, fanned out to SSE streams.

A stream holds no database session while it waits: it waits on a queue fed by this process's
listener, and opens a short transaction only to read the notification it was told about (or to
catch up after a reconnect). The listener runs while at least one stream is open and reconnects
when its connection drops; every stream is then told to re-read what it may have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import asyncpg
import structlog

from domain.notifications import NOTIFY_CHANNEL, parse_announcement

log = structlog.get_logger("rapport.notifications")

# Put on every queue after the listener reconnected: notifications may have been missed.
RESYNC = "resync"
Key = tuple[uuid.UUID, uuid.UUID]


class NotificationHub:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._queues: dict[Key, set[asyncio.Queue[uuid.UUID | str]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def subscribe(self, workspace_id: uuid.UUID, user_id: uuid.UUID) -> asyncio.Queue[uuid.UUID | str]:
        """A queue of this member's new notification ids; LISTEN is active when it returns
        (or after a short wait, if the database is away: the stream then re-reads on RESYNC)."""
        queue: asyncio.Queue[uuid.UUID | str] = asyncio.Queue()
        self._queues.setdefault((workspace_id, user_id), set()).add(queue)
        if self._task is None or self._task.done():
            self._listening.clear()
            self._task = asyncio.create_task(self._listen())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout=5)
        return queue

    async def unsubscribe(
        self, workspace_id: uuid.UUID, user_id: uuid.UUID, queue: asyncio.Queue[Any]
    ) -> None:
        queues = self._queues.get((workspace_id, user_id))
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[(workspace_id, user_id)]
        if not self._queues and self._task is not None:
            # Nobody is watching: give the connection back until the next stream opens.
            task, self._task = self._task, None
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _deliver(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        announced = parse_announcement(payload)
        if announced is None:
            return
        workspace_id, user_id, notification_id = announced
        for queue in self._queues.get((workspace_id, user_id), ()):
            queue.put_nowait(notification_id)

    def _resync_all(self) -> None:
        for queues in self._queues.values():
            for queue in queues:
                queue.put_nowait(RESYNC)

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                connection = await asyncpg.connect(self._dsn)
                try:
                    closed = asyncio.Event()
                    connection.add_termination_listener(lambda *_, ev=closed: ev.set())
                    await connection.add_listener(NOTIFY_CHANNEL, self._deliver)
                    self._listening.set()
                    if not first:
                        self._resync_all()
                    first = False
                    await closed.wait()
                finally:
                    with contextlib.suppress(Exception):
                        await connection.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("notifications.listen_failed", error=str(exc))
            self._listening.clear()
            first = False
            await asyncio.sleep(1)


def hub_for(extras: dict[str, Any], dsn: str) -> NotificationHub:
    """The process's hub, made on first use (the app state keeps it)."""
    hub = extras.get("notification_hub")
    if hub is None:
        hub = extras["notification_hub"] = NotificationHub(dsn)
    assert isinstance(hub, NotificationHub)
    return hub
