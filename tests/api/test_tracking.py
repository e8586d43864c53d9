"""Open tracking: a logged email gets a pixel; fetching it counts opens on the activity and timeline."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Api, AppHandle, User


async def test_pixel_counts_opens(api: Api, user: User, app_handle: AppHandle) -> None:
    contact = (
        await api.post("/api/v1/contacts", json={"email": "reader@example.com"}, headers=user.headers)
    ).json()
    logged = await api.post(
        "/api/v1/activities",
        json={"type": "email", "subject": "Our proposal", "contact_id": contact["id"], "track_opens": True},
        headers=user.headers,
    )
    assert logged.status_code == 201, logged.text
    activity = logged.json()
    pixel = activity["tracking_pixel_url"]
    assert pixel.startswith("http://testserver/t/o/") and pixel.endswith(".gif")
    assert activity["open_count"] == 0 and activity["first_opened_at"] is None and activity["version"] == 1
    path = pixel.removeprefix("http://testserver")
    assert len(path.removeprefix("/t/o/").removesuffix(".gif")) >= 32
    first = await api.get(path)
    assert first.status_code == 200 and first.headers["content-type"] == "image/gif"
    assert first.content.startswith(b"GIF89a") and "no-store" in first.headers["cache-control"]
    opened = (await api.get(f"/api/v1/activities/{activity['id']}", headers=user.headers)).json()
    assert opened["open_count"] == 1 and opened["first_opened_at"] is not None
    app_handle.clock.advance(timedelta(minutes=5))
    await api.get(path)
    got = (await api.get(f"/api/v1/activities/{activity['id']}", headers=user.headers)).json()
    assert got["open_count"] == 2 and got["first_opened_at"] == opened["first_opened_at"]
    assert got["version"] == 1  # an open is not an edit
    timeline = (await api.get(f"/api/v1/contacts/{contact['id']}/timeline", headers=user.headers)).json()
    [entry] = [i for i in timeline["items"] if i["kind"] == "activity"]
    assert entry["data"]["open_count"] == 2 and entry["data"]["first_opened_at"] == got["first_opened_at"]


async def test_unknown_token_gets_the_same_pixel(api: Api) -> None:
    response = await api.get("/t/o/not-a-real-token.gif")
    assert response.status_code == 200 and response.headers["content-type"] == "image/gif"


async def test_only_emails_track_opens(api: Api, user: User) -> None:
    response = await api.post(
        "/api/v1/activities",
        json={"type": "call", "subject": "Call", "track_opens": True},
        headers=user.headers,
    )
    assert response.status_code == 422
    untracked = await api.post(
        "/api/v1/activities", json={"type": "email", "subject": "Plain"}, headers=user.headers
    )
    assert untracked.json()["tracking_pixel_url"] is None
