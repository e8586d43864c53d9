"""The `rapport` command: run, serve, worker, migrate, seed-demo, openapi."""

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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
