"""Fixtures for browser tests: the real app under uvicorn, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.main import create_app
from app.settings import Settings
from tests.conftest import unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 60_000  # two slow cores: be patient


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """The app under uvicorn on a free port of 127.0.0.1, in a background thread; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start under uvicorn")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    listener.close()
    app.state.engine.dispose()


@pytest.fixture
def browser_page(live_server: str) -> Iterator:  # type: ignore[type-arg]
    """A fresh Chromium page, or a skip (a failure where every suite must run) if Chromium cannot start."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        except sync_api.Error as exc:
            unavailable(f"Chromium at {CHROMIUM} did not start ({str(exc).splitlines()[0]})")
        context = browser.new_context(base_url=live_server, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        sync_api.expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield page
        finally:
            context.close()
            browser.close()
