"""建索引: a document's postings, written when it changes (each round of 核稿, 编号, 归档) and when an
attachment's text arrives, its old postings removed.

An update reads the document's manifest, claims the new postings in it (pending, by a version
condition), writes them, deletes every old one they do not repeat, and only then makes them the
manifest's postings. A claim lost to a concurrent update starts again from the newer manifest; an
update that dies half-way leaves its pending postings named, so the next update deletes them: no
stale hit survives a later update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from oa_core.platform import clock, metrics
from oa_core.platform.storage import strs
from oa_core.search import terms
from oa_core.search.storage import AttachmentTextItem, ManifestItem, PostingItem, StatsItem, manifest_pk
from oa_core.workflow import tasks

MAX_TERMS = 2000
"""Distinct terms kept per document (the most weighted): bounds the manifest well under DynamoDB's 400 KB."""
MAX_ATTACHMENT_CHARS = 100_000
"""Text kept per attachment (its first pages), for terms and passages."""


@dataclass
class Access:
    """Who may find a document, kept on each posting so that a query filters without reading documents."""

    department: str = ""
    users: list[str] = field(default_factory=list)
    distributed_to: list[str] = field(default_factory=list)
    status: str = ""


def postings(
    subject_id: str, fields: dict[str, str], scopes: list[str], date: str, access: Access
) -> tuple[dict[str, PostingItem], int]:
    """The postings of a subject's fields (by ``<scope>#<term>``) and its length in words; nothing written."""
    per_field = terms.field_terms(fields)
    weight: dict[str, float] = {}
    where: dict[str, str] = {}
    length = 0
    for name, counts in per_field.items():
        length += int(sum(counts.values()))
        for term, tf in counts.items():
            weight[term] = weight.get(term, 0.0) + terms.FIELD_WEIGHTS[name] * tf
            where[term] = where.get(term, "") + terms.FIELD_CODES[name]
    kept = sorted(weight, key=lambda term: (-weight[term], term))[:MAX_TERMS]
    items = {}
    for scope in scopes:
        for term in kept:
            items[f"{scope}#{term}"] = PostingItem(
                f"{scope}#{term}",
                f"{date}#{subject_id}",
                d=subject_id,
                w=round(weight[term], 2),
                dl=length,
                f=where[term],
                dep=access.department,
                usr=sorted(set(access.users)),
                to=sorted(set(access.distributed_to)),
                st=access.status,
            )
    return items, length


def _manifest(subject_id: str) -> ManifestItem:
    try:
        return ManifestItem.get(manifest_pk(subject_id), "MANIFEST", consistent_read=True)
    except ManifestItem.DoesNotExist:
        return ManifestItem(manifest_pk(subject_id), "MANIFEST", version=0)


def index_fields(
    subject_id: str, fields: dict[str, str], *, scopes: list[str], date: str, access: Access, attempts: int = 5
) -> int:
    """Make the index hold exactly these fields of a subject (no scopes: remove it); postings written."""
    new, length = postings(subject_id, fields, scopes, date, access)
    for _ in range(attempts):
        manifest = _manifest(subject_id)
        version = int(manifest.version or 0)
        old = {(key, manifest.date) for key in manifest.keys or []}
        old |= {(key, manifest.pending_date) for key in manifest.pending or []}
        condition = ManifestItem.version.does_not_exist() | (ManifestItem.version == version)
        manifest.pending, manifest.pending_date, manifest.version = sorted(new), date, version + 1  # type: ignore[arg-type]
        try:
            manifest.save(condition=condition)
        except PutError:
            continue  # a concurrent update claimed first: start from its manifest
        with PostingItem.batch_write() as batch:
            for item in new.values():
                batch.save(item)
            for key, when in old:
                if key not in new or when != date:
                    batch.delete(PostingItem(key, f"{when}#{subject_id}"))
        previous_scopes, previous_length = strs(manifest.scopes), int(manifest.length or 0)
        try:
            manifest.update(
                actions=[
                    ManifestItem.keys.set(sorted(new)),  # type: ignore[arg-type]
                    ManifestItem.date.set(date),
                    ManifestItem.pending.set([]),
                    ManifestItem.version.set(version + 2),
                    ManifestItem.scopes.set(scopes),  # type: ignore[arg-type]
                    ManifestItem.length.set(length),
                ],
                condition=ManifestItem.version == version + 1,
            )
        except UpdateError:
            return len(new)  # a newer update began meanwhile: it removes what this one wrote
        _count(previous_scopes, previous_length, scopes, length)
        metrics.count("SearchIndexUpdates")
        return len(new)
    raise RuntimeError(f"index update of {subject_id} lost {attempts} races")


def _count(old_scopes: list[str], old_length: int, scopes: list[str], length: int) -> None:
    for scope in set(old_scopes) | set(scopes):
        docs = int(scope in scopes) - int(scope in old_scopes)
        grown = (length if scope in scopes else 0) - (old_length if scope in old_scopes else 0)
        if docs or grown:
            StatsItem(f"STATS#{scope}", "STATS").update(actions=[StatsItem.docs.add(docs), StatsItem.length.add(grown)])


def attachment_texts(document_id: str) -> list[AttachmentTextItem]:
    return list(AttachmentTextItem.query(manifest_pk(document_id), AttachmentTextItem.SK.startswith("ATT#")))


def document_fields(doc: Any, attachments: list[AttachmentTextItem]) -> dict[str, str]:
    return {
        "title": doc.title or "",
        "body": doc.body or "",
        "recipients": "、".join([*(doc.main_recipients or []), *(doc.cc or [])]),
        "number": doc.number or "",
        "archive_code": doc.archive_code or "",
        "attachment": "\n".join(item.text or "" for item in attachments),
    }


def document_access(doc: Any, task_holders: list[str] | None = None) -> Access:
    """The document page's readers (outgoing.documents): its people, and whoever holds or held one of its
    tasks (a 委托 or 转办 gives the task to someone else), by department once it is distributed."""
    people = (doc.drafter, doc.reviewer, doc.signer, *(doc.countersigners or []), *(task_holders or []))
    return Access(
        department=doc.drafter_department or "",
        users=[u for u in people if u],
        distributed_to=[str(d) for d in doc.distribute_to or []],
        status=doc.status or "",
    )


def index_document(document_id: str) -> int:
    """(Re)index a 发文 as it is now: in 发文 always, in 档案 once archived; gone, it leaves the index."""
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.platform.storage import doc_pk

    try:
        doc = DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        return index_fields(document_id, {}, scopes=[], date="", access=Access())
    scopes = ["outgoing", "archive"] if doc.status == "archived" else ["outgoing"]
    date = (doc.sign_date or doc.created_at or clock.now_iso())[:10]
    fields = document_fields(doc, attachment_texts(document_id))
    # Task holders (a 委托 or 转办 hands a task to someone the document does not name) are read once the
    # document is archived, by the 归档 step: the steps before it may not Query the records table.
    holders = [task.assignee for task in tasks.tasks_of(document_id)] if doc.status == "archived" else []
    return index_fields(document_id, fields, scopes=scopes, date=date, access=document_access(doc, holders))


def index_attachment_text(document_id: str, name: str, text: str) -> int:
    """附件: keep an attachment's text (extraction.attachment_text) and reindex its document with it."""
    AttachmentTextItem(manifest_pk(document_id), f"ATT#{name}", name=name, text=text[:MAX_ATTACHMENT_CHARS]).save()
    return index_document(document_id)


def remove_attachment_text(document_id: str, name: str) -> int:
    """An attachment removed or replaced: its words leave the index with it."""
    AttachmentTextItem(manifest_pk(document_id), f"ATT#{name}").delete()
    return index_document(document_id)
