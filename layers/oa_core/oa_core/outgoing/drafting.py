"""拟稿助手: 文种 templates, checks a drafter sees while writing, and drafts saved for later.

The checks follow 《党政机关公文处理工作条例》 and GB/T 9704-2012: required elements (a 主送机关 except for
公告, 通告, 命令 and 纪要), a 请示 with one 主送机关 and no 下级机关 among its 抄送, a 报告 without a request, a
title that ends with its 文种, and the text checks of outgoing.draftchecks (发文字号, dates, 附件名称,
template placeholders). Errors block submission; warnings are advice.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from oa_core.outgoing import direction, draftchecks
from oa_core.outgoing.doctypes import DOC_TYPES, OPTIONAL_MAIN_RECIPIENTS, word_count
from oa_core.outgoing.draftchecks import Check
from oa_core.outgoing.storage import DraftItem
from oa_core.platform import clock
from oa_core.platform.errors import NotFound
from oa_core.platform.storage import RecordItem


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    doc_type: str
    title: str
    body: str


TEMPLATES: tuple[Template, ...] = (
    Template("通知", "通知", "通知", "关于……的通知", "……（通知事项）。\n\n特此通知。"),
    Template("请示", "请示（请求批准）", "请示", "关于……的请示", "……（请示缘由与事项）。\n\n妥否，请批示。"),
    Template("报告", "报告", "报告", "关于……的报告", "……（报告内容）。\n\n特此报告。"),
    Template("函-告知", "函（告知：特此函告）", "函", "关于……的函", "……（告知事项）。\n\n特此函告。"),
    Template("函-商洽", "函（商洽、询问：请函复）", "函", "关于……的函", "……（商洽或询问事项）。\n\n请函复。"),
    Template("批复", "批复", "批复", "关于……的批复", "你单位《关于……的请示》收悉。经研究，现批复如下：\n……\n\n此复。"),
    Template("通报", "通报", "通报", "关于……的通报", "……（通报事项）。\n\n特此通报。"),
    Template("通告", "通告", "通告", "关于……的通告", "……（通告事项）。\n\n特此通告。"),
    Template("意见", "意见", "意见", "关于……的意见", "为……，现提出如下意见。\n一、……\n二、……"),
    Template("纪要", "纪要", "纪要", "……会议纪要", "……年……月……日，……主持召开……会议。会议议定事项如下：\n一、……"),
)
TEMPLATE_BY_KEY = {t.key: t for t in TEMPLATES}

_REQUEST_ENDINGS = ("妥否，请批示。", "请批示。", "请审批。", "请予审批。", "请批复。", "当否，请批示。")


def _lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return direction.unit_names(str(value or ""))


def check(fields: dict[str, Any], relations: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What a drafter should fix or consider, and the word count (字数).

    ``relations`` are the organisation file's 行文关系 by unit name (identity.directory.unit_relations):
    without them, only the names tell a 下级机关 (outgoing.direction)."""
    title = str(fields.get("title") or "").strip()
    body = str(fields.get("body") or "")
    doc_type = str(fields.get("doc_type") or "")
    note = str(fields.get("attachment_note") or "")
    main = _lines(fields.get("main_recipients"))
    cc = _lines(fields.get("cc"))
    checks: list[Check] = []

    def error(field: str, message: str) -> None:
        checks.append(Check("error", field, message))

    def warning(field: str, message: str) -> None:
        checks.append(Check("warning", field, message))

    if doc_type not in DOC_TYPES:
        error("doc_type", "请选择文种")
    if not title:
        error("title", "请填写标题")
    if not body.strip():
        error("body", "请填写正文")
    if not main and doc_type not in OPTIONAL_MAIN_RECIPIENTS:
        error("main_recipients", "请填写主送机关（公告、通告、命令、纪要可不写主送机关）")
    if doc_type == "请示" and len(main) > 1:
        error("main_recipients", "请示应当一文一事，只能有一个主送机关（其他机关可列入抄送）")
    if not fields.get("reviewer"):
        error("reviewer", "请选择核稿人")
    if not fields.get("signer"):
        error("signer", "请选择签发人")
    if str(fields.get("classification") or "").strip() not in ("", "非密"):
        error("classification", "涉密公文不得在本系统处理")
    if title and doc_type in DOC_TYPES and not title.endswith(doc_type):
        warning("title", f"标题一般以文种结尾，如“关于……的{doc_type}”")
    if doc_type == "请示" and body.strip() and not body.strip().endswith(_REQUEST_ENDINGS):
        warning("body", "请示的结尾一般为“妥否，请批示。”或“请批示。”")
    if doc_type == "报告":
        draftchecks.report_request_findings(body, checks.append)
    _recipient_checks(doc_type, main, cc, relations or {}, checks.append)
    for field, text in (("title", title), ("body", body), ("attachment_note", note)):
        draftchecks.placeholder_findings(field, text, checks.append)
        draftchecks.number_findings(field, text, checks.append)
        draftchecks.date_findings(field, text, checks.append)
    draftchecks.attachment_name_findings(note, checks.append)
    return {
        "word_count": word_count(title, body),
        "checks": [asdict(c) for c in checks],
        "ok": not any(c.level == "error" for c in checks),
    }


def _recipient_checks(
    doc_type: str, main: list[str], cc: list[str], relations: Mapping[str, str], report: draftchecks.Report
) -> None:
    """行文关系: a 请示 never 抄送 a 下级机关 (条例第十五条); 上行文 go to 上级机关, 下行文 文种 not to them."""
    if doc_type == "请示":
        known, guessed = direction.subordinates(cc, relations)
        for name in known:
            report(Check("error", "cc", f"请示不得抄送下级机关：“{name}”是本机关的下级机关，请从抄送中删去", name))
        for name in guessed:
            report(Check("warning", "cc", f"请示不得抄送下级机关：“{name}”像是下级机关，请核实后从抄送中删去", name))
    if doc_type in direction.UPWARD_TYPES:
        known, guessed = direction.subordinates(main, relations)
        for name in [*known, *guessed]:
            report(
                Check("warning", "main_recipients", f"{doc_type}是上行文，应主送上级机关，“{name}”像是下级机关", name)
            )
    if doc_type in direction.DOWNWARD_TYPES:
        for name in direction.superiors(main, relations):
            report(
                Check(
                    "warning",
                    "main_recipients",
                    f"“{name}”是上级机关：向上级机关行文一般用请示、报告或意见，不用{doc_type}",
                    name,
                )
            )


# ---------------------------------------------------------------- saved drafts (草稿)
def save_draft(owner: str, fields: dict[str, Any], draft_id: str = "") -> str:
    """Keep the form as it is, to finish later; returns the draft id."""
    draft_id = draft_id if re.fullmatch(r"[0-9a-f]{16}", draft_id or "") else secrets.token_hex(8)
    DraftItem(
        f"USER#{owner}",
        f"DRAFT#{draft_id}",
        draft_id=draft_id,
        owner=owner,
        title=str(fields.get("title") or "")[:200],
        doc_type=str(fields.get("doc_type") or ""),
        fields=json.dumps(fields, ensure_ascii=False),
        saved_at=clock.now_iso(),
    ).save()
    return draft_id


def my_drafts(owner: str) -> list[DraftItem]:
    items = RecordItem.query(f"USER#{owner}", RecordItem.SK.startswith("DRAFT#"))
    drafts = [item for item in items if isinstance(item, DraftItem)]
    return sorted(drafts, key=lambda d: d.saved_at, reverse=True)


def load_draft(owner: str, draft_id: str) -> dict[str, Any]:
    try:
        item = DraftItem.get(f"USER#{owner}", f"DRAFT#{draft_id}")
    except DraftItem.DoesNotExist:
        raise NotFound("草稿不存在或已提交 (no such draft)") from None
    fields = json.loads(item.fields)
    return fields if isinstance(fields, dict) else {}


def delete_draft(owner: str, draft_id: str) -> None:
    """The draft a submission was made from: gone once it became a document."""
    DraftItem(f"USER#{owner}", f"DRAFT#{draft_id}").delete()


def draft_title(owner: str, draft_id: str) -> str:
    """The title of one of my drafts, for the page that asks before deleting it (404 when it is gone)."""
    try:
        item = DraftItem.get(f"USER#{owner}", f"DRAFT#{draft_id}", consistent_read=True)
    except DraftItem.DoesNotExist:
        raise NotFound(GONE) from None
    return item.title or "（无标题）"


GONE = "这份草稿已提交或已删除。已提交的文件不能删除，可在工作台“我拟的文件”中查看。"


def discard_draft(owner: str, draft_id: str) -> None:
    """删除草稿: only the drafter's own (the key is their partition), only while it is still a draft
    (the item exists: a submitted draft is gone, and the document it became is never touched), audited
    in the same transaction."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from oa_core.platform import audit
    from oa_core.platform.storage import connection, lost_on_condition

    draft = DraftItem(f"USER#{owner}", f"DRAFT#{draft_id}")
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.delete(draft, condition=DraftItem.owner == owner)
            tx.save(audit.audit_item(owner, "delete_draft", draft_id, "ok"))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        audit.record(owner, "delete_draft", draft_id, "conflict", "no longer a draft")
        raise NotFound(GONE) from None
