"""Reading CSV files: encodings, delimiters, headers after notes, quoted line breaks, mappings."""

from __future__ import annotations

import codecs

import pytest

from domain.errors import ValidationFailed
from domain.imports.mapping import known_header, plan
from domain.imports.reading import UnreadableFile, decode_lines, detect_encoding, records, sniff


def _known(cell: str) -> bool:
    return known_header("contacts", cell)


def _records(data: bytes, chunk: int = 7) -> list[list[str]]:
    layout = sniff(data, _known)
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    return list(records(pieces, layout.encoding, layout.delimiter))


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "email,name\nä@x.de,Ä\n".encode(), "utf-8-sig"),
        ("email,name\nä@x.de,Ä\n".encode(), "utf-8"),
        ("email,name\nä@x.de,Ä\n".encode("utf-16"), "utf-16"),
        ("email,name\nä@x.de,Ä\n".encode("utf-16-le"), "utf-16-le"),
        ("email,name\nä@x.de,Ä\n".encode("utf-16-be"), "utf-16-be"),
        ("email,name\nä@x.de,Ä – €\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_are_recognised(data: bytes, encoding: str) -> None:
    assert detect_encoding(data) == encoding
    assert _records(data)[1][1].startswith("Ä")


def test_spreadsheets_and_binary_files_are_refused() -> None:
    with pytest.raises(UnreadableFile, match="Excel"):
        detect_encoding(b"PK\x03\x04\x14\x00rest-of-zip")
    with pytest.raises(UnreadableFile, match="binary"):
        detect_encoding(b"email\x00\x01\x02\x03\xff\xfe")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(delimiter: str) -> None:
    rows = [
        ["First Name", "Last Name", "Email"],
        ["Ada", "Lovelace, Countess", "ada@x.com"],
        ["Alan", "Turing", "alan@x.com"],
    ]
    text = "\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in row) for row in rows) + "\n"
    layout = sniff(text.encode(), _known)
    assert layout.delimiter == delimiter
    assert layout.columns == ["First Name", "Last Name", "Email"]


def test_quoted_cells_keep_line_breaks_across_chunks() -> None:
    data = b'name,notes\r\n"Lisa","line one\r\nline two, with ""quotes"""\r\nBart,plain\r\n'
    for chunk in (1, 2, 3, 5, 100):
        assert _records(data, chunk) == [
            ["name", "notes"],
            ["Lisa", 'line one\r\nline two, with "quotes"'],
            ["Bart", "plain"],
        ]


def test_utf16_split_between_chunks_and_carriage_returns_only() -> None:
    data = "name,email\nZoë,zoe@x.com\n".encode("utf-16")
    assert _records(data, chunk=3)[1] == ["Zoë", "zoe@x.com"]
    assert _records(b"name,email\rAda,ada@x.com\r", chunk=4)[1] == ["Ada", "ada@x.com"]
    assert list(decode_lines([b"a\x00b\n"], "utf-8")) == ["ab\n"]


def test_the_header_after_notes_is_found() -> None:
    data = (
        b'Notes:\n"When exporting your connection data, you may notice, that some are missing."\n\n'
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        b"Alan,Turing,https://x,,Bletchley Park,Cryptanalyst,23 Jun 2021\n"
    )
    layout = sniff(data, _known)
    assert layout.header_index == 3 and layout.columns[0] == "First Name"
    unknown = sniff(b"Report generated 2024-01-01\n\nfoo,bar,baz\n1,2,3\n4,5,6\n", _known)
    assert unknown.header_index == 2 and unknown.columns == ["foo", "bar", "baz"]
    assert sniff(b"email\nx@y.com\n", _known).columns == ["email"]
    with pytest.raises(UnreadableFile):
        sniff(b"   \n", _known)


def test_mapping_prefers_explicit_then_aliases_in_order() -> None:
    headers = ["Title", "First Name", "Home Phone", "Mobile Phone", "Job Title", "E-mail Address", "Company"]
    chosen = plan("contacts", headers)
    assert chosen.mapping["Title"] is None and chosen.mapping["Job Title"] == "title"
    # The mobile number comes before the home one whatever their order in the file.
    assert chosen.columns["phone"] == [3, 2]
    plain = plan("contacts", ["Title", "Name"])
    assert plain.mapping == {"Title": "title", "Name": "name"}
    explicit = plan(
        "contacts", headers, {"Home Phone": "phone", "Company": None, "Title": "custom_fields.salutation"}
    )
    assert explicit.columns["phone"][0] == 2 and "company" not in explicit.columns
    assert explicit.columns["custom_fields.salutation"] == [0]
    # A stored mapping replayed keeps the alias order it was chosen in.
    assert plan("contacts", headers, chosen.mapping, replay=True).columns == chosen.columns
    with pytest.raises(ValidationFailed):
        plan("contacts", headers, {"Nope": "email"})
    with pytest.raises(ValidationFailed):
        plan("deals", ["x"], {"x": "first_name"})


@pytest.mark.parametrize(
    ("kind", "headers", "expected"),
    [
        (
            "contacts",
            ["Given Name", "Family Name", "E-mail 1 - Value", "Phone 1 - Value", "Organization 1 - Name"],
            ["first_name", "last_name", "email", "phone", "company"],
        ),
        (
            "contacts",
            ["Person - Name", "Person - Email - Work", "Person - Phone - Mobile", "Person - Organization"],
            ["name", "email", "phone", "company"],
        ),
        (
            "contacts",
            ["First Name", "Last Name", "Email", "Phone Number", "Company Name", "Contact owner"],
            ["first_name", "last_name", "email", "phone", "company", "owner_email"],
        ),
        (
            "accounts",
            ["Company name", "Company Domain Name", "Industry", "Phone Number", "Company owner"],
            ["name", "domain", "industry", "phone", "owner_email"],
        ),
        (
            "deals",
            [
                "Deal Name",
                "Amount",
                "Deal Stage",
                "Pipeline",
                "Close Date",
                "Create Date",
                "Deal owner",
                "Associated Company",
            ],
            [
                "title",
                "amount",
                "stage",
                "pipeline",
                "expected_close_date",
                "created_at",
                "owner_email",
                "account",
            ],
        ),
    ],
)
def test_exports_of_common_tools_map_themselves(kind: str, headers: list[str], expected: list[str]) -> None:
    assert [plan(kind, headers).mapping[h] for h in headers] == expected
