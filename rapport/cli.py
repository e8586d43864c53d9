"""The `rapport` command: run, serve, worker, migrate, seed-demo, openapi, import, automations run-due."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

app = typer.Typer(help="Rapport: an open-source CRM.", no_args_is_help=True, add_completion=False)

ROOT = Path(__file__).resolve().parent.parent


def _configure() -> None:
    from rapport.logs import configure_logging
    from rapport.settings import get_settings

    configure_logging(get_settings().log_format)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API and the built SPA."""
    import uvicorn

    _configure()
    from rapport.settings import get_settings

    get_settings()  # fail fast on a missing or weak SECRET_KEY
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
        access_log=False,
        # Open notification streams never finish on their own: past this, shutdown cancels them
        # (browsers reconnect to another process and resume with Last-Event-ID).
        timeout_graceful_shutdown=5,
    )


@app.command()
def worker() -> None:
    """Run the background worker (automations, webhooks, imports, email)."""
    _configure()
    from workers.runner import run_forever

    asyncio.run(run_forever())


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    _configure()
    from rapport.migrate import upgrade
    from rapport.settings import get_settings

    url = get_settings().database_url
    if not url:
        raise typer.BadParameter("DATABASE_URL is not set")
    upgrade(url)
    typer.echo("Database is up to date.")


@app.command("seed-demo")
def seed_demo() -> None:
    """Create the demo workspace (once) and print its login."""
    _configure()
    from rapport.demo import seed_demo_workspace

    login = asyncio.run(seed_demo_workspace())
    _print_login(login)


def _print_login(login: tuple[str, str] | None) -> None:
    if login is None:
        typer.echo("The demo workspace already exists (log in with the account printed on first start).")
        return
    email, password = login
    typer.secho("\n  Demo workspace ready. Log in at http://127.0.0.1:8000 with", bold=True)
    typer.secho(f"    email:    {email}\n    password: {password}\n", bold=True)


@app.command()
def openapi(output: Path = ROOT / "openapi.yaml") -> None:
    """Write the OpenAPI document (openapi.yaml)."""
    from rapport.openapi_doc import openapi_yaml

    output.write_text(openapi_yaml())
    typer.echo(f"Wrote {output}")


@app.command()
def run(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Everything a newcomer needs: database, Redis, migrations, demo data, API and a worker."""
    from rapport.embedded import embedded_services
    from rapport.settings import get_settings

    data_dir = Path(os.environ.get("RAPPORT_DATA_DIR", ".rapport")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    need_pg = not os.environ.get("DATABASE_URL")
    need_redis = not os.environ.get("REDIS_URL")
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    children: list[subprocess.Popen[bytes]] = []
    try:
        with embedded_services(data_dir, need_postgres=need_pg, need_redis=need_redis) as (pg_url, redis_url):
            if pg_url:
                os.environ["DATABASE_URL"] = pg_url
            if redis_url:
                os.environ["REDIS_URL"] = redis_url
            if need_pg or need_redis:
                os.environ["RAPPORT_EMBEDDED"] = "1"
            get_settings.cache_clear()
            get_settings()
            typer.echo("Applying migrations...")
            from rapport.migrate import upgrade

            upgrade(os.environ["DATABASE_URL"])
            from rapport.demo import seed_demo_workspace

            _print_login(asyncio.run(seed_demo_workspace()))
            exe = [sys.executable, "-m", "rapport"]
            children.append(subprocess.Popen([*exe, "serve", "--host", host, "--port", str(port)]))
            children.append(subprocess.Popen([*exe, "worker"]))
            typer.secho(f"Rapport is running on http://{host}:{port} (Ctrl-C stops it)", bold=True)
            while not stopping:
                for child in children:
                    if child.poll() is not None:
                        raise typer.Exit(child.returncode or 1)
                time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        typer.echo("Rapport stopped.")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="The CSV file."),
    workspace: str = typer.Option(..., "--workspace", "-w", help="Workspace id or name."),
    object: str = typer.Option("contacts", "--object", help="contacts, accounts or deals."),
    on_duplicate: str = typer.Option("merge", "--on-duplicate", help="merge, skip or create."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Count and preview; write no record."),
    mapping: str | None = typer.Option(None, "--mapping", help='JSON: {"CSV header": "field" | null}.'),
    user: str | None = typer.Option(None, "--as", help="Import as this member (email); default: an admin."),
    errors: Path | None = typer.Option(None, "--errors", help="Write the failed rows (CSV) here."),
) -> None:
    """Import a CSV into a workspace, as `POST /api/v1/imports` does, with a progress bar."""
    import json

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    _configure()
    from domain.clock import get_clock
    from domain.db import make_engine, make_sessionmaker
    from domain.errors import DomainError
    from domain.exports import csv_chunks
    from domain.imports import store
    from domain.imports.local import import_file
    from domain.models import Import
    from rapport.settings import get_settings

    if object not in ("contacts", "accounts", "deals") or on_duplicate not in ("merge", "skip", "create"):
        raise typer.BadParameter("--object is contacts|accounts|deals, --on-duplicate merge|skip|create")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())

    async def _run() -> Import:
        engine = make_engine(get_settings().async_database_url, pool_size=3)
        try:
            with Progress(*columns) as progress:
                task = progress.add_task(f"Importing {file.name}", total=None)

                def advance(record: Import) -> None:
                    progress.update(task, total=record.total, completed=record.processed)

                record = await import_file(
                    make_sessionmaker(engine),
                    path=file,
                    workspace=workspace,
                    user_email=user,
                    kind=object,
                    on_duplicate=on_duplicate,
                    dry_run=dry_run,
                    clock=get_clock(),
                    on_progress=advance,
                    mapping=json.loads(mapping) if mapping else None,
                )
                advance(record)
            if errors is not None:
                with errors.open("wb") as out:
                    rows = store.errors_csv_rows(make_sessionmaker(engine), record.workspace_id, record.id)
                    async for chunk in csv_chunks(rows):
                        out.write(chunk)
            return record
        finally:
            await engine.dispose()

    try:
        record = asyncio.run(_run())
    except DomainError as exc:
        typer.secho(f"Import refused: {exc.detail}", err=True, fg="red")
        for error in exc.errors:
            typer.secho(f"  {'.'.join(str(p) for p in error.loc)}: {error.msg}", err=True, fg="red")
        raise typer.Exit(1) from None
    typer.echo(
        f"{record.status}{' (dry run)' if record.dry_run else ''}: {record.total} rows: "
        f"{record.created} created, {record.merged} merged, {record.skipped} skipped, "
        f"{record.failed} failed" + (f" (see {errors})" if errors and record.failed else "")
    )
    if record.error:
        typer.secho(record.error, err=True, fg="red")
    if record.status != "done":
        raise typer.Exit(1)


automations_app = typer.Typer(help="Automations: time-based rules and reminders.", no_args_is_help=True)
app.add_typer(automations_app, name="automations")


@automations_app.command("run-due")
def automations_run_due() -> None:
    """Fire every time-based automation and reminder that is due now (safe beside a worker)."""
    _configure()
    from domain.automations.sweep import run_due_across_workspaces
    from domain.clock import get_clock
    from domain.db import make_engine, make_sessionmaker
    from rapport.settings import get_settings

    async def _run() -> tuple[int, int, int]:
        engine = make_engine(get_settings().async_database_url, pool_size=2)
        try:
            swept, result = await run_due_across_workspaces(make_sessionmaker(engine), now=get_clock().now())
            return swept, result.fired, result.reminders
        finally:
            await engine.dispose()

    swept, fired, reminders = asyncio.run(_run())
    typer.echo(f"Swept {swept} workspace(s): {fired} automation run(s), {reminders} reminder(s).")


def main() -> None:
    """The console entry point: a configuration mistake is one line to fix, not a traceback."""
    from pydantic import ValidationError

    try:
        app()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']).upper() or 'settings'}: {error['msg']}"
            for error in exc.errors()
        )
        typer.echo(f"rapport: configuration error: {problems}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
