"""The local stack as ``make run`` serves it: ``python -m infra.local`` in a subprocess, driven over HTTP.

Only the public contract is used (``/_local/users``, ``/_local/login``, ``/api/documents``,
``/api/tasks``, ``/api/tasks/{id}/decision``), with ``requests`` on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.05
WAIT_SECONDS = 60.0
TIMED_K = 2


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class LocalServer:
    """``python -m infra.local --port <port>`` as a child process, its output kept in a file."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> float:
        """Start the server; returns the seconds until ``GET /health`` answered 200."""
        env = dict(os.environ)
        env["PORT"] = str(self.port)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT / "layers" / "oa_core"), str(REPO_ROOT), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "infra.local", "--port", str(self.port)],
            cwd=str(REPO_ROOT),
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = started + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local stack exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except requests.ConnectionError:
                pass
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{self.url}/health did not answer in {START_TIMEOUT:.0f}s:\n{self.output()}")
            time.sleep(POLL_SECONDS)

    def stop(self, timeout: float = STOP_TIMEOUT) -> tuple[int | None, float]:
        """SIGINT, as Ctrl-C would; (exit code or None if it had to be killed, seconds to exit)."""
        if self.process is None:
            return None, 0.0
        started = time.perf_counter()
        code: int | None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                code = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                code = None
        else:
            code = self.process.returncode
        return code, time.perf_counter() - started

    def output(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class HttpDriver:
    """Users of the JSON API over real HTTP, each signed in with ``POST /_local/login``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.tokens: dict[str, str] = {}
        self.users: list[dict[str, Any]] = self._json("GET", "/_local/users", None)

    def with_role(self, role: str) -> list[str]:
        return sorted(u["user_id"] for u in self.users if role in u["roles"])

    def token(self, user: str) -> str:
        if user not in self.tokens:
            reply = self.http.post(f"{self.base_url}/_local/login", json={"user_id": user}, timeout=10)
            reply.raise_for_status()
            self.tokens[user] = str(reply.json()["token"])
        return self.tokens[user]

    def _json(self, method: str, path: str, user: str | None, body: Any = None, expect: int = 200) -> Any:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        reply = self.http.request(method, f"{self.base_url}{path}", json=body, headers=headers, timeout=30)
        if reply.status_code != expect:
            raise RuntimeError(f"{method} {path} as {user}: {reply.status_code} {reply.text[:500]}")
        return reply.json()

    def approve(self, user: str, document_id: str, step: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            tasks = self._json("GET", "/api/tasks", user)
            task = next((t for t in tasks if t["document_id"] == document_id and t["step"] == step), None)
            if task is not None:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {step} task for {user} on {document_id}")
            time.sleep(POLL_SECONDS)
        self._json("POST", f"/api/tasks/{task['task_id']}/decision", user, {"decision": "approve", "opinion": "同意"})

    def run_document(self, k: int) -> dict[str, Any]:
        drafter, reviewer, signer = (
            self.with_role("drafter")[0],
            self.with_role("reviewer")[0],
            self.with_role("signer")[0],
        )
        people = self.with_role("countersigner")[:k]
        body = {
            "doc_type": "通知",
            "title": f"关于HTTP基准测试的通知（{k}人会签）",
            "body": "各处室：\n一、高度重视安全生产工作。\n请认真贯彻执行。",
            "main_recipients": ["各处室"],
            "cc": [],
            "urgency": "",
            "classification": "非密",
            "reviewer": reviewer,
            "countersigners": people,
            "countersign_mode": "parallel",
            "signer": signer,
            "distribute_to": ["bgs", "市财政局"],
        }
        document_id = str(self._json("POST", "/api/documents", drafter, body, expect=201)["document_id"])
        self.approve(reviewer, document_id, "review")
        for person in people:
            self.approve(person, document_id, "countersign")
        self.approve(signer, document_id, "sign")
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            doc: dict[str, Any] = self._json("GET", f"/api/documents/{document_id}", drafter)
            if doc["status"] == "archived":
                return doc
            if doc["status"] in ("failed", "rejected") or time.monotonic() > deadline:
                raise RuntimeError(f"{document_id} ended {doc['status']}, not archived")
            time.sleep(POLL_SECONDS)


@dataclass
class HttpResult:
    port: int
    health_seconds: float
    document_seconds: float
    number: str
    exit_code: int | None
    stop_seconds: float
    ready_line: str


def measure() -> HttpResult:
    server = LocalServer()
    try:
        health_seconds = server.start()
        driver = HttpDriver(server.url)
        started = time.perf_counter()
        doc = driver.run_document(TIMED_K)
        document_seconds = time.perf_counter() - started
        exit_code, stop_seconds = server.stop()
        ready = next((line for line in server.output().splitlines() if "ready in" in line), "")
        return HttpResult(
            port=server.port,
            health_seconds=health_seconds,
            document_seconds=document_seconds,
            number=str(doc.get("number")),
            exit_code=exit_code,
            stop_seconds=stop_seconds,
            ready_line=ready.strip(),
        )
    finally:
        server.close()
