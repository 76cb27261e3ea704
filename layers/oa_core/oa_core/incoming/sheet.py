"""收文处理笺 as a PDF: drawn once the 文书 has checked the 办结 (IncomingFlow's DrawSheet, before 归档), stored
in the archive bucket next to the received file, and packed into the 收文's archive package.

The sheet holds what the leader's paper form holds: every round's 拟办意见 and 领导批示 (延期 decisions too,
they are the leader's), each 承办 department's 办理结果, each reader's 已阅 and 阅示, the 办结 and its check,
each with who and when, by name (publishing.handling_sheet draws it). Its key carries its SHA-256, so a
retried step writes the same object again, and the 收文 records key and digest for the package's manifest.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from oa_core.identity import directory
from oa_core.incoming import queries
from oa_core.incoming.storage import IncomingItem, load_incoming
from oa_core.platform import audit, clock, metrics
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict
from oa_core.workflow.tasks import history_of

if TYPE_CHECKING:  # the drawer is imported where the sheet is drawn (SheetFunction), not by its downloads
    from oa_core.publishing.handling_sheet import HandlingSheet

SHEET_NAME = "收文处理笺.pdf"
ENDED = ("failed", "refused")
RETURNED = "退回（不属于本单位职责）："
"""A 协办's 退回 in the 承办情况 row, before its reason."""
_LEADER_WORDS = {"returned": "退回重新拟办：", "extended": "同意延期：", "extension_refused": "不同意延期："}


def _signed(name: str, at: str) -> str:
    return "　".join(part for part in (name, clock.to_minute(at) if at else "") if part)


def contents(item: IncomingItem) -> HandlingSheet:
    """What the 收文处理笺 shows, by name, from the 收文 and its history (every round)."""
    from oa_core.publishing.handling_sheet import Entry, HandlingSheet

    view = queries.handling(item)
    history = sorted(history_of(item.incoming_id), key=lambda h: h.at)
    actors = [h.actor for h in history if h.actor and h.actor != "system"] + [item.checked_by or ""]
    people = directory.get_users([a for a in dict.fromkeys(actors) if a and ":" not in a])
    proposals = [
        Entry(h.opinion or "", _signed(directory.display_name(h.actor, people), h.at))
        for h in history
        if h.step == "propose" and h.decision == "proposed"
    ]
    instructions = [
        Entry(
            _LEADER_WORDS.get(h.decision, "") + (h.opinion or ""),
            _signed(directory.display_name(h.actor, people), h.at),
        )
        for h in history
        if (h.step == "instruct" and h.decision in ("instructed", "returned"))
        or (h.step == "extend" and h.decision in ("extended", "extension_refused"))
    ]
    handling = [
        Entry(
            f"{h.role}　{h.department_name}"
            + (f"（{h.assignee_name}）" if h.assignee_name else "")
            + (f"　办理时限 {h.deadline}（已延期，原 {h.extended_from}）" if h.extended_from else "")
            + (f"：{RETURNED}{h.result}" if h.status == "returned" else f"：{h.result or '（未报送办理结果）'}")
            + (f"　附件：{'、'.join(f.filename for f in h.files)}" if h.files else ""),
            _signed("", h.at),
        )
        for h in view.handlers
    ]
    readings = [
        Entry(
            f"{r.name}　"
            + (f"已阅 {clock.to_minute(r.read_at)}" if r.read_at else "未阅")
            + (f"　阅示：{r.note}" if r.note else "")
        )
        for r in view.readers
    ]
    lead = view.handlers[0] if view.handlers else None
    conclusion = (
        [
            Entry(item.result or "", _signed(f"主办 {lead.department_name}" if lead else "", lead.at if lead else "")),
        ]
        if item.result
        else []
    )
    if item.checked_by:
        name = directory.display_name(item.checked_by, people)
        conclusion.append(Entry("办结审核通过", _signed(f"{name}（文书）", item.checked_at or "")))
    return HandlingSheet(
        org_name=settings().org_name,
        sender=item.sender,
        sender_number=item.sender_number or "",
        number=item.number or "",
        received_on=item.received_at[:10],
        urgency=item.urgency or "",
        copies=str(int(item.copies or 1)),
        deadline=item.deadline or "",
        title=item.title,
        proposals=proposals,
        instructions=instructions,
        handling=handling,
        readings=readings,
        conclusion=conclusion,
        remarks=_remarks(item),
        made_on=clock.parse(item.checked_at).date() if item.checked_at else clock.now().date(),
    )


def _remarks(item: IncomingItem) -> str:
    if item.source == "registered":
        return "文书登记的来文（纸质或其他渠道送达）"
    if item.seal_valid:
        return f"来文电子签章有效（{item.seal_signer}）"
    return "来文电子签章无效或缺失"


def draw(incoming_id: str) -> dict[str, Any]:
    """收文处理笺 drawn and stored for a 收文 whose 办结 is checked; a retry writes the same object again."""
    item = load_incoming(incoming_id)
    if item.status in ENDED:
        raise Conflict("这份收文已终止，不再生成收文处理笺")
    from oa_core.publishing.handling_sheet import render_sheet

    pdf = render_sheet(contents(item), settings().font_dir)
    digest = hashlib.sha256(pdf)
    key = f"incoming/{incoming_id}/sheet-{digest.hexdigest()}.pdf"
    client("s3").put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        Metadata={"incoming-id": incoming_id, "sha256": digest.hexdigest()},
    )
    item.update(
        actions=[
            IncomingItem.sheet_key.set(key),
            IncomingItem.sheet_sha256.set(digest.hexdigest()),
            IncomingItem.updated_at.set(clock.now_iso()),
        ]
    )
    audit.record(
        "system", "draw_sheet", incoming_id, "ok", f"{key} sha256={digest.hexdigest()}", document_id=incoming_id
    )
    metrics.count("IncomingSheetDrawn")
    return {"sheet_key": key, "sha256": digest.hexdigest()}


def sheet_file(user: dict[str, Any], incoming_id: str) -> tuple[str, bytes]:
    """收文处理笺 as stored (file name, bytes) for whoever may read the 收文; Conflict before it is drawn. The
    download is audited (who read the form)."""
    item = queries.readable(user, incoming_id)
    if not item.sheet_key:
        raise Conflict("收文处理笺尚未生成：办结审核通过后自动生成")
    body = client("s3").get_object(Bucket=settings().archive_bucket, Key=item.sheet_key)["Body"].read()
    audit.record(user["user_id"], "download_sheet", incoming_id, "ok", item.sheet_key, document_id=incoming_id)
    return f"{item.number or '收文'}{SHEET_NAME}", bytes(body)
