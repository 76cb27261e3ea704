"""档案检索: the search page over archived documents (by 发文字号, title words, 文种, year and department),
and the downloads of an archived document's 档案包 and 四性检测 report, with records.retrieval's access
rules (the same as the API's)."""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory, sessions
from oa_core.outgoing.doctypes import DOC_TYPES
from oa_core.platform import clock
from oa_core.platform.errors import DomainError
from oa_core.web.pages import Reply, page


def search(user: dict[str, Any], session: sessions.Session, query: dict[str, str]) -> Reply:
    """档案检索: by 发文字号, title words, 文种, year and department (the form's query parameters)."""
    from oa_core.records import retrieval

    year_text = query.get("year", "").strip()
    criteria = {k: query.get(k, "").strip() for k in ("q", "number", "doc_type", "department")}
    error, results = "", None
    try:
        year = int(year_text) if year_text else None
    except ValueError:
        year, error = None, "年度应为四位数字，如 2026"
    if not error:
        try:
            results = retrieval.search(
                user,
                q=criteria["q"],
                number=criteria["number"],
                doc_type=criteria["doc_type"],
                year=year,
                department=criteria["department"],
                next_cursor=query.get("next") or None,
            )
        except DomainError as exc:
            error = exc.message
    return page(
        "archive.html",
        user,
        session,
        status=422 if error else 200,
        criteria={**criteria, "year": year_text or str(clock.now().year)},
        results=results,
        error=error,
        doc_types=DOC_TYPES,
        departments=directory.list_departments(),
        dept_names={d["department_id"]: d["name"] for d in directory.list_departments()},
        archive_reader=directory.reads_every_department(user),
    )


DOWNLOADS = {"package": ("application/zip", "档案包", ".zip"), "report": ("application/json", "四性检测报告", ".json")}
"""What the archive page offers for an archived document: its 档案包 (ZIP) and its 四性检测 report."""


def download(user: dict[str, Any], session: sessions.Session, document_id: str, what: str) -> Reply:
    """档案包 or 四性检测 report, as the API gives them (records.retrieval.readable_package decides who may:
    those who read every department, or the drafting department), named by the 档号; every one audited."""
    import base64

    from oa_core.platform import audit
    from oa_core.platform.http import SECURITY_HEADERS, content_disposition
    from oa_core.records import archive, package, retrieval
    from oa_core.web.pages import denied, message

    if what not in DOWNLOADS:
        return message(user, session, 404, "找不到页面", "没有这项下载，请从档案检索页重新进入。")
    try:
        doc = retrieval.readable_package(document_id, user)
    except DomainError as exc:
        return denied(user, session, exc)
    content_type, label, suffix = DOWNLOADS[what]
    if what == "package":
        data = archive.read_package(str(doc.archive_key))
        audit.record(
            user["user_id"], "download", document_id, "ok", str(doc.archive_code or ""), document_id=document_id
        )
    else:
        data = package.as_json(archive.read_report(str(doc.archive_key)))
        audit.record(user["user_id"], "view_report", document_id, "ok", document_id=document_id)
    filename = f"{doc.archive_code or doc.number or '档案'}-{label}{suffix}"
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        content_type,
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename)},
        base64_encoded=True,
    )
