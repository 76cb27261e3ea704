"""归档 of a 收文: the same DA/T 22 archive as 发文 (一文一档, Object Lock, 四性检测, 归档索引).

The 件号 comes from the same gap-free counter per year and 保管期限 as a 发文's (records.filing), so the
档号 ``全宗号-WS·年度-期限-机构-件号`` is in the archive year's one series; 机构 is the 主办 department.
The package holds incoming.json (来文单位, 来文字号, 收文编号, the plan), final.txt (the 收文处理笺 as
text: 拟办意见, 领导批示, each department's 办理结果, each reader's 已阅), the opinions, tasks, audit
trail, 归档章, the received file as it arrived (received.pdf, or .ofd/.jpg/.png for a registered scan: named by
its bytes), the 收文处理笺 drawn before 归档
(handling-sheet.pdf, incoming.sheet) and the 办理结果's 附件 (attachments/, as a 发文's), each with its SHA-256
in the manifest. Authenticity is the received seal's check (valid, and the pinned key not contradicted);
usability includes the sheet opening with its 收文编号 in its text.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import time
import zipfile
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.incoming import plans, queries
from oa_core.incoming.intake import SCAN_KINDS
from oa_core.incoming.models import HandlerState, HandlingView
from oa_core.incoming.storage import IncomingItem, load_incoming, status_actions
from oa_core.platform import audit, audit_trail, clock, filetypes, metrics
from oa_core.platform.config import settings
from oa_core.platform.errors import TransientError
from oa_core.platform.storage import (
    RecordItem,
    connection,
    counter_value,
    lost_on_condition,
    move_counter,
    strs,
    subject_pk,
)
from oa_core.records import archive, enclosures, filing, package
from oa_core.records.storage import ArchiveIndexItem
from oa_core.workflow.storage import HistoryItem, TaskItem
from oa_core.workflow.tasks import history_item


def _department(item: IncomingItem) -> str:
    handlers = plans.load(item.plan).get("handlers") or [{"department": settings().office_department}]
    return str(handlers[0]["department"])


def assign(item: IncomingItem, year: int) -> dict[str, Any]:
    """The 收文's 件号 and 档号, taken once from the year's counter (as records.filing.assign)."""
    period = item.retention or filing.retention_for(item.doc_type or "")
    department = _department(item)
    counter_key = (f"COUNTER#JIAN#{year}#{filing.PERIODS[period]}", "COUNTER")
    for attempt in range(8):
        if item.archive_code:
            break
        current = counter_value(counter_key)
        item_no = current + 1
        try:
            with TransactWrite(connection=connection()) as tx:
                move_counter(tx, counter_key, current, item_no)
                tx.update(
                    item,
                    actions=[
                        IncomingItem.archive_code.set(filing.archive_code(year, period, department, item_no)),
                        IncomingItem.item_no.set(item_no),
                        IncomingItem.retention.set(period),
                    ],
                    condition=IncomingItem.archive_code.does_not_exist(),
                )
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            item.refresh(consistent_read=True)
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
            continue
        item.refresh(consistent_read=True)
    if not item.archive_code:
        raise TransientError("件号分配时并发冲突过多，稍后自动重试 (too many concurrent filings)")
    return {
        "全宗号": settings().fonds_code,
        "年度": year,
        "保管期限": item.retention,
        "件号": f"{int(item.item_no or 0):04d}",
        "机构": department.upper(),
        "档号": item.archive_code,
        "门类代码": filing.CATEGORY,
    }


def handling_text(item: IncomingItem, view: HandlingView) -> str:
    """收文处理笺 as text: what the leader's form holds (``view``: queries.handling of the 收文)."""
    lines = [
        f"{settings().org_name}收文处理笺",
        f"收文编号：{item.number or ''}",
        f"来文单位：{item.sender}",
        f"来文字号：{item.sender_number or '（无）'}",
        f"标题：{item.title}",
        f"收文日期：{item.received_at[:10]}",
        f"办理时限：{item.deadline or '（无）'}",
        f"拟办意见：{view.proposal}",
        f"领导批示（{view.leader_name}）：{view.instruction}",
        "承办情况：",
        *[
            f"  {h.role} {h.department_name}（{h.assignee_name}）：{h.result or '（未报送）'}"
            + (f"　附件：{'、'.join(f.filename for f in h.files)}" if h.files else "")
            for h in view.handlers
        ],
        "传阅：",
        *[f"  {r.name}：{'已阅 ' + r.read_at[:16] if r.read_at else '未阅'} {r.note}".rstrip() for r in view.readers],
        f"办理结果：{item.result}",
    ]
    return "\n".join(lines) + "\n"


SHEET_PATH = package.SHEET_PATH
RECEIVED_KINDS = SCAN_KINDS
"""What a received file may be: an exchanged PDF, or a registered scan (the kinds 文书登记 accepts)."""


def received_name(data: bytes) -> str:
    """The received file's name in the package, by its bytes: received.pdf, .ofd, .jpg or .png."""
    kind = filetypes.sniff(data)
    return f"received{kind.extensions[0] if kind in RECEIVED_KINDS else '.pdf'}"


def result_files(item: IncomingItem, files: dict[str, bytes], handlers: list[HandlerState]) -> list[dict[str, Any]]:
    """办理结果's 附件 of the round in force into ``files`` (``attachments/NN.ext``, as a 发文's 附件: bytes checked
    against the digest taken at upload), and the manifest's ``attachments`` rows the 四性检测 checks them by."""
    from oa_core.incoming.storage import result_files as stored
    from oa_core.outgoing.storage import AttachmentEntry
    from oa_core.outgoing.uploads import stored_bytes

    round_no = str(int(item.round or 1))

    def title(task_id: str) -> str:
        index = int(task_id.rsplit(".", 1)[1])
        found = handlers[index] if index < len(handlers) else None
        return f"{found.role}{found.department_name}办理结果附件" if found else "办理结果附件"

    entries = [
        AttachmentEntry(
            no=int(f.no),
            title=title(f.task_id),
            filename=f.filename,
            kind=f.file_kind,
            content_type=f.content_type,
            size=int(f.size),
            sha256=f.sha256,
            key=f.key,
            s3_version=f.s3_version or "",
            uploaded_by=f.uploaded_by,
            uploaded_at=f.uploaded_at,
        )
        for f in stored(item.incoming_id)
        if f.task_id.split(".")[2] == round_no
    ]
    return enclosures.listed(entries, files, stored_bytes)


def build(item: IncomingItem, stamp: dict[str, Any], pdf: bytes, sheet: bytes = b"") -> bytes:
    items = list(RecordItem.query(subject_pk(item.incoming_id), consistent_read=True))
    view = queries.handling(item)  # once: the text 处理笺 and the 办理结果's 附件 both read it
    meta = {
        key: getattr(item, key)
        for key in (
            "incoming_id",
            "number",
            "sender",
            "sender_number",
            "title",
            "doc_type",
            "urgency",
            "received_at",
            "sign_date",
            "copies",
            "deadline",
            "source",
            "receipt_id",
            "proposal",
            "instruction",
            "result",
            "file_sha256",
            "seal_valid",
            "seal_signer",
            "seal_fingerprint",
            "seal_pinned",
        )
    }
    files: dict[str, bytes] = {
        "incoming.json": package.as_json({**meta, "plan": plans.load(item.plan), "replies": strs(item.replies)}),
        "final.txt": handling_text(item, view).encode("utf-8"),
        "opinions.json": package.as_json(
            [
                {"step": h.step, "actor": h.actor, "decision": h.decision, "opinion": h.opinion, "at": h.at}
                for h in items
                if isinstance(h, HistoryItem)
            ]
        ),
        "tasks.json": package.as_json(
            [
                {k: getattr(t, k) for k in ("task_id", "step", "assignee", "status", "decision", "opinion", "due_at")}
                for t in items
                if isinstance(t, TaskItem)
            ]
        ),
        "audit.json": package.as_json(
            [
                {k: row[k] for k in ("actor", "action", "target", "outcome", "at", "detail", "source_ip", "hash")}
                for row in audit_trail.of_subject(item.incoming_id)
            ]
        ),
        "filing.json": package.as_json(stamp),
        received_name(pdf): pdf,
    }
    if sheet:
        files[SHEET_PATH] = sheet
    attached = result_files(item, files, view.handlers)
    manifest = {
        "document_id": item.incoming_id,
        "number": item.number,
        "created_at": clock.now_iso(),
        "algorithm": "SHA-256",
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in sorted(files.items())
        ],
        "attachments": attached,
    }
    files["manifest.json"] = package.as_json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path, data in sorted(files.items()):
            out.writestr(zipfile.ZipInfo(path, package.FIXED_ZIP_TIME), data)
    return buffer.getvalue()


def _report(data: bytes, item: IncomingItem) -> dict[str, Any]:
    scans = tuple(f"received{kind.extensions[0]}" for kind in RECEIVED_KINDS)
    report = filing.four_checks(
        data, seal_valid=bool(item.seal_valid), item_no=int(item.item_no or 0), also_allowed=scans
    )
    trusted = bool(item.seal_valid) and item.seal_pinned != "mismatch"
    report["authenticity"] = {
        "passed": trusted,
        "detail": (f"来文电子签章有效（{item.seal_signer}，公钥指纹 {item.seal_fingerprint}）" if trusted else "")
        or f"来文电子签章无效或与登记的公钥不一致：{item.seal_problem or item.seal_pinned}",
    }
    problem, detail = sheet_usability(data, item.number or "")
    usability = report["usability"]
    usability["passed"] = bool(usability["passed"]) and not problem
    usability["detail"] = f"{usability['detail']}；{problem or detail}"
    report["passed"] = all(report[k]["passed"] for k in ("authenticity", "integrity", "usability", "security"))
    return report


def sheet_usability(data: bytes, number: str) -> tuple[str, str]:
    """Does the package's 收文处理笺 open, with its 收文编号 in its text? ("", detail) if so."""
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        if SHEET_PATH not in opened.namelist():
            return "缺少收文处理笺（handling-sheet.pdf）", ""
        sheet = opened.read(SHEET_PATH)
    if filing.pdf_usability(sheet, number)[0]:
        return "收文处理笺无法打开，或其文本中没有收文编号", ""
    return "", "收文处理笺可打开，文本可提取（含收文编号）"


def archive_incoming(incoming_id: str) -> dict[str, Any]:
    """归档: write the 收文's package, index it, mark it archived (a retry finds it done)."""
    item = load_incoming(incoming_id)
    if item.status == "archived" and item.archive_key:
        return {"archive_key": item.archive_key, "sha256": item.archive_sha256, "archive_code": item.archive_code}
    year = clock.now().year
    stamp = assign(item, year)
    pdf = archive.read_package(item.file_key) if item.file_key else b""
    sheet = archive.read_package(item.sheet_key) if item.sheet_key else b""
    data = build(item, stamp, pdf, sheet)
    digest = hashlib.sha256(data)
    key = f"archive/{year}/{incoming_id}.zip"
    retain_until = filing.retain_until(str(item.retention))
    bucket, lock = settings().archive_bucket, settings().archive_lock_mode
    archive._s3().put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType="application/zip",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        Metadata={"document-id": incoming_id, "sha256": digest.hexdigest()},
        ObjectLockMode=lock,
        ObjectLockRetainUntilDate=retain_until,
    )
    report = _report(data, item)
    report_key = f"archive/{year}/{incoming_id}.report.json"
    archive._s3().put_object(
        Bucket=bucket,
        Key=report_key,
        Body=package.as_json({**report, "档号": item.archive_code, "document_id": incoming_id}),
        ContentType="application/json",
        ObjectLockMode=lock,
        ObjectLockRetainUntilDate=retain_until,
    )
    now = clock.now_iso()
    index_key = f"{item.received_at}#{incoming_id}"
    with TransactWrite(connection=connection()) as tx:
        tx.save(
            ArchiveIndexItem(
                f"ARCHIVE#{year}",
                index_key,
                document_id=incoming_id,
                number=item.number or "",
                title=item.title,
                doc_type="收文",
                department=_department(item),
                archived_at=now,
                archive_key=key,
                sha256=digest.hexdigest(),
                archive_code=item.archive_code,
                retention=item.retention,
                report_key=report_key,
                checks_passed="yes" if report["passed"] else "no",
                GSI1PK="ARCHIVE#收文",
                GSI1SK=index_key,
            )
        )
        tx.update(
            item,
            actions=[
                *status_actions(item, "archived", "archive", now),
                IncomingItem.archive_key.set(key),
                IncomingItem.archive_sha256.set(digest.hexdigest()),
                IncomingItem.archived_at.set(now),
            ],
        )
        tx.save(history_item(incoming_id, "archive", "system", "archived", f"档号 {item.archive_code}"))
        tx.save(
            audit.audit_item(
                "system", "archive", incoming_id, "ok", f"{key} sha256={digest.hexdigest()}", document_id=incoming_id
            )
        )
    metrics.count("IncomingArchived")
    return {"archive_key": key, "sha256": digest.hexdigest(), "archive_code": item.archive_code}
