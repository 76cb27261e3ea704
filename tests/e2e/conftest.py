"""The running local stack for the e2e tests: ``python -m infra.local`` on a free 127.0.0.1 port.

One server for the whole session. It is stopped with SIGINT, as Ctrl-C stops ``make run``, and
must exit 0 within 10 s. Its output is attached to every failing test's report. The browser
fixtures (``browser``, ``page``, ``screenshots``) come from tests/e2e/browser.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

import pytest
import requests

from tests.e2e.browser import browser, page, screenshots

__all__ = ["base_url", "browser", "page", "screenshots"]  # the browser fixtures, for every e2e test

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
OUTPUT_TAIL = 20_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the fixture
        env = dict(os.environ)
        env["PORT"] = str(self.port)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT / "layers" / "oa_core"), str(REPO_ROOT), env.get("PYTHONPATH")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(self.port)],
            cwd=str(REPO_ROOT),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", errors="replace")

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"python -m infra.local exited {self.process.returncode} before answering:\n{self.output()}",
                    pytrace=False,
                )
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"{self.url}/health did not answer in {START_TIMEOUT:.0f} s:\n{self.output()}", pytrace=False
                )
            time.sleep(0.05)

    def stop(self) -> int | None:
        """SIGINT; the exit code, or None when it had to be killed after STOP_TIMEOUT."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


_running: list[ServerProcess] = []


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    server = ServerProcess()
    _running.append(server)
    try:
        server.wait_healthy()
        yield server.url
        code = server.stop()
        assert code == 0, (
            f"python -m infra.local did not exit 0 within {STOP_TIMEOUT:.0f} s of SIGINT "
            f"(exit code {code}; None = killed):\n{server.output()[-OUTPUT_TAIL:]}"
        )
    finally:
        server.stop()
        _running.remove(server)
        server.log.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and _running:
        report.sections.append(("python -m infra.local output", _running[-1].output()[-OUTPUT_TAIL:]))
    return report
