"""复文: a 发文 a 承办 department starts as the reply to a 收文, and the two linked to each other.

The reply is an ordinary 发文 draft (outgoing.documents.submit_draft, the same checks and flow) with
``in_reply_to`` (the 收文) and ``reply_to_number`` (its 来文字号); the 收文's list of replies gains its id in
the submission's own transaction, conditional on the 收文 existing, so neither link is ever without the
other. Its drafter must belong to one of the 收文's 承办 departments (主办 or 协办).
"""

from __future__ import annotations

from typing import Any

from pynamodb.transactions import TransactWrite

from oa_core.incoming import plans
from oa_core.incoming.storage import IncomingItem, load_incoming
from oa_core.outgoing import documents
from oa_core.outgoing.models import DocumentCreated, DraftSubmission
from oa_core.platform import audit
from oa_core.platform.errors import Conflict, Forbidden


def start_reply(incoming_id: str, submission: DraftSubmission, user: dict[str, Any], base_url: str) -> DocumentCreated:
    """Submit a 发文 draft replying to a 收文 (its 来文字号 on the reply), linked both ways."""
    item = load_incoming(incoming_id)
    departments = {str(h["department"]) for h in plans.load(item.plan).get("handlers", [])}
    if item.status not in ("handling", "checking", "concluding", "archived") or user["department"] not in departments:
        audit.record(
            str(user["user_id"]), "start_reply", incoming_id, "denied", "not a 承办 department", document_id=incoming_id
        )
        raise Forbidden("只有承办这份收文的部门才能起草复文")
    if len(item.replies or []) >= 20:
        raise Conflict("这份收文的复文已达 20 份上限")

    if not submission.document_id:
        submission = submission.model_copy(update={"document_id": documents.new_document_id()})
    reply_id = str(submission.document_id)

    def link_back(tx: TransactWrite) -> None:
        listed = (IncomingItem.replies | []).append([reply_id])
        tx.update(item, actions=[IncomingItem.replies.set(listed)], condition=IncomingItem.incoming_id.exists())

    created = documents.submit_draft(
        submission, user, base_url, reply_to=(incoming_id, item.sender_number or ""), also=link_back
    )
    audit.record(str(user["user_id"]), "start_reply", incoming_id, "ok", created.document_id, document_id=incoming_id)
    return created
