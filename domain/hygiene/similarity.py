"""When two contacts or two accounts look like one: scores (0..100) and the reasons, no database.

Contacts: the same normalised email or phone is certain (100). Otherwise the names must be close
(`rapidfuzz`) and the two must share a context, the same account or the same company email
domain, since "John Smith" at two different companies is usually two people. A swapped first and
last name and a known nickname ("Bob" for "Robert") count as close. Accounts: the same domain,
or names equal once case, accents, punctuation and legal suffixes ("Inc.", "GmbH") are set aside.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

NAME_THRESHOLD = 85
ACCOUNT_THRESHOLD = 92

_NICKNAMES = {
    "robert": "bob bobby rob robbie bert",
    "william": "bill billy will willy liam",
    "richard": "rick ricky dick rich",
    "james": "jim jimmy jamie",
    "john": "jack johnny jon",
    "joseph": "joe joey",
    "michael": "mike mikey mick",
    "thomas": "tom tommy",
    "charles": "charlie chuck",
    "christopher": "chris kit",
    "daniel": "dan danny",
    "matthew": "matt",
    "anthony": "tony",
    "edward": "ed eddie ted ned",
    "henry": "hank harry hal",
    "harold": "harry hal",
    "lawrence": "larry",
    "leonard": "len lenny leo",
    "nicholas": "nick nicky",
    "patrick": "pat paddy",
    "peter": "pete",
    "samuel": "sam sammy",
    "stephen": "steve",
    "steven": "steve",
    "timothy": "tim timmy",
    "walter": "walt wally",
    "alexander": "alex sasha sandy",
    "andrew": "andy drew",
    "benjamin": "ben benny",
    "david": "dave davey",
    "donald": "don donnie",
    "douglas": "doug",
    "frederick": "fred freddy",
    "gerald": "gerry jerry",
    "gregory": "greg",
    "jacob": "jake",
    "jeffrey": "jeff",
    "jonathan": "jon",
    "kenneth": "ken kenny",
    "montgomery": "monty",
    "nathaniel": "nate nat",
    "raymond": "ray",
    "ronald": "ron ronnie",
    "theodore": "ted teddy theo",
    "vincent": "vince vinny",
    "zachary": "zach zack",
    "elizabeth": "liz lizzie beth betty eliza",
    "margaret": "maggie meg peggy marge madge",
    "katherine": "kate kathy katie kat",
    "catherine": "cathy kate katie",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "rebecca": "becky becca",
    "susan": "sue suzy",
    "deborah": "deb debbie",
    "patricia": "pat patty trish",
    "barbara": "barb babs",
    "dorothy": "dot dottie",
    "abigail": "abby",
    "alexandra": "alex sandra lexi",
    "christina": "chris tina",
    "christine": "chris tina",
    "victoria": "vicky tori",
    "samantha": "sam",
    "jacqueline": "jackie",
    "kimberly": "kim",
    "pamela": "pam",
    "cynthia": "cindy",
    "judith": "judy",
    "theresa": "terry tess",
    "valerie": "val",
    "gwendolyn": "gwen",
    "josephine": "jo josie",
    "ann": "annie nan",
    "anne": "annie nan",
    "eleanor": "ellie nora",
    "helen": "nell",
    "lisa": "liz",
    "allison": "ally",
    "amanda": "mandy",
}
_CANONICAL: dict[str, str] = {}
for _full, _short in _NICKNAMES.items():
    _CANONICAL.setdefault(_full, _full)
    for _nick in _short.split():
        _CANONICAL.setdefault(_nick, _full)

_NOT_ALNUM = re.compile(r"[^0-9a-z ]+")
_LEGAL_SUFFIXES = frozenset(
    "inc incorporated llc llp ltd limited gmbh corp corporation co company plc sa sas sarl ag bv nv "
    "oy ab as spa srl pty pte kg kk the".split()
)


@lru_cache(maxsize=65_536)
def fold(text: str | None) -> str:
    """Lower-case, accents removed, punctuation as spaces, single-spaced."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_ALNUM.sub(" ", plain).split())


def canonical_given_name(name: str) -> str:
    """The full form a (folded) nickname stands for: "bob" -> "robert"; others unchanged."""
    return _CANONICAL.get(name, name)


def same_given_name(a: str, b: str) -> bool:
    """ "Bob" and "Robert"; "Liz" and "Beth" (both short for Elizabeth)."""
    return bool(a and b and canonical_given_name(a) == canonical_given_name(b))


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    first: str  # folded
    last: str
    email: str | None
    phone: str | None
    account_id: uuid.UUID | None
    domain: str | None  # a company email domain (free mail providers say nothing)
    # Every email and phone, the primary ones included (a contact may have several).
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}".strip()


def _name_match(a: Person, b: Person) -> tuple[int, str] | None:
    if not a.full or not b.full:
        return None
    direct = round(fuzz.ratio(a.full, b.full))
    if a.first and a.last and b.first and b.last:
        swapped = round(fuzz.ratio(a.full, f"{b.last} {b.first}"))
        if swapped > direct and swapped >= NAME_THRESHOLD:
            return swapped, "swapped_names"
        if a.first != b.first and same_given_name(a.first, b.first) and fuzz.ratio(a.last, b.last) >= 90:
            return max(direct, 90), "nickname"
    if direct >= NAME_THRESHOLD:
        return direct, "same_name" if a.full == b.full else "similar_name"
    return None


def compare_people(a: Person, b: Person) -> tuple[int, list[str]] | None:
    """(score, reasons) when `a` and `b` look like one person, else None."""
    context = []
    if a.account_id is not None and a.account_id == b.account_id:
        context.append("same_account")
    if a.domain is not None and a.domain == b.domain:
        context.append("same_email_domain")
    exact = [
        reason
        for reason, x, y in (("same_email", a.email, b.email), ("same_phone", a.phone, b.phone))
        if x is not None and x == y
    ]
    exact += [
        reason
        for reason, xs, ys in (("same_email", a.emails, b.emails), ("same_phone", a.phones, b.phones))
        if reason not in exact and xs & ys
    ]
    if exact:
        return 100, exact + context
    if not context:
        return None
    match = _name_match(a, b)
    if match is None:
        return None
    return match[0], [match[1], *context]


def account_key(name: str) -> str:
    """A company name with its legal form and punctuation set aside: "ACME, Inc." -> "acme"."""
    words = fold(name).split()
    kept = [word for word in words if word not in _LEGAL_SUFFIXES]
    return " ".join(kept or words)


def compare_accounts(
    a_name: str, a_domain: str | None, b_name: str, b_domain: str | None
) -> tuple[int, list[str]] | None:
    if a_domain is not None and a_domain == b_domain:
        return 100, ["same_domain"]
    a_key, b_key = account_key(a_name), account_key(b_name)
    if not a_key or not b_key:
        return None
    score = round(fuzz.ratio(a_key, b_key))
    if score >= ACCOUNT_THRESHOLD:
        return score, ["same_name" if score == 100 else "similar_name"]
    return None
