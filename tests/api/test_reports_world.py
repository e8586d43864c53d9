"""Builders the report tests share: a workspace with members and pipelines, and historical rows.

Rows are inserted with the ORM as the connecting (super)user, so created_at, closed_at and stage
history carry exact past instants; the API then reads them back as the workspace's members.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from domain.clock import OffsetClock
from domain.models import (
    Activity,
    Contact,
    Deal,
    DealContact,
    Pipeline,
    Stage,
    StageChange,
    Workspace,
)
from tests.conftest import Api, Db, User

REPORTS = ("summary", "funnel", "sources", "forecast", "activity", "won-over-time")

# name, position, kind, probability
SALES_STAGES = (
    ("Lead", 0, "open", 10),
    ("Qualified", 1, "open", 30),
    ("Proposal", 2, "open", 60),
    ("Negotiation", 3, "open", 80),
    ("Won", 4, "won", 100),
    ("Lost", 5, "lost", 0),
)
RENEWAL_STAGES = (("Renewal due", 0, "open", 50), ("Renewed", 1, "won", 100), ("Churned", 2, "lost", 0))


def at(text: str) -> datetime:
    """`2026-03-12T00:00` read as UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def set_now(clock: OffsetClock, instant: datetime) -> None:
    """Move the app's clock so that "now" is `instant` (give or take the test's own runtime)."""
    clock.offset = instant - datetime.now(UTC)


@dataclass
class World:
    """One workspace with two members (Ann the admin, Bea a member) and two pipelines."""

    db: Db
    admin: User
    member: User
    workspace_id: uuid.UUID
    pipelines: dict[str, uuid.UUID] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)

    @property
    def ann(self) -> uuid.UUID:
        return uuid.UUID(self.admin.user_id)

    @property
    def bea(self) -> uuid.UUID:
        return uuid.UUID(self.member.user_id)

    def stage(self, name: str) -> Stage:
        return self.stages[name]

    async def set_timezone(self, timezone: str) -> None:
        async with self.db.sessionmaker() as session, session.begin():
            await session.execute(
                update(Workspace).where(Workspace.id == self.workspace_id).values(timezone=timezone)
            )

    async def contact(
        self,
        created: str,
        *,
        source: str | None = None,
        owner: uuid.UUID | None = None,
        merged_into: uuid.UUID | None = None,
    ) -> uuid.UUID:
        contact_id = uuid.uuid4()
        async with self.db.sessionmaker() as session, session.begin():
            session.add(
                Contact(
                    id=contact_id,
                    workspace_id=self.workspace_id,
                    first_name=f"C{str(contact_id)[:6]}",
                    source=source,
                    owner_id=owner or self.ann,
                    merged_into_id=merged_into,
                    created_at=at(created),
                    updated_at=at(created),
                )
            )
        return contact_id

    async def activity(
        self,
        type: str,
        created: str,
        *,
        owner: uuid.UUID | None,
        completed: str | None = None,
        contact: uuid.UUID | None = None,
        deal: uuid.UUID | None = None,
        by: str = "user",
    ) -> None:
        async with self.db.sessionmaker() as session, session.begin():
            session.add(
                Activity(
                    workspace_id=self.workspace_id,
                    type=type,
                    subject=f"{type} {created}",
                    owner_id=owner,
                    completed_at=at(completed) if completed else None,
                    contact_id=contact,
                    deal_id=deal,
                    created_by_type=by,
                    created_at=at(created),
                    updated_at=at(created),
                )
            )

    async def deal(
        self,
        title: str,
        created: str,
        path: Sequence[tuple[str, str] | tuple[str, str, uuid.UUID | None, str]],
        *,
        amount: str | None = "0",
        currency: str = "USD",
        owner: uuid.UUID | None = None,
        source: str | None = None,
        expected: str | None = None,
        contacts: Sequence[uuid.UUID] = (),
    ) -> uuid.UUID:
        """A deal created into `path[0]`'s stage and moved along the rest of `path`.

        Each step is (stage name, when) or (stage name, when, actor id, actor type); the first
        step's time is the creation. The deal ends in the last stage, closed there if it is won or
        lost.
        """
        deal_id = uuid.uuid4()
        last = self.stage(path[-1][0])
        last_at = at(path[-1][1])
        async with self.db.sessionmaker() as session, session.begin():
            session.add(
                Deal(
                    id=deal_id,
                    workspace_id=self.workspace_id,
                    title=title,
                    amount=Decimal(amount) if amount is not None else None,
                    currency=currency,
                    pipeline_id=last.pipeline_id,
                    stage_id=last.id,
                    status=last.kind,
                    owner_id=owner or self.ann,
                    source=source,
                    expected_close_date=date.fromisoformat(expected) if expected else None,
                    closed_at=last_at if last.kind != "open" else None,
                    rank=f"r{title}",
                    stage_entered_at=last_at,
                    created_at=at(created),
                    updated_at=last_at,
                )
            )
            await session.flush()
            for position, contact_id in enumerate(contacts):
                session.add(
                    DealContact(
                        workspace_id=self.workspace_id,
                        deal_id=deal_id,
                        contact_id=contact_id,
                        position=position,
                    )
                )
            previous: uuid.UUID | None = None
            for step in path:
                stage = self.stage(step[0])
                actor = step[2] if len(step) > 2 else self.ann
                actor_type = step[3] if len(step) > 3 else "user"
                session.add(
                    StageChange(
                        workspace_id=self.workspace_id,
                        deal_id=deal_id,
                        pipeline_id=stage.pipeline_id,
                        from_stage_id=previous,
                        to_stage_id=stage.id,
                        actor_type=actor_type,
                        actor_id=actor,
                        at=at(step[1]),
                    )
                )
                previous = stage.id
        return deal_id


async def _invite(api: Api, admin: User, name: str) -> User:
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    invitation = await api.post(
        "/api/v1/invitations", json={"email": email, "role": "member"}, headers=admin.headers
    )
    assert invitation.status_code == 201, invitation.text
    token = invitation.json()["accept_url"].rsplit("/", 1)[1]
    accepted = await api.post(
        f"/api/v1/invitations/{token}/accept", json={"name": name, "password": "long-password-1"}
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    api.client.cookies.clear()
    return User(email, "long-password-1", body["access_token"], body["user"]["id"], body["workspace"]["id"])


async def make_world(api: Api, db: Db, *, timezone: str = "UTC", name: str = "Reports Co") -> World:
    admin = await api.signup(workspace=name)
    workspace_id = uuid.UUID(admin.workspace_id)
    async with db.sessionmaker() as session, session.begin():
        await session.execute(
            update(Workspace).where(Workspace.id == workspace_id).values(timezone=timezone, currency="USD")
        )
    member = await _invite(api, admin, "Bea")
    # Admin's display name sorts before the member's: rows per owner read Ann, then Bea.
    async with db.sessionmaker() as session, session.begin():
        from domain.models import User as UserRow

        await session.execute(
            update(UserRow).where(UserRow.id == uuid.UUID(admin.user_id)).values(name="Ann")
        )
    world = World(db=db, admin=admin, member=member, workspace_id=workspace_id)
    async with db.sessionmaker() as session, session.begin():
        for pipeline_name, specs in (("Sales", SALES_STAGES), ("Renewals", RENEWAL_STAGES)):
            pipeline = Pipeline(id=uuid.uuid4(), workspace_id=workspace_id, name=f"Report {pipeline_name}")
            session.add(pipeline)
            await session.flush()
            world.pipelines[pipeline_name] = pipeline.id
            for stage_name, position, kind, probability in specs:
                stage = Stage(
                    id=uuid.uuid4(),
                    workspace_id=workspace_id,
                    pipeline_id=pipeline.id,
                    name=stage_name,
                    position=position,
                    kind=kind,
                    probability=probability,
                )
                session.add(stage)
                world.stages[stage_name] = stage
    return world


async def get_report(api: Api, user: User, report: str, **params: object) -> dict[str, object]:
    response = await api.get(
        f"/api/v1/reports/{report}",
        params={k.rstrip("_"): str(v) for k, v in params.items()},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def get_csv(api: Api, user: User, report: str, **params: object) -> list[str]:
    response = await api.get(
        f"/api/v1/reports/{report}",
        params={"format": "csv", **{k.rstrip("_"): str(v) for k, v in params.items()}},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return response.text.split("\r\n")


@dataclass
class SalesHistory:
    """The rows of `build_sales_history`, by the names the hand computations use."""

    deals: dict[str, uuid.UUID]
    contacts: dict[str, uuid.UUID]


async def build_sales_history(world: World) -> SalesHistory:
    """Closed and open deals around March 2026, for the summary, sources and won-over-time tests.

    Contacts (created; source; first activity):
      C1 2026-02-01 web, a call logged 2026-01-20 (imported history) -> first contact 01-20
      C2 2026-02-10 referral, a call 2026-02-15 -> first contact 02-10
      C3 2026-03-05 no source ("unknown"); C4 2026-03-20 web, owned by Bea
      C5 2026-03-25 merged into C4 (not a lead of its own); C6 2026-04-02 web (April)
      C7 2026-03-08 source "=1+1" (a formula, for the CSV)
    Deals (USD unless said; Ann's unless said; Sales pipeline unless said):
      D1  created 02-01 contacts [C2, C1], won 03-12 00:00, 1000, referral -> 30 days (from C2)
      D2  created 03-02 contacts [C1], won 03-21 00:00, 3000, web, Bea's -> 60 days (from C1's call)
      D3  created 03-10 00:00 no contact, won 03-20 12:00, 500, web -> 10.5 days
      D4  created 03-03 00:00 no contact, won 03-15 00:00, 2000 EUR, partner -> 12 days
      D5  created 02-20, lost 03-25, 800, web, Bea's
      D6  created 03-16 11:30, won 03-31 23:30 UTC (1 April 01:30 in Paris), 700, web -> 15.5 days
      D7  created 02-01, lost 02-28 23:30 UTC (1 March 00:30 in Paris), 400, referral
      D8  created 03-15, open, 900, web
      D9  Renewals pipeline, created 03-01 00:00, won 03-05 00:00, 250, web -> 4 days
      D10 created 03-20, won 04-05, 10000, web
    """
    c1 = await world.contact("2026-02-01T00:00", source="web")
    await world.activity("call", "2026-01-20T00:00", owner=world.ann, contact=c1)
    c2 = await world.contact("2026-02-10T00:00", source="referral")
    await world.activity("call", "2026-02-15T00:00", owner=world.ann, contact=c2)
    c3 = await world.contact("2026-03-05T10:00")
    c4 = await world.contact("2026-03-20T00:00", source="web", owner=world.bea)
    c5 = await world.contact("2026-03-25T00:00", source="web", merged_into=c4)
    c6 = await world.contact("2026-04-02T00:00", source="web")
    c7 = await world.contact("2026-03-08T00:00", source="=1+1")
    deal = world.deal
    deals = {
        "D1": await deal(
            "D1", "2026-02-01T00:00", [("Lead", "2026-02-01T00:00"), ("Won", "2026-03-12T00:00")],
            amount="1000", source="referral", contacts=[c2, c1],
        ),
        "D2": await deal(
            "D2", "2026-03-02T00:00", [("Proposal", "2026-03-02T00:00"), ("Won", "2026-03-21T00:00")],
            amount="3000", source="web", contacts=[c1], owner=world.bea,
        ),
        "D3": await deal(
            "D3", "2026-03-10T00:00", [("Lead", "2026-03-10T00:00"), ("Won", "2026-03-20T12:00")],
            amount="500", source="web",
        ),
        "D4": await deal(
            "D4", "2026-03-03T00:00", [("Lead", "2026-03-03T00:00"), ("Won", "2026-03-15T00:00")],
            amount="2000", currency="EUR", source="partner",
        ),
        "D5": await deal(
            "D5", "2026-02-20T00:00", [("Lead", "2026-02-20T00:00"), ("Lost", "2026-03-25T00:00")],
            amount="800", source="web", owner=world.bea,
        ),
        "D6": await deal(
            "D6", "2026-03-16T11:30", [("Lead", "2026-03-16T11:30"), ("Won", "2026-03-31T23:30")],
            amount="700", source="web",
        ),
        "D7": await deal(
            "D7", "2026-02-01T00:00", [("Lead", "2026-02-01T00:00"), ("Lost", "2026-02-28T23:30")],
            amount="400", source="referral",
        ),
        "D8": await deal(
            "D8", "2026-03-15T00:00", [("Lead", "2026-03-15T00:00")], amount="900", source="web"
        ),
        "D9": await deal(
            "D9", "2026-03-01T00:00", [("Renewal due", "2026-03-01T00:00"), ("Renewed", "2026-03-05T00:00")],
            amount="250", source="web",
        ),
        "D10": await deal(
            "D10", "2026-03-20T00:00", [("Lead", "2026-03-20T00:00"), ("Won", "2026-04-05T00:00")],
            amount="10000", source="web",
        ),
    }  # fmt: skip
    contacts = {"C1": c1, "C2": c2, "C3": c3, "C4": c4, "C5": c5, "C6": c6, "C7": c7}
    return SalesHistory(deals=deals, contacts=contacts)


def test_set_now_moves_the_clock() -> None:
    clock = OffsetClock()
    set_now(clock, at("2026-05-15T12:00"))
    assert abs(clock.now() - at("2026-05-15T12:00")) < timedelta(seconds=1)
