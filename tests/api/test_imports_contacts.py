"""Contact imports from real-world exports: every row accounted for, the errors CSV, the data kept."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from domain.models import Contact
from tests.api.imports_support import IMPORTS, all_contacts, error_rows, fixture, imported, run_due, upload
from tests.conftest import Api, Db, User


def _by_email(contacts: list[dict]) -> dict[str | None, dict]:  # type: ignore[type-arg]
    return {c["email"]: c for c in contacts}


async def test_google_contacts_with_bom_and_a_multiline_note(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("google_contacts.csv"), filename="contacts.csv")
    assert body["encoding"] == "utf-8-sig" and body["delimiter"] == ","
    assert (body["total"], body["created"], body["merged"], body["skipped"], body["failed"]) == (
        7,
        5,
        1,
        0,
        1,
    )
    assert body["mapping"]["E-mail 1 - Value"] == "email" and body["mapping"]["Phone 1 - Value"] == "phone"
    assert body["mapping"]["Organization Name"] == "company" and body["mapping"]["Photo"] is None
    errors = await error_rows(api, user, body["id"])
    assert [(e["row"], e["reason"]) for e in errors] == [("5", "Not a valid email address: marge.simpson@")]
    assert errors[0]["First Name"] == "Marge" and errors[0]["Phone 1 - Value"] == "939-555-0110"
    contacts = _by_email(await all_contacts(api, user))
    ada = contacts["ada@analyticalengines.co.uk"]
    assert (ada["phone"], ada["title"], ada["tags"]) == ("+442079460018", "Mathematician", ["VIP"])
    # Google's " ::: " joins a second address; the first is kept.
    assert contacts["hank@globex.com"]["phone"] == "+14155550100"
    lisa = contacts["lisa@springfield-elementary.edu"]
    assert (
        lisa["custom_fields"]["notes"] == 'Met at the science fair.\r\nFollow up in May, about "the" project.'
    )
    assert None in contacts and contacts[None]["first_name"] == "Mystery"
    assert len(contacts) == 5
    preview = body["preview"]
    assert [(p["row"], p["outcome"]) for p in preview] == [
        (1, "created"),
        (2, "created"),
        (3, "created"),
        (4, "created"),
        (5, "failed"),
        (6, "merged"),
        (7, "created"),
    ]
    assert preview[5]["duplicate_of"] == contacts["grace.hopper@cobol.dev"]["id"]


async def test_outlook_export_in_windows_1252(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("outlook_contacts.csv"))
    assert body["encoding"] == "cp1252"
    assert (body["total"], body["created"], body["failed"]) == (5, 3, 2)
    # "Title" holds Mr./Ms. beside Outlook's "Job Title", so it is left alone.
    assert body["mapping"]["Title"] is None and body["mapping"]["Job Title"] == "title"
    reasons = {e["row"]: e["reason"] for e in await error_rows(api, user, body["id"])}
    assert reasons == {
        "4": "Not a valid email address: juergen.gross(at)praxis.de",
        "5": "A contact needs a name, an email or a phone",
    }
    contacts = _by_email(await all_contacts(api, user))
    rene = contacts["rene.mueller@baeckerei-mueller.de"]
    assert (rene["first_name"], rene["last_name"], rene["title"]) == ("René", "Müller", "Inhaber")
    assert rene["phone"] == "+4930901820" and rene["tags"] == ["Kunden", "VIP"]
    assert rene["custom_fields"]["notes"] == "Kunde seit 2019 – bevorzugt Anrufe"
    zoe = contacts["zoe.saldana@acme.com"]
    assert (zoe["first_name"], zoe["last_name"], zoe["phone"]) == ("Zoë", "Saldaña", "+15550104477")
    errors = await error_rows(api, user, body["id"])
    assert errors[0]["First Name"] == "Jürgen"


async def test_hubspot_owner_names_and_duplicate_phones(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("hubspot_contacts.csv"))
    # Homer thrice (his number in three formats): one contact, two merges.
    assert (body["total"], body["created"], body["merged"], body["failed"]) == (6, 3, 2, 1)
    assert body["mapping"]["Contact owner"] == "owner_email" and body["mapping"]["Record ID"] is None
    contacts = _by_email(await all_contacts(api, user))
    homer = contacts["homer@springfieldnuclear.com"]
    assert homer["phone"] == "+14155550199" and homer["owner_id"] == user.user_id
    # An owner who is not a member falls back to the person importing.
    assert contacts["lenny@springfieldnuclear.com"]["owner_id"] == user.user_id
    assert {c["account_id"] for c in contacts.values()} == {homer["account_id"]} != {None}
    errors = await error_rows(api, user, body["id"])
    assert [e["row"] for e in errors] == ["5"] and errors[0]["Email"] == "bad@@springfieldnuclear.com"


async def test_pipedrive_semicolons_and_full_names(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("pipedrive_people.csv"))
    assert body["delimiter"] == ";"
    assert (body["total"], body["created"], body["failed"]) == (6, 5, 1)
    contacts = _by_email(await all_contacts(api, user))
    assert (
        contacts["julius@hibbert.clinic"]["first_name"],
        contacts["julius@hibbert.clinic"]["last_name"],
    ) == ("Julius M.", "Hibbert")
    edna = contacts["edna@springfield-elementary.edu"]
    assert (edna["first_name"], edna["last_name"]) == ("Edna", "Krabappel")
    barney = contacts["barney@gmail.com"]
    assert barney["phone"] == "+19395550102" and barney["account_id"] is None
    assert contacts["moe@moes-tavern.com"]["tags"] == ["Hot lead"]


async def test_linkedin_connections_with_notes_before_the_header(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("linkedin_connections.csv"))
    assert (body["total"], body["created"], body["failed"]) == (4, 4, 0)
    contacts = {c["last_name"]: c for c in await all_contacts(api, user)}
    assert contacts["Turing"]["email"] is None and contacts["Turing"]["title"] == "Cryptanalyst"
    assert contacts["Turing"]["custom_fields"] == {
        "linkedin_url": "https://www.linkedin.com/in/alan-turing",
        "connected_on": "23 Jun 2021",
    }
    # One account for "Bletchley Park", whatever the rows' email domains.
    assert (
        contacts["Turing"]["account_id"] == contacts["Clarke"]["account_id"] == contacts["Knox"]["account_id"]
    )
    assert contacts["Flowers"]["account_id"] != contacts["Turing"]["account_id"]


async def test_excel_unicode_text_is_utf16_with_tabs(api: Api, user: User, db: Db) -> None:
    body = await imported(api, user, db, fixture("excel_unicode_text.txt"), filename="contacts.txt")
    assert (body["encoding"], body["delimiter"]) == ("utf-16", "\t")
    # The blank line is not a row; Søren's second row (his email in capitals) merges.
    assert (body["total"], body["created"], body["merged"]) == (4, 3, 1)
    contacts = _by_email(await all_contacts(api, user))
    soren = contacts["soren@kierkegaard.dk"]
    assert (soren["first_name"], soren["last_name"], soren["phone"]) == (
        "Søren",
        "Kierkegaard",
        "+4533123456",
    )
    assert soren["tags"] == ["philosophy", "danish", "lutheran"]
    assert contacts[None]["first_name"] == "José" and contacts[None]["phone"] == "+5371234567"


async def test_duplicate_policies_within_the_file(api: Api, user: User, other_user: User, db: Db) -> None:
    content = fixture("duplicate_phones.csv")
    merged = await imported(api, user, db, content, on_duplicate="merge")
    # Ned five times (phone in five formats, email in capitals), Todd shares Rod's number but Rod failed.
    assert (merged["total"], merged["created"], merged["merged"], merged["skipped"], merged["failed"]) == (
        8,
        3,
        4,
        0,
        1,
    )
    neds = [
        c for c in await all_contacts(api, user) if c["last_name"] == "Flanders" and c["first_name"] == "Ned"
    ]
    assert len(neds) == 1 and neds[0]["phone"] == "+14155550123" and neds[0]["email"] == "ned@leftorium.com"
    # Again into the same workspace: every row now matches what the first import made.
    skipped = await imported(api, user, db, content, on_duplicate="skip")
    assert (skipped["created"], skipped["merged"], skipped["skipped"], skipped["failed"]) == (0, 0, 7, 1)
    created = await imported(api, other_user, db, content, on_duplicate="create")
    assert (created["created"], created["merged"], created["skipped"], created["failed"]) == (7, 0, 0, 1)


async def test_rows_merge_into_existing_contacts(api: Api, user: User, db: Db) -> None:
    existing = (
        await api.post(
            "/api/v1/contacts",
            json={"first_name": "Ned", "phone": "415 555 0123", "tags": ["neighbour"]},
            headers=user.headers,
        )
    ).json()
    body = await imported(api, user, db, b"Name,Phone,Email\nNed Flanders,(415) 555-0123,ned@leftorium.com\n")
    assert (body["created"], body["merged"]) == (0, 1)
    assert body["preview"][0]["duplicate_of"] == existing["id"]
    contact = (await api.get(f"/api/v1/contacts/{existing['id']}", headers=user.headers)).json()
    assert (contact["first_name"], contact["last_name"], contact["email"]) == (
        "Ned",
        "Flanders",
        "ned@leftorium.com",
    )
    assert contact["version"] == 2 and contact["tags"] == ["neighbour"]
    timeline = (await api.get(f"/api/v1/contacts/{existing['id']}/timeline", headers=user.headers)).json()
    imported_event = next(e for e in timeline["items"] if e["type"] == "imported")
    assert imported_event["data"]["import_id"] == body["id"]
    assert set(imported_event["data"]["filled"]) == {"last_name", "email"}


async def test_dry_run_writes_nothing_but_projects_the_counts(api: Api, user: User, db: Db) -> None:
    content = fixture("duplicate_phones.csv")
    dry = await imported(api, user, db, content, dry_run=True)
    assert dry["dry_run"] is True
    assert (dry["created"], dry["merged"], dry["failed"]) == (3, 4, 1)
    assert await all_contacts(api, user) == []
    assert [p["outcome"] for p in dry["preview"]] == [
        "created",
        "merged",
        "merged",
        "merged",
        "merged",
        "created",
        "failed",
        "created",
    ]
    assert dry["preview"][0]["record"]["phone"] == "+14155550123"
    assert [e["row"] for e in await error_rows(api, user, dry["id"])] == ["7"]
    real = await imported(api, user, db, content)
    assert (real["created"], real["merged"], real["failed"]) == (dry["created"], dry["merged"], dry["failed"])


async def test_explicit_mapping_overrides_and_ignores(api: Api, user: User, db: Db) -> None:
    content = b"Vorname,Nachname,Mail,Firma,Internal\nKarl,Marx,karl@marx.de,Das Kapital,secret\n"
    body = await imported(
        api,
        user,
        db,
        content,
        mapping={
            "Vorname": "first_name",
            "Nachname": "last_name",
            "Mail": "email",
            "Firma": "company",
            "Internal": None,
        },
    )
    assert body["mapping"] == {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "Mail": "email",
        "Firma": "company",
        "Internal": None,
    }
    [karl] = await all_contacts(api, user)
    assert (karl["first_name"], karl["email"], karl["custom_fields"]) == ("Karl", "karl@marx.de", {})
    custom = await imported(
        api, user, db, b"email,Tier\nfriedrich@engels.de,gold\n", mapping={"Tier": "custom_fields.tier"}
    )
    assert custom["created"] == 1
    engels = (await api.get("/api/v1/contacts?email=friedrich@engels.de", headers=user.headers)).json()[
        "items"
    ]
    assert engels[0]["custom_fields"] == {"tier": "gold"}


async def test_bad_uploads_are_refused(api: Api, user: User) -> None:
    wrong_field = await upload(api, user, b"a,b\n1,2\n", mapping={"a": "shoe_size"}, expect=422)
    assert wrong_field["errors"][0]["loc"] == ["body", "mapping", "a"]
    no_column = await upload(api, user, b"email\nx@y.com\n", mapping={"Mail": "email"}, expect=422)
    assert no_column["errors"][0]["loc"] == ["body", "mapping", "Mail"]
    await upload(api, user, b"PK\x03\x04binary-xlsx", expect=422)
    await upload(api, user, b"", expect=422)
    await upload(api, user, b"email\nx@y.com\n", mapping="not json", expect=422)
    unmapped = await upload(api, user, b"foo,bar\n1,2\n", expect=422)
    assert "mapping" in unmapped["detail"]
    as_json = await api.post(IMPORTS, json={"object": "contacts"}, headers=user.headers)
    assert as_json.status_code == 415


async def test_imports_are_scoped_to_their_workspace(api: Api, user: User, other_user: User, db: Db) -> None:
    body = await upload(api, user, b"email\nscoped@example.org\n")
    assert (await api.get(f"{IMPORTS}/{body['id']}", headers=other_user.headers)).status_code == 404
    assert (await api.get(f"{IMPORTS}/{body['id']}/errors", headers=other_user.headers)).status_code == 404
    assert (await api.get(f"{IMPORTS}/{uuid.uuid4()}", headers=user.headers)).status_code == 404
    listed = (await api.get(IMPORTS, headers=user.headers)).json()["items"]
    assert [i["id"] for i in listed] == [body["id"]]
    assert (await api.get(IMPORTS, headers=other_user.headers)).json()["items"] == []
    await run_due(db)
    async with db.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(Contact.workspace_id == uuid.UUID(other_user.workspace_id))
        )
    assert count == 0
