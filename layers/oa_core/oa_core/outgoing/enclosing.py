"""附件 in 对外发送: what the webhook payload and the email carry of a document's attachments, within a size budget.

Webhook: every attachment is listed in the payload's ``attachments`` (its place in the 附件说明, title, name,
type, size, SHA-256), in order. While the raw bytes of the PDF and the attachments inlined so far stay within
``INLINE_BUDGET_BYTES`` (4 MiB: once base64-encoded in JSON, about 5.4 MB, under the 6 MB a Lambda behind API
Gateway takes as a request, such as our own ``/exchange/inbound``), an attachment goes inline as ``base64``;
one that does not fit goes as ``url``, a presigned GET of exactly that object version valid for
``LINK_SECONDS`` (``url_expires_at``), which the receiver fetches and checks against ``sha256``. The payload is
HMAC-signed, so the link and the digest are the sender's; every attempt builds its payload afresh, so a retry
carries fresh links. Email: attachments go as MIME attachments (names RFC 2231-encoded by the standard
library's email policy, Chinese kept) while the message stays within ``EMAIL_BUDGET_BYTES`` (10 MiB of files:
SES takes 10 MB messages at least, and base64 adds a third); the others are listed in the message with their
size and SHA-256 as not attached, for the receiver to ask for or take from the platform.

The issued OFD (the same document as the PDF, GB/T 33190) comes first after the PDF, in the same budgets: the
webhook's ``ofd`` field (inline ``base64`` with its ``sha256``, or described only when it does not fit), an
email attachment beside the PDF when it fits; attachments then share what is left.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from oa_core.outgoing.diffing import size_text
from oa_core.outgoing.storage import AttachmentEntry
from oa_core.platform import clock

INLINE_BUDGET_BYTES = 4 * 1024 * 1024
LINK_SECONDS = 3600
EMAIL_BUDGET_BYTES = 10 * 1024 * 1024

Reader = Callable[[AttachmentEntry], bytes]
Linker = Callable[[AttachmentEntry, int], str]


def _reader() -> Reader:
    from oa_core.outgoing.uploads import stored_bytes

    return stored_bytes


def _linker() -> Linker:
    from oa_core.outgoing.uploads import open_url

    return open_url


def _described(no: int, entry: AttachmentEntry) -> dict[str, Any]:
    return {
        "no": no,
        "title": entry.title,
        "filename": entry.filename,
        "content_type": entry.content_type,
        "kind": entry.kind,
        "size": int(entry.size),
        "sha256": entry.sha256,
    }


def for_webhook(
    entries: Sequence[AttachmentEntry],
    pdf_size: int,
    read: Reader | None = None,
    link: Linker | None = None,
) -> list[dict[str, Any]]:
    """The payload's ``attachments``: each inline (``base64``) while the budget lasts, else a link (``url``)."""
    read, link = read or _reader(), link or _linker()
    budget = INLINE_BUDGET_BYTES - pdf_size
    rows = []
    for no, entry in enumerate(entries, start=1):
        row = _described(no, entry)
        if int(entry.size) <= budget:
            data = read(entry)
            budget -= len(data)
            row["base64"] = base64.b64encode(data).decode("ascii")
        else:
            row["url"] = link(entry, LINK_SECONDS)
            row["url_expires_at"] = clock.iso(clock.now() + timedelta(seconds=LINK_SECONDS))
        rows.append(row)
    return rows


def ofd_for_webhook(ofd: bytes, filename: str, pdf_size: int) -> dict[str, Any]:
    """The payload's ``ofd`` (the issued OFD, GB/T 33190): inline as ``base64`` when it fits the budget after the
    PDF, else described only (``inline`` false: the receiver asks for it or takes it from the platform)."""
    row: dict[str, Any] = {
        "filename": filename,
        "content_type": "application/ofd",
        "size": len(ofd),
        "sha256": hashlib.sha256(ofd).hexdigest(),
        "inline": pdf_size + len(ofd) <= INLINE_BUDGET_BYTES,
    }
    if row["inline"]:
        row["base64"] = base64.b64encode(ofd).decode("ascii")
    return row


def for_email(
    entries: Sequence[AttachmentEntry], pdf_size: int, read: Reader | None = None
) -> tuple[list[tuple[str, str, bytes]], list[dict[str, Any]]]:
    """(MIME attachments, the list the message shows): each attached while the budget lasts, else listed only."""
    read = read or _reader()
    budget = EMAIL_BUDGET_BYTES - pdf_size
    files: list[tuple[str, str, bytes]] = []
    listed = []
    for no, entry in enumerate(entries, start=1):
        attached = int(entry.size) <= budget
        if attached:
            data = read(entry)
            budget -= len(data)
            files.append((entry.filename, entry.content_type, data))
        listed.append({**_described(no, entry), "size_text": size_text(int(entry.size)), "attached": attached})
    return files, listed
