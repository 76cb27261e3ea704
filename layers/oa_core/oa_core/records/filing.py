"""归档章 and 四性检测 per DA/T 22-2015: each archived document is a 件 with 全宗号, 年度, 保管期限,
件号 and 机构, and a 档号 ``全宗号-门类代码·年度-期限代码-机构代码-件号`` (e.g. ``X001-WS·2026-D30-BGS-0007``).

件号 are four digits, counted per year and 保管期限 without gaps: the counter and the document change
in one conditional transaction, as 编号 does, and a retried step finds its 件号 on the document.
The 四性检测 report (authenticity, integrity, usability, security) is computed on the package as
written and stored beside it.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import time
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import clock, filetypes
from oa_core.platform.config import settings
from oa_core.platform.errors import TransientError
from oa_core.platform.storage import connection, counter_value, lost_on_condition, move_counter
from oa_core.records import enclosures
from oa_core.records.package import verify_package_files

CATEGORY = "WS"
"""门类代码: 文书."""
PERIODS = {"永久": "Y", "定期30年": "D30", "定期10年": "D10"}
PERIOD_YEARS = {"永久": 100, "定期30年": 30, "定期10年": 10}
"""Object Lock retention; 永久 is kept for a century and then reviewed (S3 needs a date)."""
PERMANENT_TYPES = {"决议", "决定", "命令", "公报", "公告", "通告", "议案"}
SHORT_TYPES = {"函", "纪要"}
ALLOWED_SUFFIXES = (".json", ".txt", ".sig", ".pdf", ".ofd")
MAX_PACKAGE_BYTES = 200 * 1024 * 1024


def retention_for(doc_type: str) -> str:
    """保管期限 by 文种: normative documents permanent, letters and minutes 10 years, others 30."""
    if doc_type in PERMANENT_TYPES:
        return "永久"
    if doc_type in SHORT_TYPES:
        return "定期10年"
    return "定期30年"


def archive_code(year: int, period: str, department: str, item_no: int) -> str:
    """档号: 全宗号-门类代码·年度-期限代码-机构代码-件号."""
    return f"{settings().fonds_code}-{CATEGORY}·{year}-{PERIODS[period]}-{department.upper()}-{item_no:04d}"


def assign(doc: DocumentItem, year: int) -> dict[str, Any]:
    """The document's 件号 and 档号, taken once (gap-free per year and 保管期限, idempotent)."""
    if doc.archive_code:
        return stamp(doc, year)
    period = retention_for(doc.doc_type)
    counter_key = (f"COUNTER#JIAN#{year}#{PERIODS[period]}", "COUNTER")
    for attempt in range(8):
        current = counter_value(counter_key)
        item_no = current + 1
        code = archive_code(year, period, doc.drafter_department, item_no)
        try:
            with TransactWrite(connection=connection()) as tx:
                move_counter(tx, counter_key, current, item_no)
                tx.update(
                    doc,
                    actions=[
                        DocumentItem.archive_code.set(code),
                        DocumentItem.item_no.set(item_no),
                        DocumentItem.retention.set(period),
                    ],
                    condition=DocumentItem.archive_code.does_not_exist(),
                )
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            doc.refresh(consistent_read=True)
            if doc.archive_code:
                return stamp(doc, year)
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
            continue
        doc.refresh(consistent_read=True)
        return stamp(doc, year)
    raise TransientError("件号分配时并发冲突过多，稍后自动重试 (too many concurrent filings)")


def stamp(doc: DocumentItem, year: int) -> dict[str, Any]:
    """归档章: the fields stamped on the 件 (and written to filing.json in the package)."""
    return {
        "全宗号": settings().fonds_code,
        "年度": year,
        "保管期限": doc.retention,
        "件号": f"{int(doc.item_no or 0):04d}",
        "机构": doc.drafter_department.upper(),
        "档号": doc.archive_code,
        "门类代码": CATEGORY,
    }


def retain_until(period: str) -> datetime:
    """Object Lock retention of a package (UTC): its 保管期限 from today."""
    days = 365 * PERIOD_YEARS[period] + PERIOD_YEARS[period] // 4
    return (clock.now() + timedelta(days=days)).astimezone(UTC).replace(microsecond=0)


def pdf_usability(pdf: bytes, number: str) -> tuple[str, str]:
    """Does the PDF open, and does its text extract with the 发文字号 on page 1? ("", detail) if so."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        pages = len(reader.pages)
        text = "".join(reader.pages[0].extract_text().split())
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        return f"无法打开：{type(exc).__name__}", ""
    if number and number not in text:
        return "文本无法提取或缺少发文字号", ""
    return "", f"；PDF 可打开，{pages} 页，文本可提取（含发文字号）"


def ofd_usability(data: bytes, number: str) -> tuple[str, str]:
    """Does the OFD open, and does page 1's text carry the 发文字号? ("", detail) if so."""
    from oa_core.publishing import ofd

    try:
        pages = ofd.page_texts(ofd.unpack(data))
    except ValueError as exc:
        return f"无法打开：{type(exc).__name__}", ""
    if not pages or (number and number not in "".join(pages[0].split())):
        return "文本无法提取或缺少发文字号", ""
    return "", f"；OFD 可打开，{len(pages)} 页，文本可提取（含发文字号）"


def _ofd_seal(package: zipfile.ZipFile) -> tuple[str | None, str]:
    """(problem, detail) of document.ofd's seal, checked offline; (None, "") when the package has no OFD."""
    if "document.ofd" not in package.namelist():
        return None, ""
    from oa_core.publishing import ofdseal

    problem, _ = ofdseal.verify_ofd_offline(package.read("document.ofd"))
    return problem, f"；OFD 签章：{problem}" if problem else "；OFD 签章有效"


def _accepted_attachment(name: str, rows: list[dict[str, Any]]) -> bool:
    """An 附件 the manifest lists, of a kind attachments may be (its type is checked by its bytes for usability)."""
    return any(row.get("path") == name for row in rows) and name.startswith(enclosures.FOLDER)


def four_checks(
    data: bytes, *, seal_valid: bool, item_no: int, number: str = "", also_allowed: tuple[str, ...] = ()
) -> dict[str, Any]:
    """四性检测 of a package as written: authenticity, integrity, usability, security. ``also_allowed`` names files
    of other kinds the package may hold (a 收文's registered scan, received.png)."""
    report: dict[str, Any] = {"checked_at": clock.now_iso(), "package_sha256": hashlib.sha256(data).hexdigest()}
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {**report, "passed": False, "usability": {"passed": False, "detail": "无法打开档案包"}}
    with package:
        names = package.namelist()
        integrity_problems = verify_package_files(package)
        manifest = json.loads(package.read("manifest.json")) if "manifest.json" in names else {}
        attached = enclosures.rows_of(manifest)
        attached_paths = {str(row.get("path")) for row in attached}
        _missing, attachment_problems = enclosures.check(package, attached)
        pdf_seal_problem = None
        if "document.pdf" in names:
            from oa_core.publishing import seal

            pdf_seal_problem, _ = seal.verify_pdf_offline(package.read("document.pdf"))
        ofd_seal_problem, ofd_seal_detail = _ofd_seal(package)
        report["authenticity"] = {
            "passed": seal_valid and "seal.json" in names and pdf_seal_problem is None and ofd_seal_problem is None,
            "detail": ("电子签章经 KMS 验证有效" if seal_valid else "电子签章无效或缺失")
            + (
                f"；PDF 签章：{pdf_seal_problem}"
                if pdf_seal_problem
                else "；PDF 签章有效"
                if "document.pdf" in names
                else ""
            )
            + ofd_seal_detail,
        }
        report["integrity"] = {
            "passed": not integrity_problems and item_no >= 1,
            "detail": "；".join(integrity_problems)
            or f"全部 {len(names)} 个文件与清单摘要一致"
            + (f"（含附件 {len(attached)} 个，摘要与上传时一致）" if attached else "")
            + f"；件号 {item_no:04d} 由无空号计数器分配",
        }
        unreadable = []
        unreadable.extend(attachment_problems)
        for name in names:
            if name.endswith((".pdf", ".ofd")) or name in attached_paths:
                continue
            if name in also_allowed:  # a file of another kind (a registered scan): usable when its bytes are that kind
                kind = filetypes.sniff(package.read(name))
                if kind is None or not filetypes.matches_name(kind, name):
                    unreadable.append(name)
                continue
            try:
                text = package.read(name).decode("utf-8")
                if name.endswith(".json"):
                    json.loads(text)
            except (UnicodeDecodeError, ValueError):
                unreadable.append(name)
        final = package.read("final.txt").decode("utf-8", errors="replace") if "final.txt" in names else ""
        pdf_detail = ""
        if "document.pdf" in names:
            pdf_problem, pdf_detail = pdf_usability(package.read("document.pdf"), number)
            if pdf_problem:
                unreadable.append(f"document.pdf（{pdf_problem}）")
        if "document.ofd" in names:
            ofd_problem, ofd_detail = ofd_usability(package.read("document.ofd"), number)
            pdf_detail += ofd_detail
            if ofd_problem:
                unreadable.append(f"document.ofd（{ofd_problem}）")
        report["usability"] = {
            "passed": not unreadable and bool(final.strip()),
            "detail": f"无法读取：{'、'.join(unreadable)}"
            if unreadable
            else f"正文可提取（{len(final)} 字符）{pdf_detail}",
        }
        bad_names = [
            n
            for n in names
            if n.startswith("/")
            or ".." in n
            or not (n.endswith(ALLOWED_SUFFIXES) or n in also_allowed or _accepted_attachment(n, attached))
        ]
        report["security"] = {
            "passed": not bad_names and len(data) <= MAX_PACKAGE_BYTES + enclosures.total_size(manifest),
            "detail": f"不允许的文件：{'、'.join(bad_names)}" if bad_names else "无可执行或路径异常文件，大小在限额内",
        }
    report["passed"] = all(report[k]["passed"] for k in ("authenticity", "integrity", "usability", "security"))
    return report
