"""Which CSV column fills which field: headers of common exports map themselves, `mapping` overrides.

Headers are compared without case, spaces or punctuation ("E-mail 1 - Value" is `email1value`).
The aliases cover Google Contacts (both export formats), Outlook, HubSpot, Pipedrive ("Person -
Email - Work"), LinkedIn connections and plain spreadsheets. Several columns may fill one field
(Outlook's mobile, business and home phones): a row takes the first non-empty one, explicit
mappings first, then aliases in the order listed. A fallback alias is used only when no primary
alias of its field is present: Outlook's "Title" is "Mr."/"Ms." beside its "Job Title".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import FieldError, ValidationFailed

CUSTOM = "custom_fields."
FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": (
        "first_name",
        "last_name",
        "name",
        "email",
        "phone",
        "title",
        "company",
        "account_id",
        "owner_id",
        "owner_email",
        "source",
        "tags",
        "custom_fields",
    ),
    "accounts": (
        "name",
        "domain",
        "website",
        "industry",
        "phone",
        "owner_id",
        "owner_email",
        "tags",
        "custom_fields",
    ),
    "deals": (
        "title",
        "amount",
        "currency",
        "pipeline",
        "stage",
        "status",
        "owner_id",
        "owner_email",
        "account",
        "contact_email",
        "expected_close_date",
        "created_at",
        "closed_at",
        "lost_reason",
        "lost_reason_detail",
        "source",
        "tags",
        "custom_fields",
    ),
}

# field: (primary aliases, fallback aliases), normalised; a field's own name maps itself too.
_ALIASES: dict[str, dict[str, tuple[str, ...] | tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "contacts": {
        "first_name": ("firstname", "givenname", "first", "fname", "personfirstname", "forename"),
        "last_name": ("lastname", "familyname", "surname", "last", "lname", "personlastname"),
        "name": ("name", "fullname", "contactname", "personname", "displayname", "contact"),
        "email": (
            "email",
            "emailaddress",
            "email1value",
            "email1",
            "workemail",
            "primaryemail",
            "personemail",
            "personemailwork",
            "personemailother",
            "personemailhome",
            "emailwork",
            "mail",
        ),
        "phone": (
            "phone",
            "phonenumber",
            "phone1value",
            "mobilephone",
            "mobile",
            "mobilenumber",
            "cellphone",
            "businessphone",
            "workphone",
            "primaryphone",
            "telephone",
            "tel",
            "personphone",
            "personphonemobile",
            "personphonework",
            "personphoneother",
            "homephone",
            "personphonehome",
        ),
        "title": (
            (
                "jobtitle",
                "organizationtitle",
                "organization1title",
                "position",
                "persontitle",
                "personjobtitle",
                "role",
                "jobposition",
            ),
            ("title",),
        ),
        "company": (
            "company",
            "companyname",
            "organization",
            "organizationname",
            "organization1name",
            "organisation",
            "account",
            "accountname",
            "personorganization",
            "employer",
        ),
        "source": ("source", "leadsource", "originalsource", "personsource"),
        "tags": ("tags", "labels", "label", "personlabel", "personlabels", "categories", "groupmembership"),
        "owner_email": ("owneremail", "owner", "contactowner", "personowner", "assignedto"),
        "custom_fields.linkedin_url": ("url", "linkedinurl", "linkedin", "linkedinprofile"),
        "custom_fields.connected_on": ("connectedon",),
        "custom_fields.notes": ("notes", "note", "comments", "description"),
    },
    "accounts": {
        "name": (
            "name",
            "companyname",
            "company",
            "organization",
            "organizationname",
            "organisation",
            "accountname",
        ),
        "domain": ("domain", "companydomainname", "companydomain", "emaildomain"),
        "website": ("website", "websiteurl", "url", "web", "homepage", "organizationwebsite"),
        "industry": ("industry", "organizationindustry", "sector"),
        "phone": ("phone", "phonenumber", "companyphone", "organizationphone", "telephone"),
        "tags": ("tags", "labels", "label", "organizationlabel"),
        "owner_email": ("owneremail", "owner", "companyowner", "organizationowner", "accountowner"),
    },
    "deals": {
        "title": ("title", "dealtitle", "dealname", "name", "opportunity", "opportunityname"),
        "amount": ("amount", "value", "dealvalue", "dealamount"),
        "currency": ("currency", "dealcurrency", "currencycode"),
        "pipeline": ("pipeline", "dealpipeline"),
        "stage": ("stage", "dealstage", "dealstagename"),
        "status": ("status", "dealstatus"),
        "owner_email": ("owneremail", "owner", "dealowner"),
        "account": (
            "account",
            "company",
            "companyname",
            "organization",
            "organizationname",
            "accountname",
            "dealorganization",
            "associatedcompany",
        ),
        "contact_email": ("contactemail", "email", "personemail", "contact", "dealcontactperson"),
        "expected_close_date": ("expectedclosedate", "dealexpectedclosedate", "closedate", "expectedclose"),
        "created_at": (
            "createdat",
            "created",
            "createdate",
            "dealcreated",
            "dealdealcreated",
            "dealcreatedate",
            "addtime",
            "dealaddtime",
        ),
        "closed_at": (
            "closedat",
            "closed",
            "closetime",
            "dealclosetime",
            "wontime",
            "dealwontime",
            "losttime",
            "deallosttime",
            "closedwondate",
        ),
        "lost_reason": ("lostreason", "deallostreason", "closedlostreason"),
        "lost_reason_detail": ("lostreasondetail", "lostreasondetails", "lostcomment", "lostnote"),
        "source": ("source", "dealsource", "leadsource"),
        "tags": ("tags", "labels", "label", "deallabel"),
    },
}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(header: str) -> str:
    return _NOT_ALNUM.sub("", header.strip().lstrip("\ufeff").casefold())


def _table(kind: str) -> tuple[dict[str, tuple[str, int]], dict[str, tuple[str, int]]]:
    """Normalised header -> (field, priority), for primary and for fallback aliases."""
    primary: dict[str, tuple[str, int]] = {}
    fallback: dict[str, tuple[str, int]] = {}
    for name, aliases in _ALIASES[kind].items():
        strong, weak = aliases if isinstance(aliases[0], tuple) else (aliases, ())
        for priority, alias in enumerate(strong):
            primary.setdefault(str(alias), (name, priority))
        for priority, alias in enumerate(weak):
            fallback.setdefault(str(alias), (name, priority))
    for name in FIELDS[kind]:
        if header_key(name) not in fallback:
            primary.setdefault(header_key(name), (name, 0))
    return primary, fallback


_TABLES = {kind: _table(kind) for kind in FIELDS}


def known_header(kind: str, header: str) -> bool:
    primary, fallback = _TABLES[kind]
    key = header_key(header)
    return key in primary or key in fallback or header.strip().startswith(CUSTOM)


def valid_field(kind: str, name: str) -> bool:
    if name.startswith(CUSTOM):
        return bool(name[len(CUSTOM) :].strip())
    return name in FIELDS[kind]


@dataclass
class Plan:
    """The chosen mapping: header -> field (None: ignored), and field -> its columns in order."""

    mapping: dict[str, str | None] = field(default_factory=dict)
    columns: dict[str, list[int]] = field(default_factory=dict)


def plan(
    kind: str, headers: list[str], explicit: Mapping[str, str | None] | None = None, *, replay: bool = False
) -> Plan:
    """Map the file's headers; an explicit entry (header -> field, or null to ignore) wins.

    `replay`: `explicit` is a mapping this function chose before (the job re-reading the one the
    upload stored), so entries that are plain aliases keep their alias order.
    """
    explicit = dict(explicit or {})
    errors = [
        FieldError(loc=["body", "mapping", header], msg="The file has no such column")
        for header in explicit
        if header not in headers
    ]
    errors += [
        FieldError(loc=["body", "mapping", header], msg=f"{target!r} is not a field of {kind}")
        for header, target in explicit.items()
        if target is not None and not valid_field(kind, target)
    ]
    if errors:
        raise ValidationFailed("mapping does not fit the file", errors=errors)
    primary, fallback = _TABLES[kind]
    ranked: list[tuple[str, int, int, int]] = []  # field, tier, priority, column
    for index, header in enumerate(headers):
        if header in explicit:
            target = explicit[header]
            alias = primary.get(header_key(header))
            if replay and target is not None and alias is not None and alias[0] == target:
                # Naming what the header means anyway (a stored mapping replayed) keeps its rank.
                ranked.append((target, 1, alias[1], index))
            elif target is not None:
                ranked.append((target, 0, 0, index))
            continue
        if header.startswith(CUSTOM) and valid_field(kind, header):
            ranked.append((header, 1, 0, index))
        elif (hit := primary.get(header_key(header))) is not None:
            ranked.append((hit[0], 1, hit[1], index))
    chosen = {name for name, *_ in ranked}
    for index, header in enumerate(headers):
        hit = fallback.get(header_key(header))
        if header not in explicit and hit is not None and hit[0] not in chosen:
            ranked.append((hit[0], 2, hit[1], index))
    result = Plan(mapping={header: None for header in headers})
    for name, _, _, index in sorted(ranked, key=lambda r: r[1:]):
        result.columns.setdefault(name, []).append(index)
        if result.mapping.get(headers[index]) is None:
            result.mapping[headers[index]] = name
    return result
