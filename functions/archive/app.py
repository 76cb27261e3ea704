"""归档: write the document's package (一文一档) to the archive bucket and index it (归档索引, and the
full-text index of 检索 with its 档号, in 档案 from now on); a 收文 the same way (records.incoming_archive)."""

from typing import Any

from oa_core.outgoing.events import StepEvent
from oa_core.platform.lambda_support import step_handler
from oa_core.records import archive
from oa_core.search import indexing

INCOMING_PREFIX = "I"
"""IncomingFlow's Archive step names a 收文 (ids start with I): records.incoming_archive files it."""


@step_handler(StepEvent)
def handler(event: StepEvent) -> dict[str, Any]:
    if event.document_id.startswith(INCOMING_PREFIX):
        from oa_core.records import incoming_archive
        from oa_core.search import incoming as incoming_index

        filed = incoming_archive.archive_incoming(event.document_id)
        incoming_index.index_incoming(event.document_id)
        return filed
    archived = archive.archive(event.document_id)
    indexing.index_document(event.document_id)
    return archived
