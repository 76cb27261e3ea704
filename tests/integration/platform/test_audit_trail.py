"""审计 on the local stack: records in their own table, chained, anchored, read by the 审计员 only, and
`make verify-audit` (infra/ops/verify_audit) finding a deleted record, an altered one and a cut tail."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from infra.local.stack import LocalStack
from infra.ops.verify_audit import main as verify_main
from infra.ops.verify_audit import verify
from oa_core.platform import audit, clock
from oa_core.platform.audit import GENESIS
from oa_core.platform.audit_trail import ANCHOR_PREFIX
from oa_core.platform.config import settings
from tests.integration.kit import Api, at_once, invoke_function, users_with

pytestmark = pytest.mark.integration

AUDITOR = "auditor"
"""The demo organisation's 安全审计员 (infra/demo_org.json)."""


def room(api: Api, admin: str) -> str:
    status, rooms = api.call("GET", "/api/resources?kind=room", admin)
    assert status == 200, rooms
    return str(rooms[0]["resource_id"])


def book(api: Api, user: str, resource_id: str, hour: int, day: int = 40) -> int:
    start = (clock.now() + timedelta(days=day)).replace(hour=hour, minute=0, second=0, microsecond=0)
    body = {"resource_id": resource_id, "start": clock.iso(start), "end": clock.iso(start + timedelta(minutes=30))}
    status, _ = api.call("POST", "/api/bookings", user, {**body, "title": "审计测试"}, {"User-Agent": "audit-test/1"})
    return status


def export(api: Api, **query: str) -> list[dict[str, Any]]:
    params = "&".join(f"{k}={v}" for k, v in {"format": "jsonl", **query}.items())
    response = api.stack.invoke_http("GET", f"/api/audit/export?{params}", user_id=AUDITOR)
    assert response.status == 200, response.body
    return [json.loads(line) for line in response.body.decode("utf-8").splitlines() if line.strip()]


def anchors(stack: LocalStack) -> list[dict[str, Any]]:
    listed = stack.s3.list_objects_v2(Bucket=settings().archive_bucket, Prefix=ANCHOR_PREFIX).get("Contents", [])
    return [
        json.loads(stack.s3.get_object(Bucket=settings().archive_bucket, Key=o["Key"])["Body"].read()) for o in listed
    ]


def test_a_booking_is_audited_in_the_audit_table_with_who_what_outcome_and_source(api: Api) -> None:
    user, admin = users_with("drafter")[0], users_with("sysadmin")[0]
    resource = room(api, admin)
    assert book(api, user, resource, 9) == 201
    assert book(api, user, resource, 9) == 409
    status, page = api.call("GET", f"/api/audit?actor={user}&action=book", AUDITOR)
    assert status == 200, page
    outcomes = sorted(r["outcome"] for r in page["records"])
    assert outcomes == ["conflict", "ok"]
    for found in page["records"]:
        assert found["user_agent"] == "audit-test/1" and found["source_ip"] not in ("", "system")
        assert len(found["hash"]) == 64 and len(found["prev_hash"]) == 64
    # Nothing of the audit trail is left in the records table.
    items = api.stack.ddb.scan(TableName=settings().records_table)["Items"]
    assert not [i for i in items if i.get("kind", {}).get("S") == "audit"]


def test_nobody_but_the_auditor_reads_the_trail_and_reading_it_is_audited(api: Api) -> None:
    for other in (users_with("sysadmin")[0], users_with("drafter")[0]):
        status, body = api.call("GET", "/api/audit", other)
        assert status == 403 and "审计员" in body["error"]["message"], body
        assert api.call("GET", "/api/audit/export", other)[0] == 403
    status, page = api.call("GET", f"/api/audit?actor={AUDITOR}", AUDITOR)
    assert status == 200
    status, page = api.call("GET", f"/api/audit?actor={users_with('sysadmin')[0]}&action=audit_search", AUDITOR)
    assert [r["outcome"] for r in page["records"]] == ["denied"]
    assert any(r["action"] == "audit_search" for r in export(api, actor=AUDITOR))


def test_a_bad_query_or_a_forged_cursor_is_a_422_in_chinese(api: Api) -> None:
    for query in ("start=2026-13-01", "cursor=not-base64!", "start=2026-05-01&end=2026-01-01", "start=1900-01-01"):
        status, body = api.call("GET", f"/api/audit?{query}", AUDITOR)
        assert status == 422, (query, body)
        assert body["error"]["message"], body


def test_the_csv_export_opens_in_excel_with_chinese_headers(api: Api) -> None:
    audit.record("someone", "probe", "csv-export", "ok")  # its own record: the test holds alone
    response = api.stack.invoke_http("GET", "/api/audit/export?format=csv", user_id=AUDITOR)
    assert response.status == 200
    assert response.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "操作"] and len(rows) > 1


def test_guessed_approval_links_are_counted_per_source_not_recorded_each(api: Api) -> None:
    for n in range(12):
        assert api.stack.invoke_http("GET", f"/approvals/guess-{n:04d}-{'x' * 30}").status == 404
    guesses = [r for r in export(api, actor="anonymous") if r["action"] == "open_link"]
    assert len(guesses) == 1, guesses
    assert "guess-" not in json.dumps(guesses) and "COUNT#open_link#" in guesses[0]["detail"]
    assert guesses[0]["count"] == 12


def test_concurrent_bookings_never_wait_on_the_audit_chain_and_the_trail_verifies(api: Api, stack: LocalStack) -> None:
    user, admin = users_with("drafter")[0], users_with("sysadmin")[0]
    resource = room(api, admin)

    def booking(h: int) -> Callable[[], int]:
        return lambda: book(api, user, resource, 8 + h % 10, day=50 + h // 10)

    statuses = at_once([booking(h) for h in range(20)])
    assert statuses == [201] * 20
    invoke_function(stack, "AuditAnchorFunction", {"time": clock.now_iso()})
    rows = export(api)
    assert len({r["chain"] for r in rows}) > 1
    assert verify(rows, anchors(stack)) == []


def test_verify_audit_names_a_deleted_an_altered_record_and_a_truncated_tail(
    api: Api, stack: LocalStack, tmp_path: Any
) -> None:
    user, admin = users_with("drafter")[0], users_with("sysadmin")[0]
    resource = room(api, admin)
    for hour in range(8, 14):  # one caller, one thread: one chain of at least six records
        book(api, user, resource, hour, day=60)
    invoke_function(stack, "AuditAnchorFunction", {"time": clock.now_iso()})
    rows, signed = export(api), anchors(stack)
    assert verify(rows, signed) == []
    (tmp_path / "audit.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    (tmp_path / "anchors").mkdir()
    for n, anchor in enumerate(signed):
        (tmp_path / "anchors" / f"{n}.json").write_text(json.dumps(anchor))
    assert verify_main([str(tmp_path / "audit.jsonl"), str(tmp_path / "anchors")]) == 0

    chain = max({r["chain"] for r in rows}, key=lambda c: sum(r["chain"] == c for r in rows))
    mine = sorted((r for r in rows if r["chain"] == chain), key=lambda r: r["seq"])
    assert len(mine) >= 4 and mine[0]["seq"] == 0 and mine[0]["prev_hash"] == GENESIS
    table = settings().audit_table

    def key(row: dict[str, Any]) -> dict[str, Any]:
        return {"PK": {"S": f"CHAIN#{row['chain']}"}, "SK": {"S": f"{row['seq']:010d}"}}

    # Someone with the account's own credentials (no function may) deletes, alters, cuts.
    stack.ddb.delete_item(TableName=table, Key=key(mine[1]))
    problems = verify(export(api), signed)
    assert problems and f"链 {chain} 第 1 条" in problems[0] and "deleted" in problems[0], problems
    stack.ddb.put_item(TableName=table, Item={**key(mine[1]), **_item(mine[1])})
    assert verify(export(api), signed) == []

    stack.ddb.update_item(
        TableName=table,
        Key=key(mine[2]),
        UpdateExpression="SET outcome = :o",
        ExpressionAttributeValues={":o": {"S": "changed " + mine[2]["outcome"]}},
    )
    problems = verify(export(api), signed)
    assert problems and "altered" in problems[0] and f"链 {chain} 第 2 条" in problems[0], problems

    stack.ddb.put_item(TableName=table, Item={**key(mine[2]), **_item(mine[2])})
    stack.ddb.delete_item(TableName=table, Key=key(mine[-1]))
    problems = verify(export(api), signed)
    assert any("truncated" in p and chain in p for p in problems), problems
    stack.ddb.put_item(TableName=table, Item={**key(mine[-1]), **_item(mine[-1])})
    assert verify(export(api), signed) == []


def _item(row: dict[str, Any]) -> dict[str, Any]:
    """A record as DynamoDB stores it (to put back what the test removed)."""
    order = f"{row['at']}#{row['chain']}#{row['seq']:010d}"
    item = {k: {"S": str(v)} for k, v in row.items() if k != "seq"}
    item["seq"] = {"N": str(row["seq"])}
    item |= {"GSI1PK": {"S": f"DAY#{row['at'][:10]}"}, "GSI1SK": {"S": order}}
    item |= {"GSI2PK": {"S": f"ACTOR#{row['actor']}"}, "GSI2SK": {"S": order}}
    if row["document_id"]:
        item |= {"GSI3PK": {"S": f"SUBJECT#{row['document_id']}"}, "GSI3SK": {"S": order}}
    return item


def test_a_failed_transaction_ends_its_chain_without_a_gap_and_the_next_record_starts_a_new_one(
    api: Api,
) -> None:
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from oa_core.platform import audit
    from oa_core.platform.storage import CounterItem, connection

    audit.record("chain-test", "before", "x", "ok")
    with pytest.raises(TransactWriteError), TransactWrite(connection=connection()) as tx:
        tx.save(audit.audit_item("chain-test", "lost", "x", "ok"))
        tx.condition_check(CounterItem, "COUNTER#none", "COUNTER", condition=CounterItem.PK.exists())
    audit.record("chain-test", "after", "x", "ok")
    rows = {r["action"]: r for r in export(api, actor="chain-test")}
    assert "lost" not in rows  # the cancelled transaction wrote nothing, its record included
    assert rows["after"]["chain"] != rows["before"]["chain"] and rows["after"]["seq"] == 0
    assert verify(export(api), []) == []
