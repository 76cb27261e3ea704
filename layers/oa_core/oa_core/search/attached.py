"""附件文字 kept in step with a document's attachments: after an attach, a replacement or a removal, the text
of each PDF and Word attachment is in the index for its document, and a removed one's words are gone.

`sync` compares the attachments as they are now (the ATTACHMENTS item) with the texts kept
(`AttachmentTextItem`, one per file, keyed by its SHA-256): a new file's text is extracted
(extraction.attachment_text) and kept, a file no longer attached loses its text, and the document is
reindexed once. Idempotent: a repeated or a late call converges on the list as it is. Called by the
handlers that change attachments, after the change has committed, through `sync_quietly`: a file whose text
cannot be read (a scanned PDF, a damaged one), or an index that cannot be written just now, is logged and
skipped; it never fails the attach, which has already happened (the next change, and every step that indexes
the document, include whatever texts are kept).
"""

from __future__ import annotations

import logging

from oa_core.search import extraction, indexing
from oa_core.search.storage import AttachmentTextItem, manifest_pk

log = logging.getLogger(__name__)
TEXT_KINDS = frozenset({"pdf", "docx"})
"""Kinds whose text is indexed (extraction reads PDF and .docx; the others have no text we read)."""


def sync(document_id: str) -> int:
    """Kept texts made to match the attachments; the document reindexed. The postings written."""
    from oa_core.outgoing.attaching import load
    from oa_core.outgoing.uploads import stored_bytes

    held = load(document_id)
    wanted = {str(e.sha256): e for e in (held.entries if held else []) if e.kind in TEXT_KINDS}
    kept = {item.SK.removeprefix("ATT#"): item for item in indexing.attachment_texts(document_id)}
    for sha, item in kept.items():
        if sha not in wanted:
            item.delete()
    for sha, entry in wanted.items():
        if sha in kept:
            continue
        try:
            text = extraction.attachment_text(str(entry.filename), stored_bytes(entry))
        except Exception:  # an unreadable file: no text, the attachment stays attached
            log.warning("attachment text not extracted", extra={"document_id": document_id}, exc_info=True)
            text = ""
        AttachmentTextItem(
            manifest_pk(document_id), f"ATT#{sha}", name=str(entry.filename), text=text[: indexing.MAX_ATTACHMENT_CHARS]
        ).save()
    return indexing.index_document(document_id)


def sync_quietly(document_id: str) -> None:
    """`sync`, with any failure logged and skipped (the change of the attachments has committed already)."""
    try:
        sync(document_id)
    except Exception:
        log.warning("attachment texts not indexed", extra={"document_id": document_id}, exc_info=True)
