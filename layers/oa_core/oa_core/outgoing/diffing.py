"""版本与痕迹: every version is kept, each with a line diff against the one before it."""

from __future__ import annotations

import difflib
from typing import Any

from oa_core.outgoing.doctypes import word_count
from oa_core.outgoing.storage import AttachmentEntry, DocumentItem, VersionItem
from oa_core.platform import clock
from oa_core.platform.storage import doc_pk

CONTENT_FIELDS = ("title", "body", "main_recipients", "cc", "urgency", "attachments")


def entry_dict(entry: AttachmentEntry | dict[str, Any]) -> dict[str, Any]:
    """An attachment entry as plain values (from the item's map, or already a dict)."""
    if isinstance(entry, dict):
        return dict(entry)
    return {name: getattr(entry, name) for name in AttachmentEntry.get_attributes()}


def size_text(size: int) -> str:
    """A file size as people read it: 12 KB, 3.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def content_of(source: DocumentItem | VersionItem) -> dict[str, Any]:
    return {
        "title": source.title,
        "body": source.body,
        "main_recipients": list(source.main_recipients or []),
        "cc": list(source.cc or []),
        "urgency": source.urgency or "",
        "attachments": [entry_dict(e) for e in source.attachments or []],
    }


def _lines(content: dict[str, Any]) -> list[str]:
    return [
        f"标题：{content['title']}",
        f"主送：{'、'.join(content['main_recipients'])}",
        f"抄送：{'、'.join(content['cc'])}",
        f"紧急程度：{content['urgency'] or '无'}",
        "",
        *content["body"].splitlines(),
        *(
            f"附件{index}：{a['title']}（{a['filename']}，{size_text(int(a['size']))}）"
            for index, a in enumerate(content.get("attachments") or [], start=1)
        ),
    ]


def diff(before: dict[str, Any], after: dict[str, Any], old_no: int, new_no: int) -> str:
    """A unified diff of the text as a reader sees it (lines with + were inserted, - deleted)."""
    return "\n".join(difflib.unified_diff(_lines(before), _lines(after), f"第{old_no}稿", f"第{new_no}稿", lineterm=""))


def make_version(doc: DocumentItem, changes: dict[str, Any], author: str, reason: str, number: int) -> VersionItem:
    before = content_of(doc)
    after = {**before, **changes}
    return VersionItem(
        doc_pk(doc.document_id),
        f"VER#{number:04d}",
        document_id=doc.document_id,
        version=number,
        author=author,
        at=clock.now_iso(),
        reason=reason,
        diff=diff(before, after, number - 1, number) if number > 1 else "",
        word_count=word_count(after["title"], after["body"]),
        **{key: value for key, value in after.items() if key != "attachments"},
        attachments=[AttachmentEntry(**entry_dict(a)) for a in after["attachments"]],
    )


def inline(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str]]:
    """痕迹: the text of ``after`` as runs of (equal|insert|delete, text), character by character."""
    old, new = "\n".join(_lines(before)), "\n".join(_lines(after))
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", new[j1:j2]))
            continue
        if op in ("delete", "replace"):
            runs.append(("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            runs.append(("insert", new[j1:j2]))
    return runs
