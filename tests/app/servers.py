"""The real app in a child process (so that a test can SIGKILL it), and a client that carries the form token.

``LiveServer`` runs ``create_app`` under uvicorn in a process of its own on a free port of 127.0.0.1, with
its settings from ``DYADIC_*`` variables, exactly as ``dyadic serve`` does; ``start`` waits until it answers.
Every process started here is ended by its id when the ``with`` block ends, however it ends.

``LiveClient`` talks to such a server as a page with htmx does: it reads the form token from the
``<meta name="csrf-token">`` of a page it got (if the page has one) and sends it as ``X-CSRF-Token`` with
every unsafe request, along with the cookies the server set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import lxml.html

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0  # seconds: spaCy and the app load on two shared, slow cores


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dyadic_environment(database_url: str, data_dir: Path, **more: str) -> dict[str, str]:
    """The environment of a ``dyadic`` process on this database: the test's own, minus any DYADIC_ setting."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DYADIC_")}
    env.update(
        DYADIC_DATABASE_URL=database_url,
        DYADIC_DATA_DIR=str(data_dir),
        DYADIC_LOCAL_USER="Ana",
        PYTHONUNBUFFERED="1",
    )
    env.update(more)
    return env


class LiveServer:
    """``create_app`` under uvicorn in a child process; ``kill`` ends it with SIGKILL, as a crash would."""

    def __init__(self, env: Mapping[str, str], *, log: Path) -> None:
        self.env = dict(env)
        self.log = log
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None, "the server was not started"
        return self.process.pid

    def start(self) -> LiveServer:
        """Start on a free port and wait until the app answers (a port taken meanwhile: try another)."""
        for _attempt in range(3):
            self.port = free_port()
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
                     "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            if self._wait_until_answering():
                return self
        raise AssertionError(f"the app did not start under uvicorn; its log:\n{self.log_text()}")

    def _wait_until_answering(self) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # it exited: a port taken meanwhile, or a broken app (the log says which)
            try:
                if httpx.get(f"{self.url}/", timeout=5).status_code < 500:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the app did not answer within {START_TIMEOUT:.0f} s; its log:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL, no chance to clean up, then reap the process."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=60)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-5000:] if self.log.exists() else ""

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.kill()


def csrf_token(html: str) -> str | None:
    """The form token a page carries in ``<meta name="csrf-token">``, or None if it carries none."""
    if not html.strip():
        return None
    found = lxml.html.fromstring(html).xpath("//meta[@name='csrf-token']/@content")
    return str(found[0]) if found else None


class LiveClient:
    """An httpx client for a ``LiveServer`` that sends the form token of the last page it read."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)
        self.token: str | None = None

    def page(self, path: str) -> httpx.Response:
        """GET a page and keep its form token (a page without one leaves the token as it was)."""
        response = self.http.get(path)
        if "html" in response.headers.get("content-type", ""):
            self.token = csrf_token(response.text) or self.token
        return response

    def post(self, path: str, *, headers: Mapping[str, str] | None = None, **options: Any) -> httpx.Response:
        sent = dict(headers or {})
        if self.token is not None:
            sent["X-CSRF-Token"] = self.token
        return self.http.post(path, headers=sent, **options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LiveClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
