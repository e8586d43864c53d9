"""Where attachments' bytes live: a folder (the default) or an S3-compatible bucket.

A caller spools an upload into `scratch` first (counting, hashing, sniffing), then `put` moves
it under its key: on the local disk that is a rename within one file system, so a reader never
sees half a file. `put` happens before the database commits; a failed commit deletes the key
again (see `domain.files.attachments.discard_unless_committed`), and a deleted record's bytes
go only after its deletion committed, so a rolled-back delete never loses a file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

from rapport.settings import Settings

CHUNK = 256 * 1024


class StoredFileMissing(Exception):
    """The record exists but its bytes do not (deleted by hand, or a bucket emptied)."""


class Storage(Protocol):
    scratch: Path

    async def put(self, key: str, source: Path) -> None:
        """Store `source` (a file in `scratch`, consumed) under `key`."""

    def open(self, key: str) -> AsyncIterator[bytes]:
        """The bytes under `key`, in chunks; StoredFileMissing when absent."""

    async def delete(self, key: str) -> None:
        """Remove `key`; absent is fine (deletes are retried after failures)."""


def _safe_key(key: str) -> str:
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise ValueError(f"Bad storage key {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        # Inside the root so the final rename stays on one file system (atomic).
        self.scratch = root / ".incoming"

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    async def put(self, key: str, source: Path) -> None:
        target = self._path(key)

        def move() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)

        await asyncio.to_thread(move)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as exc:
            raise StoredFileMissing(key) from exc
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)


class S3Storage:
    """Any S3-compatible bucket through boto3 (AWS, MinIO, Ceph, R2, ...).

    boto3 is synchronous: each call runs in a worker thread, and a download is read in chunks
    so a large file never sits in memory whole.
    """

    def __init__(self, *, bucket: str, prefix: str, scratch: Path, client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.scratch = scratch
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3

        assert settings.s3_bucket is not None
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
        )
        scratch = Path(tempfile.gettempdir()) / "rapport-uploads"
        return cls(bucket=settings.s3_bucket, prefix=settings.s3_prefix, scratch=scratch, client=client)

    def _key(self, key: str) -> str:
        key = _safe_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put(self, key: str, source: Path) -> None:
        def upload() -> None:
            try:
                with source.open("rb") as handle:
                    self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=handle)
            finally:
                source.unlink(missing_ok=True)

        await asyncio.to_thread(upload)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        def fetch() -> Any:
            try:
                return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            except self.client.exceptions.NoSuchKey as exc:
                raise StoredFileMissing(key) from exc

        body = await asyncio.to_thread(fetch)
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._key(key))


def storage_from_settings(settings: Settings) -> Storage:
    if settings.file_storage == "s3":
        return S3Storage.from_settings(settings)
    return LocalStorage(settings.attachments_dir.resolve())


def scratch_path(storage: Storage) -> Path:
    storage.scratch.mkdir(parents=True, exist_ok=True)
    return storage.scratch / f"{uuid.uuid4().hex}.part"
