"""The demo workspace a newcomer logs into on first start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import select

from domain.clock import get_clock
from domain.db import make_engine, make_sessionmaker
from domain.models import User
from rapport.settings import get_settings

DEMO_EMAIL = "demo@example.com"


def _login_file() -> Path:
    return Path(os.environ.get("RAPPORT_DATA_DIR", ".rapport")).resolve() / "demo-login.txt"


async def seed_demo_workspace() -> tuple[str, str] | None:
    """Create the demo workspace once; return its login (also kept in the data folder)."""
    from domain.auth import signup
    from domain.demo_data import populate_demo_workspace

    settings = get_settings()
    engine = make_engine(settings.async_database_url, pool_size=2)
    try:
        sessionmaker = make_sessionmaker(engine)
        async with sessionmaker() as session, session.begin():
            existing = (
                await session.execute(select(User).where(User.email == DEMO_EMAIL))
            ).scalar_one_or_none()
            if existing is not None:
                login_file = _login_file()
                if login_file.is_file():
                    email, _, password = login_file.read_text().strip().partition("\n")
                    return email, password
                return None
            password = secrets.token_urlsafe(9)
            from datetime import timedelta

            issued = await signup(
                session,
                email=DEMO_EMAIL,
                password=password,
                name="Demo User",
                workspace_name="Demo Company",
                secret_key=settings.secret,
                token_ttl=timedelta(minutes=1),
                now=get_clock().now(),
            )
            await populate_demo_workspace(
                session, workspace_id=issued.workspace.id, user_id=issued.user.id, now=get_clock().now()
            )
        login_file = _login_file()
        login_file.parent.mkdir(parents=True, exist_ok=True)
        login_file.write_text(f"{DEMO_EMAIL}\n{password}\n")
        login_file.chmod(0o600)
        return DEMO_EMAIL, password
    finally:
        await engine.dispose()
