"""Browser tests: Debian's chromium driven by sync Playwright against `rapport serve`.

Tests are plain `def` functions: the sync API refuses to start inside a running asyncio loop,
and the live server fixture is sync anyway. While a sync Playwright is alive it marks its own
loop as the thread's running loop, so `asyncio.run()` (which the live server uses to clone and
drop its database) and async fixtures fail meanwhile: browser tests arrange data through the
HTTP API only, and the browser depends on `live_server`, so it starts after the server and stops
before it, and no later async test sees its loop.

One server and one browser serve the whole package (each module starting its own costs a few
seconds on a 2-core runner); every test signs up a workspace of its own and opens a fresh browser
context, so tests never see each other's rows, cookies or storage.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect, sync_playwright

from rapport.embedded import start_redis
from tests.conftest import (
    LiveServer,
    Servers,
    _with_db,
    clone_database,
    drop_database,
    free_port,
    server_env,
    signup_sync,
    start_process,
    wait_for_http,
)
from tests.e2e.support import CHROMIUM, RESULTS_DIR, WorkspaceApi, log_in

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}

# Assertions retry for this long; a step that is slower than this on a busy 2-core runner is a bug.
expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # The `page` fixture's teardown reads this to decide whether to keep a screenshot.
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def live_server(servers: Servers, template_db: str) -> Iterator[LiveServer]:
    """`rapport serve` over a database of its own, as the root fixture, but once for the package.

    Its Redis is private too: the `worker` fixture's jobs must not be taken by a worker of another
    test run sharing the test Redis (it would look for the import in its own database)."""
    name = asyncio.run(clone_database(servers, template_db))
    database_url = _with_db(servers.admin_url, name)
    with tempfile.TemporaryDirectory(prefix="rapport-e2e-redis-") as tmp:
        redis = start_redis(Path(tmp))
        env = server_env(database_url, redis.url)
        port = free_port()
        process = start_process(["serve", "--port", str(port)], env, "serve")
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
            yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url, env=env)
        finally:
            process.terminate()
            process.wait(timeout=15)
            redis.stop()
            asyncio.run(drop_database(servers, name))


@pytest.fixture(scope="package")
def worker(live_server: LiveServer) -> Iterator[None]:
    """`rapport worker` beside the server, for the tests that need background work (imports,
    automations and their notifications); started by the first test that asks, once."""
    process = start_process(["worker"], live_server.env, "worker")
    try:
        _wait_for_worker(process, Path(live_server.env["RAPPORT_DATA_DIR"]) / "worker.log")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except Exception:
            process.kill()
            process.wait(timeout=10)


def _wait_for_worker(process: Any, log: Path, timeout: float = 60) -> None:
    """Until both arq workers (events and imports) have started: a test timing a step from
    the UI must not also time the worker's start on a busy runner."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited with {process.returncode}: see {log}")
        if log.exists() and "functions: run_import" in log.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the worker did not start within {timeout}s: see {log}")


@pytest.fixture(scope="package")
def browser(live_server: LiveServer) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-US", timezone_id="UTC")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab. On failure its screenshot goes to test-results/; a 5xx it saw fails the test (always a bug)."""
    tab = context.new_page()
    server_errors: list[str] = []
    tab.on(
        "response",
        lambda r: server_errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 500 else None,
    )
    yield tab
    failed = any(
        getattr(getattr(request.node, f"e2e_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed and not tab.is_closed():
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
    if server_errors and not failed:
        pytest.fail("the server failed while the page was open:\n" + "\n".join(server_errors))


@pytest.fixture
def workspace(live_server: LiveServer) -> Iterator[WorkspaceApi]:
    """A fresh workspace (signed up through the API) and a client to arrange its data."""
    client = WorkspaceApi(live_server.url, signup_sync(live_server.url, workspace="Acme Widgets"))
    yield client
    client.close()


@pytest.fixture
def signed_in(page: Page, workspace: WorkspaceApi) -> Page:
    """The page, with the workspace's user logged in."""
    log_in(page, workspace.user)
    return page
