"""The console of ``make run``: the URL and the demo users at start, then one readable line per request;
the handlers' JSON log lines and the tracebacks go to the log file, not to the console."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from infra.local.polling import Deadline

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[3]
LINE = re.compile(r"^\d\d:\d\d:\d\d  (GET|POST|PUT|DELETE|HEAD) +(\S+)  (\d{3})  \d+ ms")


def test_make_run_prints_the_users_and_one_line_per_request_and_logs_the_rest_to_the_file(tmp_path: Path) -> None:
    log_file = tmp_path / "local.log"
    console = tmp_path / "console.txt"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("PYTHONPATH", None)  # make run sets none: the stack must find the layers itself
    with console.open("wb") as out:
        # As `make run` starts it: python -m infra.local --port <PORT>.
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", "0", "--log-file", str(log_file)],
            cwd=str(REPO_ROOT),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = Deadline(120.0)
        while not (ready := re.search(r"ready in [0-9.]+s at (http://127\.0\.0\.1:\d+)", console.read_text())):
            assert process.poll() is None, console.read_text()
            assert not deadline.passed(), f"the stack to say it is ready {deadline.describe()}: {console.read_text()}"
            time.sleep(0.2)
        url = ready.group(1)
        while "每个请求一行" not in console.read_text():
            assert not deadline.passed(), f"the start banner {deadline.describe()}"
            time.sleep(0.1)
        assert requests.get(f"{url}/health", timeout=30).status_code == 200
        assert requests.get(f"{url}/approvals/SecretLinkId0123456789", timeout=30).status_code == 404
        assert requests.get(f"{url}/api/documents/20260101-abc", timeout=30).status_code == 401
        token = requests.post(f"{url}/_local/login", json={"user_id": "lina"}, timeout=30).json()["token"]
        missing = requests.get(
            f"{url}/api/documents/20260101-abc", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert missing.status_code in (403, 404)
        while len([line for line in console.read_text().splitlines() if LINE.match(line)]) < 5:
            assert not deadline.passed(), f"a line per request {deadline.describe()}: {console.read_text()}"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=Deadline(30.0).seconds)
    text = console.read_text()
    assert f"打开 {url}/" in text
    assert re.search(r"李娜 +政策法规科 +拟稿人 +lina", text), "each demo user with department and role"
    assert "系统管理员" in text and "档案员" in text
    requests_seen = [LINE.match(line) for line in text.splitlines() if LINE.match(line)]
    seen = {(m.group(2), m.group(3)) for m in requests_seen if m}
    assert ("/health", "200") in seen and ("/api/documents/20260101-abc", "401") in seen
    assert ("/approvals/[redacted]", "404") in seen, "an approval link id is a secret"
    assert "SecretLinkId0123456789" not in text and token not in text
    assert '{"level"' not in text and "Traceback" not in text, "no JSON log lines or stack dumps on the console"
    log = log_file.read_text()
    assert '"level":' in log, "the handlers' JSON log lines are in the log file"
    assert "SecretLinkId0123456789" not in log
