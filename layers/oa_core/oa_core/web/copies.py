"""打印份数 on the document page: the office's 文书 enters 份数 after 印制 and gets the next 份号 range; the run is
rendered in the background (CopiesFlow) and its list on the page refreshes itself (oa.js, ``data-refresh``) until
every run is 已生成 or 生成失败; a done run downloads as one PDF of numbered copies (oa_core.outgoing.copies keeps
the rules)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from oa_core.identity import directory, sessions
from oa_core.outgoing import copies
from oa_core.platform.errors import DomainError, InvalidInput
from oa_core.web.pages import Reply, denied, form_value, page, redirect


def runs_for(user: dict[str, Any], document_id: str, printed: bool) -> list[dict[str, Any]] | None:
    """The document's print runs for the office's 文书 once it is 印制 (None: the form is not offered)."""
    if not printed or not directory.is_office_clerk(user):
        return None
    return copies.runs(document_id)


def print_copies(
    user: dict[str, Any], session: sessions.Session, document_id: str, form: dict[str, list[str]]
) -> Reply:
    """The form's POST: 份数 checked, the run made, back to the document page naming the range."""
    text = form_value(form, "count", strip=True)
    try:
        if not text.isdigit():
            raise InvalidInput(f"份数应为 1 至 {copies.MAX_COPIES} 之间的整数")
        run = copies.print_copies(document_id, int(text), user)
    except DomainError as exc:
        return denied(user, session, exc)
    done = f"已分配份号 {run['first']} 至 {run['last']}（共 {run['count']} 份），正在印制，生成后即可下载打印"
    return redirect(f"/documents/{quote(document_id)}?done={quote(done)}")


def runs_fragment(user: dict[str, Any], session: sessions.Session, document_id: str) -> Reply:
    """The run list of the document page, polled while a run is 印制中."""
    from oa_core.outgoing import documents

    doc = documents.view(document_id, user)
    people = {u["user_id"]: u["name"] for u in directory.list_users()}
    return page("copy_runs.html", user, session, doc=doc, copy_runs=copies.list_runs(document_id, user), people=people)


def download(user: dict[str, Any], document_id: str, run: str) -> Reply:
    """One run's PDF, a download for the office's 文书."""
    from oa_core.platform.http import SECURITY_HEADERS, content_disposition

    data, filename = copies.download(document_id, run, user)
    return Reply(
        200,
        base64.b64encode(data).decode("ascii"),
        "application/pdf",
        {**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=False)},
        base64_encoded=True,
    )
