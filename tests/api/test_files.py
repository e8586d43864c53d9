"""Attachments through the API: upload, list, describe, download, delete; limits and sniffing."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api, AppHandle, User

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
MAX = 25 * 1024 * 1024


def files_root(app_handle: AppHandle) -> Path:
    return app_handle.settings.attachments_dir


def stored_files(app_handle: AppHandle) -> list[Path]:
    root = files_root(app_handle)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def _contact(api: Api, user: User) -> str:
    response = await api.post(
        "/api/v1/contacts",
        json={"first_name": "Ada", "email": f"ada-{uuid.uuid4().hex[:8]}@example.com"},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _upload(
    api: Api, user: User, path: str, name: str, content: bytes, claimed: str = "application/octet-stream"
) -> Any:
    return await api.post(path, files={"file": (name, content, claimed)}, headers=user.headers)


async def test_upload_list_describe_download_delete(api: Api, user: User, app_handle: AppHandle) -> None:
    contact_id = await _contact(api, user)
    path = f"/api/v1/contacts/{contact_id}/files"
    created = await _upload(api, user, path, "logo.png", PNG, "text/html")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["name"] == "logo.png"
    assert body["size"] == len(PNG)
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    # The bytes decide, not the client's claim of text/html.
    assert body["content_type"] == "image/png"
    assert body["uploaded_by"] == user.user_id
    assert body["subject_type"] == "contact" and body["subject_id"] == contact_id
    stored = files_root(app_handle) / user.workspace_id / body["id"]
    assert stored.read_bytes() == PNG

    second = await _upload(api, user, path, "notes.txt", b"hello")
    listed = await api.get(path, headers=user.headers)
    assert listed.status_code == 200
    assert [f["id"] for f in listed.json()["items"]] == [second.json()["id"], body["id"]]
    paged = await api.get(path, params={"limit": 1}, headers=user.headers)
    assert len(paged.json()["items"]) == 1 and paged.json()["next_cursor"]
    rest = await api.get(
        path, params={"limit": 1, "cursor": paged.json()["next_cursor"]}, headers=user.headers
    )
    assert [f["id"] for f in rest.json()["items"]] == [body["id"]]

    meta = await api.get(f"/api/v1/files/{body['id']}", headers=user.headers)
    assert meta.status_code == 200 and meta.json()["sha256"] == body["sha256"]
    assert meta.json()["download_url"] == f"/api/v1/files/{body['id']}/content"

    download = await api.get(f"/api/v1/files/{body['id']}/content", headers=user.headers)
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert 'filename="logo.png"' in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"

    deleted = await api.delete(f"/api/v1/files/{body['id']}", headers=user.headers)
    assert deleted.status_code == 204
    assert not stored.exists()
    assert (await api.get(f"/api/v1/files/{body['id']}", headers=user.headers)).status_code == 404
    assert (await api.get(f"/api/v1/files/{body['id']}/content", headers=user.headers)).status_code == 404
    assert (await api.delete(f"/api/v1/files/{body['id']}", headers=user.headers)).status_code == 404


async def test_text_named_png_is_stored_as_text(api: Api, user: User) -> None:
    contact_id = await _contact(api, user)
    created = await _upload(
        api, user, f"/api/v1/contacts/{contact_id}/files", "photo.png", b"just some words\n", "image/png"
    )
    assert created.status_code == 201, created.text
    assert created.json()["content_type"] == "text/plain"
    download = await api.get(created.json()["download_url"], headers=user.headers)
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_html_is_never_served_inline(api: Api, user: User) -> None:
    contact_id = await _contact(api, user)
    created = await _upload(
        api,
        user,
        f"/api/v1/contacts/{contact_id}/files",
        "../../evil; name.html",
        b"<html><script>alert(1)</script></html>",
        "text/html",
    )
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "evil; name.html"
    download = await api.get(created.json()["download_url"], headers=user.headers)
    assert download.headers["content-type"].startswith("text/plain")
    disposition = download.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''evil%3B%20name.html" in disposition
    assert 'filename="evil_ name.html"' in disposition
    assert "sandbox" in download.headers["content-security-policy"]


async def test_unicode_names_survive_in_the_download(api: Api, user: User) -> None:
    contact_id = await _contact(api, user)
    created = await _upload(
        api, user, f"/api/v1/contacts/{contact_id}/files", "Angebot für Müller.pdf", b"%PDF-1.4\n"
    )
    assert created.json()["name"] == "Angebot für Müller.pdf"
    assert created.json()["content_type"] == "application/pdf"
    download = await api.get(created.json()["download_url"], headers=user.headers)
    assert "filename*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf" in download.headers["content-disposition"]


@pytest.mark.parametrize("collection", ["accounts", "deals", "activities"])
async def test_files_on_other_records(api: Api, user: User, collection: str) -> None:
    bodies = {
        "accounts": {"name": "Files Inc"},
        "deals": {"title": "Files deal"},
        "activities": {"type": "note", "subject": "With files"},
    }
    record = await api.post(f"/api/v1/{collection}", json=bodies[collection], headers=user.headers)
    assert record.status_code == 201, record.text
    path = f"/api/v1/{collection}/{record.json()['id']}/files"
    created = await _upload(api, user, path, "a.txt", b"abc")
    assert created.status_code == 201, created.text
    listed = await api.get(path, headers=user.headers)
    assert [f["id"] for f in listed.json()["items"]] == [created.json()["id"]]


async def test_size_limit(api: Api, user: User, app_handle: AppHandle) -> None:
    contact_id = await _contact(api, user)
    path = f"/api/v1/contacts/{contact_id}/files"
    before = stored_files(app_handle)
    exact = await _upload(api, user, path, "exact.bin", b"\x00" * MAX)
    assert exact.status_code == 201, exact.text
    assert exact.json()["size"] == MAX
    over = await _upload(api, user, path, "big.bin", b"\x00" * (MAX + 1))
    assert over.status_code == 413, over.text
    assert over.headers["content-type"] == "application/problem+json"

    # A chunked body (no Content-Length) is cut off while it streams.
    async def endless() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n'
        for _ in range(40):
            yield b"\x01" * 1024 * 1024

    streamed = await api.post(
        path,
        content=endless(),
        headers={**user.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert streamed.status_code == 413, streamed.text
    listed = await api.get(path, headers=user.headers)
    assert [f["name"] for f in listed.json()["items"]] == ["exact.bin"]
    # Nothing half-written is left behind: only the one accepted file was added.
    after = stored_files(app_handle)
    assert len(after) == len(before) + 1


async def test_bad_uploads(api: Api, user: User) -> None:
    contact_id = await _contact(api, user)
    path = f"/api/v1/contacts/{contact_id}/files"
    as_json = await api.post(path, json={"file": "x"}, headers=user.headers)
    assert as_json.status_code == 415
    no_file = await api.post(path, data={"other": "x"}, files={"x": ("a", b"a")}, headers=user.headers)
    assert no_file.status_code == 422
    missing = await _upload(api, user, f"/api/v1/contacts/{uuid.uuid4()}/files", "a.txt", b"a")
    assert missing.status_code == 404


async def test_another_workspaces_files_are_404(api: Api, user: User, other_user: User) -> None:
    contact_id = await _contact(api, user)
    created = await _upload(api, user, f"/api/v1/contacts/{contact_id}/files", "secret.txt", b"secret")
    file_id = created.json()["id"]
    for method, url in (
        ("GET", f"/api/v1/files/{file_id}"),
        ("GET", f"/api/v1/files/{file_id}/content"),
        ("DELETE", f"/api/v1/files/{file_id}"),
        ("GET", f"/api/v1/contacts/{contact_id}/files"),
        ("POST", f"/api/v1/contacts/{contact_id}/files"),
    ):
        response = await api.request(method, url, headers=other_user.headers)
        assert response.status_code == 404, (method, url, response.text)
    assert (await api.get(f"/api/v1/files/{file_id}/content", headers=user.headers)).content == b"secret"


async def test_failed_transaction_leaves_no_file(
    api: Api, user: User, app_handle: AppHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    contact_id = await _contact(api, user)
    before = stored_files(app_handle)
    from api.deps import Ctx

    async def failing_commit(self: Ctx, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away at commit")

    monkeypatch.setattr(Ctx, "respond", failing_commit)
    # The in-process client re-raises what the server would answer with a 500.
    with pytest.raises(RuntimeError, match="went away"):
        await _upload(api, user, f"/api/v1/contacts/{contact_id}/files", "lost.txt", b"lost")
    monkeypatch.undo()
    assert stored_files(app_handle) == before
    listed = await api.get(f"/api/v1/contacts/{contact_id}/files", headers=user.headers)
    assert listed.json()["items"] == []


async def test_idempotent_upload_replays(api: Api, user: User) -> None:
    contact_id = await _contact(api, user)
    path = f"/api/v1/contacts/{contact_id}/files"
    headers = {**user.headers, "Idempotency-Key": f"upload-{uuid.uuid4()}"}
    first = await api.post(path, files={"file": ("a.txt", b"once", "text/plain")}, headers=headers)
    again = await api.post(path, files={"file": ("a.txt", b"once", "text/plain")}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert len((await api.get(path, headers=user.headers)).json()["items"]) == 1
