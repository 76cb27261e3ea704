"""收文 in the index: a 收文's postings in 收文 (scope ``incoming``) from its 登记 on, and its hits.

Indexed fields: 标题, 来文单位, 来文字号 and 收文编号 (each also one whole, normalised term, as a
发文字号), 档号 once archived, the received PDF's text (extracted once, kept as the 收文's attachment
text ``ATT#received``), and 拟办意见, 领导批示 and 办理结果 (each department's, and the 主办's at 办结).
IncomingFlow's step function reindexes each time a step opens (after 登记, 拟办, 批办, the 承办 results,
办结) and the Archive function once archived. Who may find it is incoming.queries.may_read, from the
facts kept on each posting (people: ``usr``, 承办 departments: ``to``, status: ``st``).
"""

from __future__ import annotations

import html
import logging
from typing import Any

from oa_core.platform import clock
from oa_core.platform.storage import strs
from oa_core.search import extraction, indexing, passages
from oa_core.search.storage import AttachmentTextItem, PostingItem, manifest_pk

log = logging.getLogger(__name__)
SCOPE = "incoming"
RECEIVED = "ATT#received"
"""The kept text of the received file (the PDF as it arrived; a scan or an OFD has none we read)."""


def kept_text(incoming_id: str) -> str | None:
    try:
        return str(AttachmentTextItem.get(manifest_pk(incoming_id), RECEIVED, consistent_read=True).text or "")
    except AttachmentTextItem.DoesNotExist:
        return None


def received_text(item: Any) -> str:
    """The received file's text, read from the archive bucket and extracted once (then kept)."""
    kept = kept_text(item.incoming_id)
    if kept is not None:
        return kept
    text = ""
    if item.file_key:
        from oa_core.platform.config import client, settings

        try:
            body = client("s3").get_object(Bucket=settings().archive_bucket, Key=item.file_key)["Body"].read()
            text = extraction.attachment_text(item.file_name or "", bytes(body))
        except Exception:  # an unreadable file: the 收文 is indexed without its text
            log.warning("received file text not extracted", extra={"incoming_id": item.incoming_id}, exc_info=True)
    kept = text[: indexing.MAX_ATTACHMENT_CHARS]
    AttachmentTextItem(manifest_pk(item.incoming_id), RECEIVED, name=item.file_name or "", text=kept).save()
    return text


def handling_text(item: Any, tasks: list[Any]) -> str:
    """拟办意见, 领导批示 and 办理结果 of the round in force, one a line."""
    round_no = int(item.round or 1)
    results = [
        t.opinion or ""
        for t in sorted(tasks, key=lambda t: t.task_id)
        if t.step in ("handle", "conclude") and t.status == "decided" and int(t.round) == round_no
    ]
    return "\n".join(text for text in (item.proposal, item.instruction, *results, item.result) if text)


def fields_of(item: Any, tasks: list[Any], text: str) -> dict[str, str]:
    return {
        "title": item.title or "",
        "sender": item.sender or "",
        "number": item.sender_number or "",
        "received_number": item.number or "",
        "archive_code": item.archive_code or "",
        "body": text,
        "handling": handling_text(item, tasks),
    }


def index_incoming(incoming_id: str) -> int:
    """(Re)index a 收文 as it is now: in 收文 once registered (it has its 收文编号); gone, out."""
    from oa_core.incoming import queries
    from oa_core.incoming.storage import IncomingItem, incoming_key
    from oa_core.workflow.tasks import tasks_of

    try:
        item = IncomingItem.get(*incoming_key(incoming_id), consistent_read=True)
    except IncomingItem.DoesNotExist:
        return indexing.index_fields(incoming_id, {}, scopes=[], date="", access=indexing.Access())
    if not item.number or item.status == "refused":
        return indexing.index_fields(incoming_id, {}, scopes=[], date="", access=indexing.Access())
    tasks = tasks_of(incoming_id)
    people, departments = queries.read_facts(item, tasks)
    access = indexing.Access(users=people, distributed_to=departments, status=item.status)
    date = (item.received_at or clock.now_iso())[:10]
    fields = fields_of(item, tasks, received_text(item))
    return indexing.index_fields(incoming_id, fields, scopes=[SCOPE], date=date, access=access)


def index_quietly(incoming_id: str) -> None:
    """index_incoming, a failure logged and skipped: the step it follows has happened (the next one,
    or 归档, indexes again)."""
    try:
        index_incoming(incoming_id)
    except Exception:
        log.warning("收文 not indexed", extra={"incoming_id": incoming_id}, exc_info=True)


def may_find(posting: PostingItem, user: dict[str, Any]) -> bool:
    from oa_core.incoming import queries

    return queries.may_read(user, posting.st or "", strs(posting.usr), strs(posting.to))


def hits(shown: list[tuple[float, str, PostingItem]], words: list[str]) -> dict[str, dict[str, Any]]:
    """The fields of a page's 收文 hits (by id), each with the passage that holds the words."""
    from oa_core.incoming.storage import IncomingItem, incoming_key

    wanted = [incoming_key(p.d) for _, _, p in shown if p.PK.startswith(f"{SCOPE}#")]
    if not wanted:
        return {}
    found = {i.incoming_id: i for i in IncomingItem.batch_get(wanted)}
    out = {}
    for score, date, posting in shown:
        item = found.get(posting.d)
        if item is None:
            continue
        texts = [item.sender or "", item.sender_number or "", item.number or "", item.proposal or ""]
        texts += [item.instruction or "", item.result or "", item.archive_code or ""]
        if "b" in posting.f:
            texts.append(kept_text(item.incoming_id) or "")
        passage = next((p for p in (passages.passage(t, words) for t in texts) if p), None)
        number = item.number or ""
        out[posting.d] = {
            "document_id": item.incoming_id,
            "title": item.title,
            "title_html": passages.mark(item.title, words),
            "number": number,
            "sender": item.sender or "",
            "sender_number": item.sender_number or "",
            "doc_type": item.doc_type or "收文",
            "status": item.status,
            "date": date,
            "archive_code": item.archive_code or "",
            "passage_html": passage or html.escape(f"{item.sender}　{item.sender_number or ''}".strip()),
            "score": score,
        }
    return out
