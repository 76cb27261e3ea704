"""The running local stack for the e2e tests: ``python -m infra.local --port 0`` on 127.0.0.1.

The server binds a port the system picks and prints where it is ready, so parallel workers and
suites running at the same time never race for a port. One server per session: under
pytest-xdist the e2e tests share one worker (tests/conftest.py's scheduler). It is
stopped with SIGINT, as Ctrl-C stops ``make run``, and must exit 0 within ``STOP_SECONDS``
(scaled by ``OA_TEST_TIME_SCALE``). Its output is attached to every failing test's report. The
browser fixtures (``browser``, ``page``, ``screenshots``) come from tests/e2e/browser.py.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

import pytest
import requests

from infra.local.polling import Deadline
from tests.e2e.browser import browser, page, screenshots

__all__ = ["base_url", "browser", "page", "screenshots"]  # the browser fixtures, for every e2e test

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 120.0
"""Base deadline for the server to answer /health (it starts in about 10 s on an idle machine)."""
STOP_SECONDS = 20.0
"""Base deadline for it to exit after SIGINT (about 1 s idle)."""
OUTPUT_TAIL = 20_000
READY_RE = re.compile(r"OA local stack ready in [0-9.]+s at (http://127\.0\.0\.1:[0-9]+)")


class ServerProcess:
    def __init__(self, env_extra: dict[str, str] | None = None, port: int = 0) -> None:
        """``env_extra``: more environment (e.g. OA_LOCAL_PARAMS, OA_LOCAL_SECRET_<LogicalId>) for a
        stack of its own; ``port``: 0 lets the system pick."""
        self.url = ""
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the fixture
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT / "layers" / "oa_core"), str(REPO_ROOT), env.get("PYTHONPATH")) if p
        )
        env["PYTHONUNBUFFERED"] = "1"
        env.update(env_extra or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(port)],
            cwd=str(REPO_ROOT),
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        """Everything the server printed so far (read at an offset: the file's position is the
        server's too, and moving it while it writes would overwrite its output)."""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", errors="replace")

    def wait_healthy(self) -> None:
        deadline = Deadline(START_SECONDS)
        while True:
            if self.process.poll() is not None:
                pytest.fail(
                    f"python -m infra.local exited {self.process.returncode} before answering:\n{self.output()}",
                    pytrace=False,
                )
            if not self.url and (ready := READY_RE.search(self.output())):
                self.url = ready.group(1)
            try:
                if self.url and requests.get(f"{self.url}/health", timeout=deadline.remaining() + 1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if deadline.passed():
                pytest.fail(
                    f"python -m infra.local did not answer /health ({self.url or 'not ready yet'}) "
                    f"{deadline.describe()}:\n{self.output()}",
                    pytrace=False,
                )
            time.sleep(0.1)

    def stop(self) -> int | None:
        """SIGINT; the exit code, or None when it had to be killed after ``STOP_SECONDS`` (scaled)."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=Deadline(STOP_SECONDS).seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None


_running: list[ServerProcess] = []
"""Every stack running now; a failing test's report carries their output."""


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    server = ServerProcess()
    _running.append(server)
    try:
        server.wait_healthy()
        yield server.url
        code = server.stop()
        assert code == 0, (
            f"python -m infra.local did not exit 0 within {Deadline(STOP_SECONDS).seconds:.0f} s of SIGINT "
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
    for server in _running if report.failed else []:
        report.sections.append((f"python -m infra.local output ({server.url})", server.output()[-OUTPUT_TAIL:]))
    return report
