"""The import's fast normalisers give exactly what the libraries give; parsing money and dates."""

from __future__ import annotations

import random
import string
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from domain.hygiene.normalise import bulk_email, bulk_phone, company_domain, split_full_name
from domain.imports.deal_rows import parse_date, parse_datetime, parse_money
from domain.imports.rows import RowFailure, parse_tags
from domain.normalise import normalise_phone, try_normalise_email


def test_fast_email_path_agrees_with_email_validator() -> None:
    rng = random.Random(5)
    local = string.ascii_letters + string.digits + ".-_+'!#"
    host = string.ascii_lowercase + string.digits + "-."
    tlds = [
        ".com",
        ".co.uk",
        ".io",
        ".test",
        ".local",
        ".x",
        ".123",
        ".museum",
        ".c0m",
        "",
        ".IO",
        ".xn--p1ai",
    ]
    samples = [
        "A.B@EXAMPLE.COM",
        "a..b@x.com",
        ".a@x.com",
        "a.@x.com",
        "a@-x.com",
        "a@x-.com",
        "a@ab--cd.com",
        "a@x.com.",
        " padded@x.com ",
        "ünï@x.de",
        "a@bücher.de",
        '"quoted"@x.com',
        "a@[127.0.0.1]",
        "x" * 65 + "@x.com",
        "a@" + "b" * 64 + ".com",
        "a@" + ("b" * 60 + ".") * 5 + "com",
    ]
    for _ in range(30_000):
        samples.append(
            "".join(rng.choice(local) for _ in range(rng.randint(1, 12)))
            + "@"
            + "".join(rng.choice(host) for _ in range(rng.randint(1, 12)))
            + rng.choice(tlds)
        )
    mismatches = [s for s in samples if bulk_email(s) != try_normalise_email(s)]
    assert mismatches == []


def test_fast_phone_path_agrees_with_phonenumbers() -> None:
    rng = random.Random(9)
    layouts = [
        "({a}) {b}-{c}",
        "{a}-{b}-{c}",
        "{a}.{b}.{c}",
        "+1 {a} {b} {c}",
        "1-{a}-{b}-{c}",
        "{a}{b}{c}",
        "+1{a}{b}{c}",
        "1 ({a}) {b} {c}",
        "+{a}{b}{c}",
        "({a}){b}-{c}",
        "{a} {b} {c} ",
        "0{a}{b}{c}",
        "{a}{b}{c} x12",
        "+44 {a} {b} {c}",
    ]
    mismatches = []
    for _ in range(20_000):
        digits = {k: "".join(rng.choice(string.digits) for _ in range(n)) for k, n in (("a", 3), ("b", 3))}
        digits["c"] = "".join(rng.choice(string.digits) for _ in range(rng.choice([3, 4, 4, 5])))
        raw = rng.choice(layouts).format(**digits)
        for region in ("US", "CA", "GB", "DE"):
            if bulk_phone(raw, region) != normalise_phone(raw, region):
                mismatches.append((raw, region))
    assert mismatches == []


def test_names_and_domains() -> None:
    assert split_full_name("Dr. Hank J. Scorpio Jr.") == ("Hank J.", "Scorpio")
    assert split_full_name("Scorpio, Hank") == ("Hank", "Scorpio")
    assert split_full_name("Cher") == ("Cher", None)
    assert split_full_name("  ") == (None, None)
    assert company_domain("hank@globex.com") == "globex.com"
    assert company_domain("hank@gmail.com") is None and company_domain(None) is None


def test_tags_in_every_spelling() -> None:
    assert parse_tags("a; b;; a") == ["a", "b"]
    assert parse_tags("a, b") == ["a", "b"]
    assert parse_tags("* myContacts ::: Friends ::: * starred") == ["Friends"]
    assert parse_tags('["x, y", "z"]') == ["x, y", "z"]
    with pytest.raises(RowFailure):
        parse_tags("x" * 101)


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("$1,500.00", "USD", "1500.00"),
        ("1.500,00 €", "EUR", "1500.00"),
        ("1 500", "USD", "1500.00"),
        ("12,5", "EUR", "12.50"),
        ("1,234,567", "USD", "1234567.00"),
        ("1999", "JPY", "1999"),
        ("0.125", "USD", "0.12"),
    ],
)
def test_money_as_people_write_it(raw: str, currency: str, expected: str) -> None:
    assert parse_money(raw, currency) == Decimal(expected)


def test_bad_money_fails_the_row() -> None:
    with pytest.raises(RowFailure):
        parse_money("-5", "USD")


def test_dates_day_or_month_first() -> None:
    assert parse_date("2024-03-01", month_first=False) == date(2024, 3, 1)
    assert parse_date("03/01/2024", month_first=True) == date(2024, 3, 1)
    assert parse_date("03/01/2024", month_first=False) == date(2024, 1, 3)
    assert parse_date("25/12/24", month_first=True) == date(2024, 12, 25)  # no 25th month
    assert parse_date("01.02.2024", month_first=False) == date(2024, 2, 1)
    assert parse_date("Jan 5, 2024", month_first=True) == date(2024, 1, 5)
    zone = ZoneInfo("Europe/Berlin")
    assert parse_datetime("2024-03-15 14:30:00", False, zone) == datetime(2024, 3, 15, 14, 30, tzinfo=zone)
    assert parse_datetime("2024-03-15T14:30:00Z", False, zone).utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert parse_datetime("3/15/2024 2:30 PM", True, zone) == datetime(2024, 3, 15, 14, 30, tzinfo=zone)
    for bad in ("31/31/2024", "yesterday", "2024-02-30"):
        with pytest.raises(RowFailure):
            parse_date(bad, month_first=False)
