"""Signed calls between two units' systems: trusting a call that comes in, making one that goes out.

The wire format is platform.signing's (``X-OA-Signature: sha256=<hex HMAC-SHA256(key,
"<X-OA-Timestamp>.<body>")>``); here are the rules around it that every ``/exchange/*`` route and every
signed call we make share: the five-minute window, the headers, https only (plain http to the loopback
interface alone, for two local stacks), no redirects, and the answer as status and JSON. Neither a key,
a signature nor a body is ever logged here.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from oa_core.platform import signing

MAX_AGE_SECONDS = 300
"""A call signed longer ago than this is refused (the contract's five minutes)."""
MAX_AHEAD_SECONDS = 60
"""Clock skew allowed for a sender whose clock runs ahead of ours."""
TIMEOUT_SECONDS = 10
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """An endpoint's answer: HTTP status and JSON body (the contract's error shape when refused)."""

    status: int
    body: dict[str, Any]


def header(headers: Mapping[str, str], name: str) -> str:
    """A request header by name, in any case ("" when absent)."""
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def untrusted(headers: Mapping[str, str], body: bytes, key: str, now: float) -> str | None:
    """Why a call is not trusted (None: it is): a timestamp outside the window or a bad signature."""
    stamp = header(headers, "X-OA-Timestamp")
    if not re.fullmatch(r"\d{1,12}", stamp):
        return "timestamp missing or not unix seconds"
    age = now - int(stamp)
    if age > MAX_AGE_SECONDS:
        return "timestamp too old"
    if age < -MAX_AHEAD_SECONDS:
        return "timestamp in the future"
    if not signing.signature_matches(key, stamp, body, header(headers, "X-OA-Signature")):
        return "bad signature"
    return None


def url_problem(url: str) -> str | None:
    """Why we will not call ``url`` (None: we will), in Chinese: https only, http to loopback alone."""
    parts = urlsplit(url)
    if not url or not parts.hostname:
        return "未配置对方地址"
    loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return "对方地址必须是 https（明文 http 只允许本机回环地址）"
    return None


@dataclass(frozen=True)
class Reply:
    """What the other system answered: its status, and its JSON body when it gave one."""

    status: int
    body: dict[str, Any]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """A refusal that may change by trying again (5xx, 408, 425, 429); other 4xx and 3xx do not."""
        return self.status >= 500 or self.status in RETRYABLE_STATUSES


class Unreachable(Exception):
    """No answer at all (refused connection, timeout, TLS): worth trying again later."""


def post_signed(url: str, key: str, delivery: str, attempt: int, payload: Mapping[str, Any]) -> Reply:
    """POST ``payload`` as compact UTF-8 JSON, signed now; the caller checked ``url_problem`` first."""
    import urllib3

    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-OA-Delivery": delivery,
        "X-OA-Attempt": str(attempt),
        "X-OA-Timestamp": stamp,
        "X-OA-Signature": signing.SIGNATURE_PREFIX + signing.signature(key, stamp, body),
        "User-Agent": "oa-system-exchange/1",
    }
    try:
        response = _http().request(
            "POST", url, body=body, headers=headers, timeout=TIMEOUT_SECONDS, retries=False, redirect=False
        )
    except urllib3.exceptions.HTTPError as exc:
        raise Unreachable(type(exc).__name__) from exc
    try:
        answer = json.loads(response.data or b"{}")
    except ValueError:
        answer = {}
    return Reply(int(response.status), answer if isinstance(answer, dict) else {})


@cache
def _http() -> Any:
    import urllib3

    return urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
