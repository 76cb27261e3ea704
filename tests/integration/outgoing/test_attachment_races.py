"""Two attaches at once: at the count limit exactly one wins, and the same file twice is attached once.
Decided by the condition of the one write (rev, size(entries), digests), never by a read before it."""

from __future__ import annotations

import threading
from typing import Any

from infra.local.stack import LocalStack
from oa_core.platform.config import settings
from tests.integration.kit import Api, users_with
from tests.integration.outgoing.attachment_kit import post_to_s3, reserve_id, sign, upload
from tests.support import sample_files as files


def signed_and_uploaded(api: Api, stack: LocalStack, doc: str, user: str, name: str, data: bytes) -> str:
    status, ticket = sign(api, doc, user, name, len(data))
    assert status == 201, ticket
    assert post_to_s3(stack, ticket, name, data) == 204
    return str(ticket["upload"])


def at_once(api: Api, doc: str, user: str, tokens: list[str]) -> list[tuple[int, Any]]:
    """Attach each upload from its own thread, released together."""
    barrier = threading.Barrier(len(tokens), timeout=30)
    results: list[tuple[int, Any]] = [(0, None)] * len(tokens)

    def attach(index: int, token: str) -> None:
        barrier.wait()
        results[index] = api.call("POST", f"/api/documents/{doc}/attachments", user, {"upload": token})

    threads = [threading.Thread(target=attach, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "an attach did not answer within 60 s"
    return results


def test_two_attaches_of_the_last_free_place_leave_exactly_the_limit(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    me = users_with("drafter")[0]
    limit = settings().attachment_max_count
    for index in range(limit - 1):
        status, body = upload(api, stack, doc, me, f"第{index + 1}份.pdf", files.pdf(f"n{index}"))
        assert status == 201, body
    tokens = [signed_and_uploaded(api, stack, doc, me, f"最后{i}.pdf", files.pdf(f"last{i}")) for i in range(2)]
    results = at_once(api, doc, me, tokens)
    statuses = sorted(status for status, _ in results)
    assert statuses[0] == 201 and 400 <= statuses[1] < 500, results
    loser = next(body for status, body in results if status != 201)
    assert loser["error"]["code"] in ("attachment_count_limit", "stale"), loser
    status, body = api.call("GET", f"/api/documents/{doc}/attachments", me)
    assert len(body["items"]) == limit


def test_the_same_file_attached_twice_at_once_is_attached_once(api: Api, stack: LocalStack) -> None:
    doc = reserve_id()
    me = users_with("drafter")[0]
    data = files.pdf("same")
    tokens = [signed_and_uploaded(api, stack, doc, me, f"同一{i}.pdf", data) for i in range(2)]
    results = at_once(api, doc, me, tokens)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 409], results
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] in ("attachment_duplicate", "stale"), loser
    _status, body = api.call("GET", f"/api/documents/{doc}/attachments", me)
    assert [a["sha256"] for a in body["items"]] == [body["items"][0]["sha256"]]
