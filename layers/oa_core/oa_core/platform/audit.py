"""审计: every state change and every refused attempt, with who, what, when, outcome and source (等保 2.0).

Records go to the audit table (AUDIT_TABLE), where no function may change or delete an item: each is put
once (``attribute_not_exists``), in the transaction that makes the change or alone. Each record carries the
SHA-256 of the one before it in its chain (安全审计 tamper evidence, docs/security.md):

- A chain belongs to one writer: one thread of one execution environment (on Lambda, the environment's
  one handler thread). Its head is kept in memory, so business transactions never wait on each other for
  audit and never fail on audit contention; there is no shared head item.
- The head moves on only when DynamoDB has taken the record: pynamodb calls
  ``update_local_version_attribute`` after a successful put or transaction. A record whose put failed, or
  whose outcome is unknown, ends its chain: the next record starts a new chain (``seq`` 0), so a position is
  never reused and a failed business transaction never leaves a gap that would look like a deletion.
- The anchor (audit_trail.anchor) signs the heads of the chains regularly, so a truncated tail shows too.

item     PK                         SK            sparse index keys
record   CHAIN#<chain id>           <seq:010d>    GSI1 DAY#<day> · GSI2 ACTOR#<actor> · GSI3 SUBJECT#<doc/meeting>
counter  COUNT#<action>#<source>    <window>      (refused attempts per source and 5-minute window, updated)
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from oa_core.platform import clock
from oa_core.platform.config import settings

GENESIS = "0" * 64
"""The ``prev_hash`` of a chain's first record."""

HASHED_FIELDS = (
    "chain",
    "seq",
    "prev_hash",
    "at",
    "actor",
    "action",
    "target",
    "outcome",
    "detail",
    "document_id",
    "source_ip",
    "user_agent",
)
"""What a record's hash covers, in this order (canonical: JSON, sorted keys, no spaces, UTF-8)."""

WINDOW_MINUTES = 5
"""Refused attempts (link guesses, refused sign-ins) are recorded once per source and window, with a count."""


@dataclass(frozen=True)
class Source:
    """Where a request came from: the client's address and user agent as API Gateway saw them."""

    ip: str = ""
    user_agent: str = ""


SOURCE: ContextVar[Source | None] = ContextVar("audit_source", default=None)
"""The current request's source, set by the handler (``from_event``); steps and schedules are ``system``."""
SYSTEM = Source("system", "")
DENIED: ContextVar[list[str] | None] = ContextVar("audit_denied", default=None)
"""The actions refused and recorded (or counted) in the current request, so the edge's rule (refusals.py)
adds a record only where the domain wrote none."""


def current_source() -> Source:
    return SOURCE.get() or SYSTEM


def source_of(event: Mapping[str, Any]) -> Source:
    """The source of an API Gateway (REST) event: requestContext.identity.sourceIp and the User-Agent header."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    ip = str(identity.get("sourceIp") or headers.get("x-forwarded-for", "").split(",")[0].strip() or "unknown")
    return Source(ip[:64], str(identity.get("userAgent") or headers.get("user-agent", ""))[:300])


@contextmanager
def from_event(event: Mapping[str, Any]) -> Iterator[Source]:
    """Audit what the handler does for this event with its source (the wrapper of every HTTP handler)."""
    token, denied = SOURCE.set(source_of(event)), DENIED.set([])
    try:
        yield current_source()
    finally:
        DENIED.reset(denied)
        SOURCE.reset(token)


def refusal_recorded() -> bool:
    """Whether the current request has recorded (or counted) a refused attempt already."""
    return bool(DENIED.get())


def _note_refusal(action: str) -> None:
    seen = DENIED.get()
    if seen is not None:
        seen.append(action)


class _Index(GlobalSecondaryIndex[Any]):
    class Meta:
        projection = AllProjection()


class ByDay(_Index):
    class Meta(_Index.Meta):
        index_name = "GSI1"

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class ByActor(_Index):
    class Meta(_Index.Meta):
        index_name = "GSI2"

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class BySubject(_Index):
    class Meta(_Index.Meta):
        index_name = "GSI3"

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash is taken over (the same offline: infra/ops/verify_audit.py)."""
    content = {name: fields.get(name, "") for name in HASHED_FIELDS}
    content["seq"] = int(content["seq"] or 0)
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def record_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


class _Chain(threading.local):
    """This thread's chain: its id, the last record DynamoDB took, and the record in flight (if any)."""

    def __init__(self) -> None:
        self.chain_id = ""
        self.seq = -1
        self.hash = GENESIS
        self.pending: AuditItem | None = None
        self.generation = _GENERATION[0]

    def claim(self, item: AuditItem) -> None:
        if not self.chain_id or self.pending is not None or self.generation != _GENERATION[0]:
            # First record of this thread (or of this environment), or the last one was never confirmed:
            # a new chain.
            self.generation = _GENERATION[0]
            self.chain_id, self.seq, self.hash = f"{clock.now().strftime('%Y%m%d')}-{secrets.token_hex(8)}", -1, GENESIS
        item.link(self.chain_id, self.seq + 1, self.hash)
        self.pending = item

    def confirm(self, item: AuditItem) -> None:
        if self.pending is item and item.chain == self.chain_id:
            self.seq, self.hash, self.pending = int(item.seq), item.hash, None


_GENERATION = [0]
"""Bumped by ``new_environment``: every thread's next record starts a new chain."""


def new_environment() -> None:
    """A fresh execution environment over fresh tables (the local stack's start): no thread goes on with
    a chain whose earlier records live in tables that are gone, which would read as a deleted chain head."""
    _GENERATION[0] += 1


_CHAIN = _Chain()


class AuditItem(Model):
    """审计记录: who did what, when, with what outcome, from where; linked into its writer's chain."""

    class Meta:
        table_name = settings().audit_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    chain = UnicodeAttribute(default="")
    seq = NumberAttribute(default=0)
    prev_hash = UnicodeAttribute(default=GENESIS)
    hash = UnicodeAttribute(default="")
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    outcome = UnicodeAttribute()
    at = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    document_id = UnicodeAttribute(default="")
    source_ip = UnicodeAttribute(default="")
    user_agent = UnicodeAttribute(default="")
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    by_day = ByDay()
    by_actor = ByActor()
    by_subject = BySubject()

    def link(self, chain: str, seq: int, prev_hash: str) -> None:
        """Place the record in its chain: keys, index keys and its hash."""
        self.chain, self.seq, self.prev_hash = chain, seq, prev_hash
        self.PK, self.SK = f"CHAIN#{chain}", f"{seq:010d}"
        order = f"{self.at}#{chain}#{seq:010d}"
        self.GSI1PK, self.GSI1SK = f"DAY#{self.at[:10]}", order
        self.GSI2PK, self.GSI2SK = f"ACTOR#{self.actor}", order
        self.GSI3PK, self.GSI3SK = (f"SUBJECT#{self.document_id}", order) if self.document_id else (None, None)
        self.hash = record_hash(self.fields())

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def as_dict(self) -> dict[str, Any]:
        """The record as exported (JSON lines) and shown: every hashed field and its hash."""
        return {**self.fields(), "seq": int(self.seq), "hash": self.hash}

    # pynamodb's hooks: every put (alone or in a transaction) is serialised here, and confirmed after it succeeded.
    def _get_save_args(self, condition: Condition | None = None, **kwargs: Any) -> Any:
        _CHAIN.claim(self)
        once = AuditItem.PK.does_not_exist()
        return super()._get_save_args(condition=once if condition is None else condition & once, **kwargs)

    def update_local_version_attribute(self) -> None:
        super().update_local_version_attribute()
        _CHAIN.confirm(self)


class CounterItem(Model):
    """拒绝计数: refused attempts of one kind from one source in one window (the one item that is updated)."""

    class Meta:
        table_name = settings().audit_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    attempts = NumberAttribute(default=0)
    last_at = UnicodeAttribute(default="")


def audit_item(
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: str = "",
    *,
    document_id: str | None = None,
) -> AuditItem:
    """An audit record, to be saved alone or inside the transaction that makes the change."""
    source = current_source()
    item = AuditItem(
        actor=actor[:200],
        action=action[:200],
        target=target[:500],
        outcome=outcome[:100],
        at=clock.now_iso(),
        detail=detail[:1000],
        document_id=(document_id or "")[:200],
        source_ip=source.ip,
        user_agent=source.user_agent,
    )
    item.PK, item.SK = "CHAIN#unlinked", "0"  # linked when it is put (its chain is known only then)
    if outcome == "denied":
        _note_refusal(action)
    return item


def record(
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: str = "",
    *,
    document_id: str | None = None,
) -> None:
    audit_item(actor, action, target, outcome, detail, document_id=document_id).save()


def window_of(moment: datetime) -> str:
    """The 5-minute window a moment falls in (its start, to the minute)."""
    return moment.replace(minute=moment.minute - moment.minute % WINDOW_MINUTES, second=0, microsecond=0).isoformat(
        timespec="minutes"
    )


def refused(actor: str, action: str, target: str, detail: str = "") -> int:
    """A refused attempt (a guessed approval link, a refused sign-in), counted per source and 5-minute window.

    The first of a window is a chained record naming its counter; later ones only add to the counter, so
    guessing cannot flood the trail. Returns how many there were in this window so far.
    """
    source = current_source()
    window = window_of(clock.now())
    counter = CounterItem(f"COUNT#{action}#{source.ip}"[:1000], window)
    response = counter.update(
        actions=[CounterItem.attempts.add(1), CounterItem.last_at.set(clock.now_iso())],
    )
    count = int(response.get("Attributes", {}).get("attempts", {}).get("N", "1"))
    _note_refusal(action)
    if count == 1:
        note = f"{detail} (同一来源 {WINDOW_MINUTES} 分钟内的次数见计数 {counter.PK} {window})".strip()
        record(actor, action, target, "denied", note)
    return count
