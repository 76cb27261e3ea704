"""审计记录的查阅与锚定: search and export the audit trail (安全审计员 only), a subject's own trail, and the anchor.

Reading goes through the audit table's indexes: a document's or meeting's trail (GSI3 ``SUBJECT#``), a
person's (GSI2 ``ACTOR#``) or a day's (GSI1 ``DAY#``), each sorted by time; what the index does not select
(action, the rest of the filters) is a FilterExpression. A page's cursor names the day and the last key
read, as JSON in URL-safe base64; a cursor that does not parse is refused (400), never followed.

The anchor (审计锚定) reads the day index of the last hours, takes each chain's last record (its head), and
signs the digest of the list with the anchor key (KMS, sign-only): ``audit-anchors/<at>.json`` in the Object
Lock bucket. A chain that ends earlier than an anchor says has lost its tail; infra/ops/verify_audit.py checks.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pynamodb.expressions.condition import Condition

from oa_core.platform import clock
from oa_core.platform.audit import AuditItem, CounterItem
from oa_core.platform.config import client, settings
from oa_core.platform.errors import InvalidInput

PAGE_SIZE = 50
MAX_DAYS = 366
"""A search by time alone spans at most a year (one Query per day)."""
ANCHOR_PREFIX = "audit-anchors/"
CSV_COLUMNS = (
    ("at", "时间"),
    ("actor", "操作人"),
    ("action", "操作"),
    ("target", "对象"),
    ("outcome", "结果"),
    ("document_id", "文件/会议"),
    ("source_ip", "来源地址"),
    ("user_agent", "客户端"),
    ("detail", "说明"),
    ("count", "次数"),
    ("chain", "链"),
    ("seq", "序号"),
    ("prev_hash", "前一条哈希"),
    ("hash", "哈希"),
)


class AuditQuery(BaseModel):
    """审计查询: who, what action, which document or meeting, and when (a day range, inclusive)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    actor: str = Field("", max_length=200)
    action: str = Field("", max_length=200)
    document_id: str = Field("", max_length=200)
    start: date | None = None
    end: date | None = None
    cursor: str = Field("", max_length=4000)

    @field_validator("actor", "action", "document_id")
    @classmethod
    def single_line(cls, value: str) -> str:
        if any(ord(c) < 32 or c in "\u2028\u2029\x7f" for c in value):
            raise ValueError("不能包含控制字符 (control characters)")
        return value

    def days(self) -> list[str]:
        """The days searched, newest first."""
        end = self.end or clock.now().date()
        start = self.start or end - timedelta(days=30)
        if start > end:
            raise InvalidInput("开始日期晚于结束日期 (start after end)")
        if (end - start).days >= MAX_DAYS:
            raise InvalidInput(f"按时间查询最多 {MAX_DAYS} 天，请缩小范围或指定人员、文件 (range too long)")
        return [(end - timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def parse_query(params: dict[str, str]) -> AuditQuery:
    try:
        return AuditQuery.model_validate(params)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(f"查询条件有误：{first.get('loc', [''])[0]} {first.get('msg', '')}") from None


def _cursor(day: str, key: dict[str, Any] | None) -> str:
    if key is None:
        return ""
    text = json.dumps({"day": day, "key": key}, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def _uncursor(cursor: str) -> tuple[str, dict[str, str] | None]:
    if not cursor:
        return "", None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
        day, key = str(value["day"]), value["key"]
        if not isinstance(key, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in key.items()):
            raise ValueError(key)
        if not set(key) <= {"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"}:
            raise ValueError(key)
        return day, key or None
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise InvalidInput("翻页标记无效，请重新查询 (bad cursor)") from None


def _filter(query: AuditQuery, *, by: str) -> Condition | None:
    condition: Condition | None = None
    parts: list[Condition] = []
    if query.action and by != "action":
        parts.append(AuditItem.action == query.action)
    if query.actor and by != "actor":
        parts.append(AuditItem.actor == query.actor)
    if (query.start or query.end) and by != "day":
        first, last = query.days()[-1], query.days()[0]
        parts.append(AuditItem.at.between(first, last + "T99"))
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def _page(index: Any, hash_key: str, query: AuditQuery, by: str, key: dict[str, str] | None, limit: int) -> Any:
    return index.query(
        hash_key,
        filter_condition=_filter(query, by=by),
        scan_index_forward=False,
        last_evaluated_key=key,
        limit=limit,
    )


COUNTER_NOTE = re.compile(r"见计数 (COUNT#\S+) (\S+)\)")


def _with_count(row: dict[str, Any]) -> dict[str, Any]:
    """A refused attempt's record with how many there were from its source in its window (``count``,
    read from its counter: not part of the hashed record)."""
    note = COUNTER_NOTE.search(str(row.get("detail", "")))
    if note is None:
        return row
    try:
        counted = int(CounterItem.get(note.group(1), note.group(2)).attempts)
    except CounterItem.DoesNotExist:
        counted = 1
    return {**row, "count": counted}


def search(query: AuditQuery, limit: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of records, newest first, and the cursor of the next page ("" at the end)."""
    found: list[dict[str, Any]] = []
    day, key = _uncursor(query.cursor)
    if query.document_id or query.actor:
        index, hash_key, by = (
            (AuditItem.by_subject, f"SUBJECT#{query.document_id}", "subject")
            if query.document_id
            else (AuditItem.by_actor, f"ACTOR#{query.actor}", "actor")
        )
        if query.document_id and query.actor:
            by = "subject"  # the actor is then a filter
        results = _page(index, hash_key, query, by, key, limit)
        found = [_with_count(item.as_dict()) for item in results]
        return {"records": found, "next": _cursor("", results.last_evaluated_key)}
    days = query.days()
    if day:
        if day not in days:
            raise InvalidInput("翻页标记与查询条件不符，请重新查询 (cursor outside the range)")
        days = days[days.index(day) :]
    for current in days:
        results = _page(AuditItem.by_day, f"DAY#{current}", query, "day", key, limit - len(found))
        found.extend(_with_count(item.as_dict()) for item in results)
        key = results.last_evaluated_key
        if key is not None:
            return {"records": found, "next": _cursor(current, key)}
        if len(found) >= limit:
            following = days[days.index(current) + 1 :]
            return {"records": found, "next": _cursor(following[0], {}) if following else ""}
    return {"records": found, "next": ""}


def everything(query: AuditQuery, cap: int = 100_000) -> Iterator[dict[str, Any]]:
    """Every record the query selects (an export), page by page, at most ``cap``."""
    count = 0
    while True:
        page = search(query, limit=500)
        for row in page["records"]:
            yield row
            count += 1
            if count >= cap:
                return
        if not page["next"]:
            return
        query = query.model_copy(update={"cursor": page["next"]})


def as_csv(rows: Iterator[dict[str, Any]]) -> bytes:
    """CSV for Excel: UTF-8 with BOM, Chinese headers; cells that a spreadsheet would run as formulas quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row.get(name, "")) for name, _ in CSV_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_jsonl(rows: Iterator[dict[str, Any]]) -> bytes:
    """The export `make verify-audit` checks: one record a line, as hashed."""
    return b"".join(json.dumps(row, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n" for row in rows)


def of_subject(subject_id: str) -> list[dict[str, Any]]:
    """A document's or meeting's own trail, oldest first (一文一档: the archive package carries it)."""
    items = AuditItem.by_subject.query(f"SUBJECT#{subject_id}", scan_index_forward=True)
    return [item.as_dict() for item in items]


# ---------------------------------------------------------------- 审计锚定
def heads(since: datetime) -> dict[str, dict[str, Any]]:
    """Each chain's last record among those written since ``since`` (the day index)."""
    found: dict[str, dict[str, Any]] = {}
    day = since.date()
    today = clock.now().date()
    after = clock.iso(since)
    while day <= today:
        for item in AuditItem.by_day.query(f"DAY#{day.isoformat()}", after <= AuditItem.GSI1SK):
            seen = found.get(item.chain)
            if seen is None or int(item.seq) > seen["seq"]:
                found[item.chain] = {"seq": int(item.seq), "hash": item.hash}
        day += timedelta(days=1)
    return found


def anchor_body(chains: dict[str, dict[str, Any]], at: str, since: str) -> bytes:
    """What is signed: the heads, sorted, as canonical JSON (the same offline)."""
    body = {"at": at, "since": since, "chains": {k: chains[k] for k in sorted(chains)}}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def anchor(hours: int) -> dict[str, Any]:
    """Sign the heads of the chains active in the last ``hours`` and write them to the Object Lock bucket."""
    now = clock.now()
    since = now - timedelta(hours=hours)
    body = anchor_body(heads(since), clock.iso(now), clock.iso(since))
    digest = hashlib.sha256(body).digest()
    kms = client("kms")
    signed = kms.sign(
        KeyId=settings().audit_anchor_key_id, Message=digest, MessageType="RAW", SigningAlgorithm=_algorithm()
    )
    public = kms.get_public_key(KeyId=settings().audit_anchor_key_id)["PublicKey"]
    document = {
        "body": json.loads(body),
        "digest": digest.hex(),
        "algorithm": _algorithm(),
        "signature": base64.b64encode(signed["Signature"]).decode("ascii"),
        "public_key_der": base64.b64encode(public).decode("ascii"),
    }
    key = f"{ANCHOR_PREFIX}{now.strftime('%Y/%m/%d/%H%M%S')}.json"
    client("s3").put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"),
        ContentType="application/json",
    )
    return {"key": key, "chains": len(document["body"]["chains"])}


def _algorithm() -> str:
    """The anchor key's algorithm: the seal's (SEAL_ALGORITHM: SM2DSA in aws-cn, ECDSA_SHA_256 elsewhere)."""
    return settings().seal_algorithm
