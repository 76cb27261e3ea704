"""What the e2e tests share: the contract's HTTP API as its users see it, with ``requests`` only."""

from __future__ import annotations

import re
import uuid
from typing import Any

import requests

from infra.local.polling import REQUEST_SECONDS, STEP_SECONDS, scaled, wait_for

TASK_ID_RE = re.compile(r'<input[^>]*name="task_id"[^>]*value="([^"]+)"')


def http_timeout() -> float:
    """A client's timeout for one request to the server (a guard against a hang, not a wait)."""
    return scaled(REQUEST_SECONDS)


def unique(title: str) -> str:
    """A title no other test uses (they share one server)."""
    return f"{title}（{uuid.uuid4().hex[:8]}）"


class Org:
    """The demo organisation, from ``GET /_local/users``."""

    def __init__(self, base_url: str) -> None:
        reply = requests.get(f"{base_url}/_local/users", timeout=http_timeout())
        assert reply.status_code == 200, reply.text
        self.users: list[dict[str, Any]] = reply.json()

    def with_role(self, role: str) -> list[str]:
        return sorted(u["user_id"] for u in self.users if role in u["roles"])

    def email(self, user_id: str) -> str:
        return str(next(u["email"] for u in self.users if u["user_id"] == user_id))


class User:
    """One signed-in user (``POST /_local/login``), sending ``Authorization: Bearer``."""

    def __init__(self, base_url: str, user_id: str) -> None:
        self.base_url = base_url
        self.user_id = user_id
        reply = requests.post(f"{base_url}/_local/login", json={"user_id": user_id}, timeout=http_timeout())
        assert reply.status_code == 200, reply.text
        self.token = str(reply.json()["token"])
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", http_timeout())
        return self.http.request(method, f"{self.base_url}{path}", **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def document(self, document_id: str) -> dict[str, Any]:
        reply = self.get(f"/api/documents/{document_id}")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def pending_task(self, document_id: str, step: str) -> dict[str, Any]:
        seen: list[str] = []

        def find() -> dict[str, Any] | None:
            reply = self.get("/api/tasks")
            assert reply.status_code == 200, reply.text
            mine = [t for t in reply.json() if t["document_id"] == document_id]
            seen[:] = [t["step"] for t in mine]
            return next((t for t in mine if t["step"] == step), None)

        return dict(
            wait_for(
                find,
                f"the {step} task of {self.user_id} on {document_id}",
                saw=lambda: f"{self.user_id}'s tasks on it: {seen}; document {self.document(document_id)['status']}",
            )
        )

    def decide(self, task_id: str, decision: str, opinion: str = "") -> requests.Response:
        return self.post(f"/api/tasks/{task_id}/decision", json={"decision": decision, "opinion": opinion})

    def wait_status(self, document_id: str, status: str, seconds: float = STEP_SECONDS) -> dict[str, Any]:
        last: dict[str, Any] = {}

        def reached() -> dict[str, Any] | None:
            last.clear()
            last.update(self.document(document_id))
            assert last["status"] not in {"failed", "rejected"} - {status}, last
            return last if last["status"] == status else None

        return dict(
            wait_for(
                reached,
                f"{document_id} to be {status}",
                seconds,
                saw=lambda: f"status {last.get('status')!r}, pending {last.get('pending')}",
            )
        )


def draft(org: Org, title: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "doc_type": "通知",
        "title": title,
        "body": "各处室：\n一、高度重视安全生产工作。\n二、认真开展隐患排查。\n请认真贯彻执行。",
        "main_recipients": ["各处室"],
        "cc": ["市应急管理局"],
        "urgency": "",
        "classification": "非密",
        "reviewer": org.with_role("reviewer")[0],
        "countersigners": [],
        "countersign_mode": "parallel",
        "signer": org.with_role("signer")[0],
        "distribute_to": ["bgs", "示例市财政局"],
    }
    return {**body, **overrides}


def submit(drafter: User, body: dict[str, Any]) -> str:
    reply = drafter.post("/api/documents", json=body)
    assert reply.status_code == 201, reply.text
    created = reply.json()
    assert created["status"] == "in_review", created
    return str(created["document_id"])


def outbox(base_url: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{base_url}/_local/outbox", headers={"Accept": "application/json"}, timeout=http_timeout())
    assert reply.status_code == 200, reply.text
    return list(reply.json())


def emailed_link(base_url: str, to: str, title: str) -> str:
    """The approval link of the latest email to ``to`` about ``title`` (waits for it to be sent)."""

    def find() -> str | None:
        mails = [m for m in outbox(base_url) if to in m["to"] and title in m["subject"] and m["links"]]
        return str(mails[-1]["links"][0]) if mails else None

    link = str(
        wait_for(
            find,
            f"an email with a link to {to} about {title}",
            saw=lambda: f"emails to {to}: {[m['subject'] for m in outbox(base_url) if to in m['to']]}",
        )
    )
    assert link.startswith(f"{base_url}/approvals/"), link
    return link


def task_id_in(page: str) -> str:
    found = TASK_ID_RE.search(page)
    assert found, "the approval form carries its task id in a hidden field"
    return found.group(1)
