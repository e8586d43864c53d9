"""`rapport import FILE --workspace ...`: the import from the terminal, as its own process."""

from __future__ import annotations

import asyncio
import csv
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select

from domain.models import Contact, Import
from tests.conftest import Api, Db, Servers, User, server_env

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


async def _rapport(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(subprocess.run, args, env=env, capture_output=True, text=True, timeout=120)


async def test_the_command_imports_with_a_summary_and_an_errors_file(
    api: Api, user: User, db: Db, servers: Servers, tmp_path: Path
) -> None:
    env = server_env(db.url, servers.redis_url)
    errors = tmp_path / "failed.csv"
    command = [
        sys.executable,
        "-m",
        "rapport",
        "import",
        str(FIXTURES / "google_contacts.csv"),
        "--workspace",
        user.workspace_id,
        "--errors",
        str(errors),
    ]
    done = await _rapport(command, env)
    assert done.returncode == 0, done.stderr
    assert "done: 7 rows: 5 created, 1 merged, 0 skipped, 1 failed" in done.stdout
    failed = list(csv.DictReader(errors.open()))
    assert [(row["row"], row["First Name"]) for row in failed] == [("5", "Marge")]
    async with db.sessionmaker() as session:
        workspace = uuid.UUID(user.workspace_id)
        assert (
            await session.scalar(
                select(func.count()).select_from(Contact).where(Contact.workspace_id == workspace)
            )
            == 5
        )
        record = (await session.scalars(select(Import).where(Import.workspace_id == workspace))).one()
        assert (record.created_by, record.status, record.attempt) == (uuid.UUID(user.user_id), "done", 1)
    # Again, as a dry run: everyone is there now but Mystery Person, who has nothing to match on.
    dry = await _rapport([*command[:7], "--dry-run", "--object", "contacts"], env)
    assert dry.returncode == 0 and "done (dry run): 7 rows: 1 created, 5 merged" in dry.stdout, dry.stdout
    unknown = await _rapport([*command[:5], "--workspace", "No Such Workspace"], env)
    assert unknown.returncode == 1 and "No single workspace" in unknown.stderr
