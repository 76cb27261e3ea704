"""打印份数 on the document page: the office's 文书 enters 份数 after 印制, gets the next 份号 range and downloads
the run as one PDF of numbered copies (oa_core.outgoing.copies does the work and keeps the rules)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from oa_core.identity import directory, sessions
from oa_core.outgoing import copies
from oa_core.platform.errors import DomainError, InvalidInput
from oa_core.web.pages import Reply, denied, form_value, redirect


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
    done = f"已分配份号 {run['first']} 至 {run['last']}（共 {run['count']} 份），请下载后打印"
    return redirect(f"/documents/{quote(document_id)}?done={quote(done)}")


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
