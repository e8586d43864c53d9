"""Storage back ends: the local folder, and S3 checked against botocore's own request stubber
(the real client builds and validates each request; only the network answer is canned)."""

from __future__ import annotations

import io
from pathlib import Path

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from domain.files.detect import clean_filename, content_type_of
from domain.files.storage import (
    LocalStorage,
    S3Storage,
    StoredFileMissing,
    scratch_path,
    storage_from_settings,
)
from rapport.settings import Settings

SECRET = "a-test-secret-key-that-is-long-enough-0123456789"


async def _read(storage: object, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])  # type: ignore[attr-defined]


async def test_local_storage_round_trip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    source = scratch_path(storage)
    source.write_bytes(b"hello" * 100_000)
    await storage.put("ws/file-1", source)
    assert not source.exists()
    assert await _read(storage, "ws/file-1") == b"hello" * 100_000
    await storage.delete("ws/file-1")
    await storage.delete("ws/file-1")  # absent is fine
    with pytest.raises(StoredFileMissing):
        await _read(storage, "ws/file-1")
    with pytest.raises(ValueError):
        await storage.delete("../outside")


async def test_s3_storage_sends_the_right_requests(tmp_path: Path) -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    storage = S3Storage(bucket="crm-files", prefix="rapport/", scratch=tmp_path, client=client)
    source = tmp_path / "upload.part"
    source.write_bytes(b"%PDF-1.4 contract")
    with Stubber(client) as stub:
        stub.add_response(
            "put_object", {}, {"Bucket": "crm-files", "Key": "rapport/ws/f1", "Body": stub_any()}
        )
        stub.add_response(
            "get_object",
            {"Body": StreamingBody(io.BytesIO(b"%PDF-1.4 contract"), 17)},
            {"Bucket": "crm-files", "Key": "rapport/ws/f1"},
        )
        stub.add_response("delete_object", {}, {"Bucket": "crm-files", "Key": "rapport/ws/f1"})
        stub.add_client_error("get_object", service_error_code="NoSuchKey", http_status_code=404)
        await storage.put("ws/f1", source)
        assert not source.exists()
        assert await _read(storage, "ws/f1") == b"%PDF-1.4 contract"
        await storage.delete("ws/f1")
        with pytest.raises(StoredFileMissing):
            await _read(storage, "ws/f1")
        stub.assert_no_pending_responses()


def stub_any() -> object:
    from botocore.stub import ANY

    return ANY


def test_storage_is_chosen_by_configuration(tmp_path: Path) -> None:
    local = storage_from_settings(Settings(secret_key=SECRET, rapport_data_dir=tmp_path))
    assert isinstance(local, LocalStorage) and local.root == (tmp_path / "files").resolve()
    s3 = storage_from_settings(
        Settings(
            secret_key=SECRET,
            file_storage="s3",
            s3_bucket="b",
            s3_endpoint_url="http://minio.internal:9000",
            s3_region="eu-west-1",
        )
    )
    assert isinstance(s3, S3Storage) and s3.bucket == "b"
    assert s3.client.meta.endpoint_url == "http://minio.internal:9000"
    with pytest.raises(ValueError, match="S3_BUCKET"):
        Settings(secret_key=SECRET, file_storage="s3")


def test_content_type_comes_from_the_bytes() -> None:
    assert content_type_of(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20) == "image/png"
    assert content_type_of(b"%PDF-1.7\n") == "application/pdf"
    assert content_type_of("Grüße, plain words\n".encode()) == "text/plain"
    assert content_type_of(b"\x00\x01\x02\x03binary") == "application/octet-stream"
    assert content_type_of(b"") == "text/plain"


def test_file_names_lose_paths_and_controls() -> None:
    assert clean_filename("C:\\Users\\me\\report.pdf") == "report.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.txt") == "a_b_c.txt"
    assert clean_filename("") == "file"
    assert clean_filename(None) == "file"
    assert len(clean_filename("x" * 400 + ".txt")) == 255
