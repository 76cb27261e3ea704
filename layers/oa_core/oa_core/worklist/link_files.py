"""查看来文 from a 收文's one-click link (批办, 传阅, 延期审批): the received file and the 办理结果附件.

The link page (web.incoming_approval) names each file by a short path part (``no``): ``0`` the received file
(来文, in the archive bucket as it arrived), ``<i>-<n>`` the n-th 附件 of the i-th 承办 department's 办理结果 in the
round in force. Opening one gives a presigned GET that never outlives the link (at most
outgoing.uploads.OPEN_SECONDS), only while the link is unused and unexpired and its task pending
(web.approvals checks those first), and is audited (``download_incoming:link``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oa_core.incoming.models import HandlingView
from oa_core.incoming.storage import IncomingItem, ResultFileItem, load_incoming, result_file_key
from oa_core.outgoing import uploads
from oa_core.platform import audit, clock, filetypes
from oa_core.platform.config import settings
from oa_core.platform.errors import Forbidden, NotFound
from oa_core.platform.http import content_disposition
from oa_core.workflow.storage import LinkItem
from oa_core.workflow.tasks import task_id_for
from oa_core.worklist.results import as_entry

RECEIVED = "0"
_RESULT = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")
NO_FILE = "没有这个文件。"


@dataclass(frozen=True)
class LinkFile:
    """One file the link page offers: its path part, its label and its name."""

    no: str
    label: str
    filename: str


def offered(item: IncomingItem, handling: HandlingView) -> list[LinkFile]:
    """The received file, then each reported 办理结果's 附件 (主办 first)."""
    shown = [LinkFile(RECEIVED, "来文", item.file_name or f"{item.number or '来文'}.pdf")] if item.file_key else []
    for index, handler in enumerate(handling.handlers):
        if handler.status == "done":
            shown += [
                LinkFile(f"{index}-{f.no}", f"{handler.role}{handler.department_name}办理结果附件", f.filename)
                for f in handler.files
            ]
    return shown


def _seconds_left(link: LinkItem) -> int:
    seconds = min(uploads.OPEN_SECONDS, int((clock.parse(link.expires_at) - clock.now()).total_seconds()))
    if seconds <= 0:
        raise Forbidden("该链接已过期，文件不能再打开。")
    return seconds


def _received_url(item: IncomingItem, seconds: int) -> str:
    name = item.file_name or f"{item.number or '来文'}.pdf"
    kind = filetypes.kind_for_name(name)
    params = {
        "Bucket": settings().archive_bucket,
        "Key": item.file_key,
        "ResponseContentDisposition": content_disposition(name, inline=bool(kind and kind.inline)),
        "ResponseContentType": filetypes.content_type_for(name),
    }
    url: str = uploads.signer().generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
    return url


def open_for_link(link: LinkItem, no: str) -> str:
    """A presigned GET of one file the link's page offers, for the link's decider, no longer-lived than the link."""
    item = load_incoming(link.document_id)
    seconds = _seconds_left(link)
    if no == RECEIVED and item.file_key:
        audit.record(
            link.decider, "download_incoming:link", link.document_id, "ok", "来文", document_id=link.document_id
        )
        return _received_url(item, seconds)
    matched = _RESULT.fullmatch(no)
    if not matched:
        raise NotFound(NO_FILE)
    index, number = int(matched.group(1)), int(matched.group(2))
    task_id = task_id_for(item.incoming_id, "handle", int(item.round or 1), index)
    try:
        found = ResultFileItem.get(*result_file_key(item.incoming_id, task_id, number), consistent_read=True)
    except ResultFileItem.DoesNotExist:
        raise NotFound(NO_FILE) from None
    audit.record(
        link.decider,
        "download_incoming:link",
        item.incoming_id,
        "ok",
        f"办理结果附件：{found.filename}",
        document_id=item.incoming_id,
    )
    return uploads.open_url(as_entry(found), seconds)
