"""Sample records for the demo workspace, built with the same domain functions users call."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Stage, User
from domain.pipelines import DEFAULT_PIPELINE_NAME, default_pipeline
from domain.principal import ADMIN, Principal

_ACCOUNTS = (
    ("Globex Corporation", "globex.example", "Manufacturing"),
    ("Initech", "initech.example", "Software"),
    ("Umbrella Health", "umbrella-health.example", "Healthcare"),
    ("Soylent Foods", "soylent.example", "Food & beverage"),
    ("Stark Logistics", "stark-logistics.example", "Logistics"),
)

# (first name, last name, title, account index, source)
_CONTACTS = (
    ("Hank", "Scorpio", "CEO", 0, "referral"),
    ("Peter", "Gibbons", "Operations lead", 1, "webinar"),
    ("Samir", "Nagheenanajar", "IT manager", 1, "webinar"),
    ("Alice", "Marsh", "Head of procurement", 2, "website"),
    ("Ben", "Okafor", "COO", 3, "event"),
    ("Priya", "Raman", "VP Supply chain", 4, "outbound"),
    ("Lena", "Fischer", "Finance director", 2, "website"),
    ("Tom", "Bradley", "Product owner", 0, "referral"),
)

# (title, amount, stage name, contact index, days since created, days until expected close, lost reason)
_DEALS: tuple[tuple[str, str | None, str, int, int, int | None, str | None], ...] = (
    ("Globex plant-floor rollout", "48000", "Prospect", 0, 3, 75, None),
    ("Soylent pilot: 3 kitchens", "6500", "Prospect", 4, 9, 60, None),
    ("Stark fleet tracking", None, "Prospect", 5, 1, None, None),
    ("Initech seat expansion", "12000", "Qualified", 1, 16, 45, None),
    ("Umbrella records migration", "31000", "Qualified", 3, 24, 50, None),
    ("Globex spare-parts portal", "9800", "Qualified", 7, 6, 40, None),
    ("Initech support renewal", "7200", "Proposal Sent", 2, 30, 14, None),
    ("Stark warehouse analytics", "26500", "Proposal Sent", 5, 21, 20, None),
    ("Umbrella clinic onboarding", "15400", "Proposal Sent", 6, 12, 25, None),
    ("Soylent enterprise plan", "54000", "Negotiation", 4, 40, 7, None),
    ("Globex EMEA licences", "38000", "Negotiation", 0, 35, 10, None),
    ("Initech training package", "4800", "Closed Won", 1, 28, -2, None),
    ("Umbrella analytics add-on", "11200", "Closed Won", 3, 45, -5, None),
    ("Stark customs integration", "17500", "Closed Lost", 5, 20, -3, "Missing feature"),
    ("Soylent loyalty app", "8900", "Closed Lost", 4, 50, -12, "Budget"),
)


async def populate_demo_workspace(
    session: AsyncSession, *, workspace_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> None:
    """A few accounts and contacts and a full "Sales pipeline": every column has something in it."""
    from domain.accounts import create_account
    from domain.contacts import create_contact
    from domain.deals import create_deal

    user = await session.get(User, user_id)
    principal = Principal(
        workspace_id=workspace_id,
        user_id=user_id,
        role=ADMIN,
        kind="user",
        name=user.name if user else "Demo User",
    )
    accounts = [
        await create_account(
            session,
            principal=principal,
            now=now - timedelta(days=60),
            fields={"name": name, "domain": domain, "industry": industry},
        )
        for name, domain, industry in _ACCOUNTS
    ]
    contacts = []
    for first, last, title, account, source in _CONTACTS:
        contact, _ = await create_contact(
            session,
            principal=principal,
            now=now - timedelta(days=55),
            fields={
                "first_name": first,
                "last_name": last,
                "title": title,
                "source": source,
                "email": f"{first.lower()}.{last.lower()}@{_ACCOUNTS[account][1]}",
                "account_id": accounts[account].id,
            },
        )
        contacts.append(contact)
    pipeline = await default_pipeline(session, workspace_id)
    if pipeline is None or pipeline.name != DEFAULT_PIPELINE_NAME:
        return
    stages = {
        s.name: s
        for s in (await session.execute(select(Stage).where(Stage.pipeline_id == pipeline.id))).scalars()
    }
    today = now.date()
    for title, amount, stage_name, person, age, close_in, lost_reason in _DEALS:
        stage = stages.get(stage_name)
        if stage is None:
            continue
        created = now - timedelta(days=age)
        closing: date | None = today + timedelta(days=close_in) if close_in is not None else None
        await create_deal(
            session=session,
            principal=principal,
            title=title,
            amount=amount,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            account_id=contacts[person].account_id,
            contact_ids=[contacts[person].id],
            expected_close_date=closing,
            lost_reason=lost_reason,
            now=created,
        )
