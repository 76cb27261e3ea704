"""归档索引 in the records table: where each archived document's package is."""

from __future__ import annotations

from pynamodb.attributes import (
    UnicodeAttribute,
)

from oa_core.platform.storage import RecordItem


class ArchiveIndexItem(RecordItem, discriminator="archive"):
    """归档索引: where a document's archive package is, for retrieval."""

    document_id = UnicodeAttribute()
    number = UnicodeAttribute()
    title = UnicodeAttribute()
    doc_type = UnicodeAttribute()
    department = UnicodeAttribute()
    archived_at = UnicodeAttribute()
    archive_key = UnicodeAttribute()
    sha256 = UnicodeAttribute()
    archive_code = UnicodeAttribute(null=True)
    retention = UnicodeAttribute(null=True)
    report_key = UnicodeAttribute(null=True)
    """The 四性检测 report beside the package."""
    checks_passed = UnicodeAttribute(null=True)
