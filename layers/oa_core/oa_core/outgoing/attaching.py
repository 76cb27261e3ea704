"""附件的增删改: adding, replacing, retitling, reordering and removing a document's attachments, each one
transaction, and reading them.

Who may change them: the drafter, while the document is theirs to edit: before it is submitted (the
partition has no document yet; the first upload reserves the id for that drafter) or after a return
(status ``returned``). Every change is one DynamoDB transaction over the ATTACHMENTS item, conditioned on
the ``rev`` it was computed from (so two clicks, or two tabs, never both apply), with the count limit and
the duplicate check as conditions of that same write (``size(entries) < max``, ``NOT contains(digests,
sha)``); for a document that exists, on its ``version`` and status too, with the new version (痕迹) and
the audit record in the same transaction. A lost race is read again and explained.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from oa_core.outgoing import uploads
from oa_core.outgoing.attachments import (
    RESERVED_ID,
    AttachmentsView,
    ChangeRequest,
    ReorderRequest,
    clean_title,
    note_for,
    title_from_filename,
    view,
)
from oa_core.outgoing.diffing import entry_dict, make_version, size_text
from oa_core.outgoing.storage import AttachmentEntry, AttachmentsItem, DocumentItem, UploadItem
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.platform.storage import RecordItem, connection, doc_pk, lost_on_condition

STALE = "附件列表刚刚已被修改（可能在另一个窗口或重复点击），请刷新后再试。"


def _document(document_id: str) -> DocumentItem | None:
    try:
        return DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        return None


def load(document_id: str) -> AttachmentsItem | None:
    try:
        return AttachmentsItem.get(doc_pk(document_id), "ATTACHMENTS", consistent_read=True)
    except AttachmentsItem.DoesNotExist:
        return None


def editable(document_id: str, user: dict[str, Any]) -> tuple[DocumentItem | None, AttachmentsItem | None]:
    """The document (None before submission) and its list, if this user may change its attachments now."""
    doc = _document(document_id)
    held = load(document_id)
    if doc is None:
        if not RESERVED_ID.match(document_id):
            raise NotFound("这份文件不存在 (no such document)")
        if "drafter" not in user.get("roles", []):
            raise Forbidden("您没有拟稿权限，不能上传附件。")
        if held is not None and held.owner != user["user_id"]:
            audit.record(user["user_id"], "attach", document_id, "denied", "another drafter's draft")
            raise Forbidden("这不是您的草稿，不能更改它的附件。")
        return None, held
    if doc.drafter != user["user_id"]:
        audit.record(user["user_id"], "attach", document_id, "denied", "not the drafter", document_id=document_id)
        raise Forbidden("只有拟稿人可以更改这份文件的附件。")
    if doc.status != "returned":
        raise Conflict("文件已送出办理，附件不能更改；退回修改时可以更改附件。", code="not_editable")
    return doc, held


def _entries(held: AttachmentsItem | None) -> list[AttachmentEntry]:
    return list(held.entries or []) if held is not None else []


def _find(held: AttachmentsItem | None, no: int) -> AttachmentEntry:
    """The entry numbered ``no``; a number given once and gone is 已删除 (a second click on 删除), any
    other names no attachment."""
    for entry in _entries(held):
        if int(entry.no) == no:
            return entry
    if held is not None and 0 < no < int(held.next_no or 1):
        raise NotFound(f"附件{no}已被删除（可能重复点击了“删除”），请刷新后查看。", code="attachment_removed")
    raise NotFound("没有这个附件，或它已被删除。", code="attachment_unknown")


def _write(
    document_id: str,
    user: dict[str, Any],
    doc: DocumentItem | None,
    held: AttachmentsItem | None,
    entries: list[AttachmentEntry],
    action: str,
    detail: str,
    *,
    upload: UploadItem | None = None,
    added: str = "",
    removed: str = "",
    next_no: int | None = None,
) -> None:
    """One transaction: the list as it becomes, on the condition it is still the one read (and, adding,
    on the count limit and the digest's absence), plus the document's new version and the audit record."""
    now = clock.now_iso()
    actor = user["user_id"]
    item = held or AttachmentsItem(doc_pk(document_id), "ATTACHMENTS", document_id=document_id, owner=actor)
    rev = int(item.rev or 0)
    actions: list[Action] = [
        AttachmentsItem.entries.set(entries),
        AttachmentsItem.rev.set(rev + 1),
        AttachmentsItem.updated_at.set(now),
        AttachmentsItem.document_id.set(document_id),
        AttachmentsItem.owner.set(item.owner),
        AttachmentsItem.next_no.set(next_no if next_no is not None else int(item.next_no or 1)),
    ]
    if added:
        actions.append(AttachmentsItem.digests.add({added}))
    if removed and removed != added:
        actions.append(AttachmentsItem.digests.delete({removed}))
    condition: Condition = AttachmentsItem.PK.does_not_exist() if held is None else (AttachmentsItem.rev == rev)
    if added and held is not None:
        condition &= ~AttachmentsItem.digests.contains(added) | AttachmentsItem.digests.does_not_exist()
        if not removed:
            condition &= size(AttachmentsItem.entries) < settings().attachment_max_count
    try:
        with TransactWrite(connection=connection()) as tx:
            if held is None:  # the first: a put, which also writes the item's kind
                item.entries, item.rev, item.updated_at = entries, 1, now
                item.next_no = next_no if next_no is not None else 1
                item.digests = {added} if added else None
                tx.save(item, condition=condition)
            else:
                tx.update(item, actions, condition=condition)
            if doc is None:
                tx.condition_check(
                    DocumentItem, doc_pk(document_id), "META", condition=DocumentItem.PK.does_not_exist()
                )
            else:
                titles = [str(e.title) for e in entries]
                version = make_version(
                    doc, {"attachments": [entry_dict(e) for e in entries]}, actor, "附件变更", int(doc.version) + 1
                )
                tx.update(
                    doc,
                    [
                        DocumentItem.attachments.set(entries),
                        DocumentItem.attachment_note.set(note_for(titles)),
                        DocumentItem.version.set(version.version),
                        DocumentItem.updated_at.set(now),
                    ],
                    condition=(DocumentItem.version == doc.version)
                    & (DocumentItem.status == "returned")
                    & (DocumentItem.drafter == actor),
                )
                tx.save(version, condition=RecordItem.PK.does_not_exist())
            if upload is not None:
                tx.delete(upload, condition=UploadItem.PK.exists())
            tx.save(audit.audit_item(actor, action, document_id, "ok", detail, document_id=document_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        audit.record(actor, action, document_id, "conflict", detail, document_id=document_id)
        raise _why_lost(document_id, user, added) from None


def _why_lost(document_id: str, user: dict[str, Any], digest: str) -> Exception:
    """A refused write, explained from what is there now."""
    try:
        _doc, held = editable(document_id, user)
    except (Forbidden, Conflict, NotFound) as exc:
        return exc
    if digest:
        for entry in _entries(held):
            if entry.sha256 == digest:
                return duplicate(entry)
        if len(_entries(held)) >= settings().attachment_max_count:
            return over_count()
    return Conflict(STALE, code="stale")


def duplicate(entry: AttachmentEntry) -> Conflict:
    return Conflict(f"同一个文件已经是附件“{entry.title}”，不能重复添加。", code="attachment_duplicate")


def over_count() -> InvalidInput:
    return InvalidInput(
        f"每份文件最多 {settings().attachment_max_count} 个附件，已达上限；可先删除不需要的附件。",
        code="attachment_count_limit",
    )


def _title(text: str) -> str:
    title = clean_title(text)
    if not title:
        raise InvalidInput("请填写附件名称（“附件：”和末尾的标点会自动去掉）。")
    return title


def _check_rev(held: AttachmentsItem | None, rev: int | None) -> None:
    if rev is not None and int(held.rev if held else 0) != rev:
        raise Conflict(STALE, code="stale")


# ---------------------------------------------------------------- the operations
def sign_upload(document_id: str, user: dict[str, Any], filename: str, size_bytes: int | None) -> Any:
    """上传附件 (1): a presigned POST, for a document this user may change now, while below the limit."""
    _doc, held = editable(document_id, user)
    if len(_entries(held)) >= settings().attachment_max_count:
        raise over_count()
    _item, ticket = uploads.new_upload(document_id, user["user_id"], filename, size_bytes)
    return ticket


def attach(document_id: str, user: dict[str, Any], token: str, title: str | None) -> AttachmentsView:
    """上传附件 (2): check what arrived and put it at the end of the list, or refuse it, whole."""
    doc, held = editable(document_id, user)
    upload = uploads.load_upload(document_id, token, user["user_id"])
    entries = _entries(held)
    if len(entries) >= settings().attachment_max_count:
        raise over_count()
    no = int(held.next_no or 1) if held else 1
    entry = uploads.received(upload, user["user_id"], no)
    entry.title = _title(title) if title else title_from_filename(upload.filename)
    for existing in entries:
        if existing.sha256 == entry.sha256:
            raise duplicate(existing)
    detail = f"附件{no}：{entry.title}（{entry.filename}，{size_text(int(entry.size))}，sha256 {entry.sha256}）"
    try:
        _write(
            document_id, user, doc, held, [*entries, entry], "attach", detail,
            upload=upload, added=str(entry.sha256), next_no=no + 1,
        )  # fmt: skip
    except Conflict as exc:
        if exc.code != "attachment_duplicate":
            uploads.discard_copy(entry)
        raise
    except InvalidInput:
        uploads.discard_copy(entry)
        raise
    uploads.forget_upload(upload)
    return view(document_id, load(document_id))


def change(document_id: str, user: dict[str, Any], no: int, request: ChangeRequest) -> AttachmentsView:
    """改名 or 替换: a new title, or a new file in the same place (the old file stays in the old versions)."""
    doc, held = editable(document_id, user)
    _check_rev(held, request.rev)
    old = _find(held, no)
    entries = _entries(held)
    new = AttachmentEntry(**entry_dict(old))
    upload = None
    if request.upload:
        upload = uploads.load_upload(document_id, request.upload, user["user_id"])
        new = uploads.received(upload, user["user_id"], no)
        new.title = old.title
        for existing in entries:
            if existing.sha256 == new.sha256 and int(existing.no) != no:
                raise duplicate(existing)
    if request.title:
        new.title = _title(request.title)
    if request.title is None and upload is None:
        raise InvalidInput("请填写新的附件名称，或选择替换的文件。")
    replaced = [new if int(e.no) == no else e for e in entries]
    what = "替换" if upload else "改名"
    detail = f"附件{no}{what}：{old.title} → {new.title}（{new.filename}，sha256 {new.sha256}）"
    swapped = upload is not None and new.sha256 != old.sha256
    _write(
        document_id, user, doc, held, replaced, "attach_change", detail,
        upload=upload, added=str(new.sha256) if swapped else "", removed=str(old.sha256) if swapped else "",
    )  # fmt: skip
    if upload is not None:
        uploads.forget_upload(upload)
    return view(document_id, load(document_id))


def reorder(document_id: str, user: dict[str, Any], request: ReorderRequest) -> AttachmentsView:
    """调整顺序: the same attachments in a new order (every one named once)."""
    doc, held = editable(document_id, user)
    _check_rev(held, request.rev)
    entries = {int(e.no): e for e in _entries(held)}
    if sorted(request.order) != sorted(entries):
        raise Conflict(STALE, code="stale")
    ordered = [entries[no] for no in request.order]
    if [int(e.no) for e in ordered] == [int(e.no) for e in _entries(held)]:
        return view(document_id, load(document_id))
    detail = "附件顺序：" + "、".join(str(e.title) for e in ordered)
    _write(document_id, user, doc, held, ordered, "attach_reorder", detail)
    return view(document_id, load(document_id))


def remove(document_id: str, user: dict[str, Any], no: int, rev: int | None = None) -> AttachmentsView:
    """删除附件: gone from the list (and from the 附件说明); the file stays in the versions that had it."""
    doc, held = editable(document_id, user)
    old = _find(held, no)  # first: a second click says 已被删除, not that the list changed
    _check_rev(held, rev)
    kept = [e for e in _entries(held) if int(e.no) != no]
    detail = f"删除附件{no}：{old.title}（{old.filename}，sha256 {old.sha256}）"
    try:
        _write(document_id, user, doc, held, kept, "attach_remove", detail, removed=str(old.sha256))
    except Conflict as exc:
        if exc.code == "stale":  # two clicks at once: the other one removed it
            _find(load(document_id), no)
        raise
    return view(document_id, load(document_id))


# ---------------------------------------------------------------- reading
def readable_list(document_id: str, user: dict[str, Any]) -> AttachmentsView:
    """The list for anyone who may read the document (before submission: its drafter only)."""
    from oa_core.outgoing import documents

    if _document(document_id) is None:
        editable(document_id, user)
        return view(document_id, load(document_id))
    documents.readable(document_id, user)
    return view(document_id, load(document_id))


def open_for(document_id: str, no: int, user: dict[str, Any]) -> str:
    """打开附件: a short-lived link to the file, for a reader of the document; audited."""
    readable_list(document_id, user)
    entry = _find(load(document_id), no)
    audit.record(
        user["user_id"], "download_attachment", document_id, "ok", f"附件{no}：{entry.title}", document_id=document_id
    )
    return uploads.open_url(entry)


def open_for_link(document_id: str, decider: str, expires_at: str, no: int) -> str:
    """打开附件 from an approval link: for that link's decider, valid no longer than the link itself."""
    entry = _find(load(document_id), no)
    seconds = min(uploads.OPEN_SECONDS, int((clock.parse(expires_at) - clock.now()).total_seconds()))
    if seconds <= 0:
        raise Forbidden("该链接已过期，附件不能再打开。")
    audit.record(
        decider, "download_attachment:link", document_id, "ok", f"附件{no}：{entry.title}", document_id=document_id
    )
    return uploads.open_url(entry, seconds)
