"""归档 (一文一档): the archive step writes one package per document to the archive bucket.

The package (records.package) gets its 件号 and 档号 first (records.filing), is stored under
Object Lock until its 保管期限 ends, with the 四性检测 report beside it, and indexed for retrieval.
Its SHA-256 is stored on the document and in the archive index, and sent to S3 as the object's
checksum so S3 verifies it on receipt.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import notify
from oa_core.outgoing.storage import DocumentItem, document_status_actions, finished_entries, load_document
from oa_core.platform import audit, audit_trail, clock, metrics
from oa_core.platform.config import client, settings
from oa_core.platform.storage import RecordItem, connection, doc_pk
from oa_core.records import package
from oa_core.records.storage import ArchiveIndexItem
from oa_core.workflow.storage import HistoryItem
from oa_core.workflow.tasks import history_item


@cache
def _s3() -> Any:
    return client("s3")


def archive(document_id: str) -> dict[str, Any]:
    """归档: write the package, index it, mark the document archived, tell the drafter."""
    doc = load_document(document_id)
    if doc.status == "archived" and doc.archive_key:
        return {"archive_key": doc.archive_key, "sha256": doc.archive_sha256}
    from oa_core.outgoing import sealing
    from oa_core.records import filing

    year = clock.parse(doc.sign_date).year if doc.sign_date else clock.now().year
    stamp = filing.assign(doc, year)  # 件号 and 档号 first: a retry reuses them, no gaps
    items = list(RecordItem.query(doc_pk(document_id), consistent_read=True))
    from oa_core.outgoing import printing

    pdf = printing.stored_pdf(doc) if doc.pdf_key else None
    from oa_core.outgoing.uploads import stored_bytes

    ofd = printing.stored_ofd(doc) if doc.ofd_key else None
    trail = audit_trail.of_subject(document_id)
    data, _ = package.build_package(doc, items, stamp, pdf, trail, stored_bytes, ofd=ofd)
    digest = hashlib.sha256(data)
    key = f"archive/{year}/{document_id}.zip"
    retain_until = filing.retain_until(str(doc.retention))
    _s3().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=data,
        ContentType="application/zip",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=base64.b64encode(digest.digest()).decode(),
        Metadata={"document-id": document_id, "sha256": digest.hexdigest()},
        ObjectLockMode=settings().archive_lock_mode,
        ObjectLockRetainUntilDate=retain_until,
    )
    report = filing.four_checks(
        data, seal_valid=bool(sealing.verify(doc)["valid"]), item_no=int(doc.item_no or 0), number=doc.number or ""
    )
    report_key = f"archive/{year}/{document_id}.report.json"
    _s3().put_object(
        Bucket=settings().archive_bucket,
        Key=report_key,
        Body=package.as_json({**report, "档号": doc.archive_code, "document_id": document_id}),
        ContentType="application/json",
        ObjectLockMode=settings().archive_lock_mode,
        ObjectLockRetainUntilDate=retain_until,
    )
    now = clock.now_iso()
    # One transaction: a reader never sees `archived` without its index entry and history.
    # Keyed by the signing date and id, so a retried step rewrites the same index entry.
    index_key = f"{doc.sign_date or now}#{document_id}"
    with TransactWrite(connection=connection()) as tx:
        tx.save(
            ArchiveIndexItem(
                f"ARCHIVE#{year}",
                index_key,
                document_id=document_id,
                number=doc.number or "",
                title=doc.title,
                doc_type=doc.doc_type,
                department=doc.drafter_department,
                archived_at=now,
                archive_key=key,
                sha256=digest.hexdigest(),
                archive_code=doc.archive_code,
                retention=doc.retention,
                report_key=report_key,
                checks_passed="yes" if report["passed"] else "no",
                GSI1PK=f"ARCHIVE#{doc.doc_type}",
                GSI1SK=index_key,
            )
        )
        tx.update(
            doc,
            actions=[
                *document_status_actions("archived", "archive", now),
                DocumentItem.archive_key.set(key),
                DocumentItem.archive_sha256.set(digest.hexdigest()),
                DocumentItem.archived_at.set(now),
            ],
        )
        tx.save(history_item(document_id, "archive", "system", "archived", f"档号 {doc.archive_code}"))
        deciders = [item.actor for item in items if isinstance(item, HistoryItem)]
        for entry in finished_entries(doc, "archived", now, deciders):
            tx.save(entry)
        tx.save(
            audit.audit_item(
                "system", "archive", document_id, "ok", f"{key} sha256={digest.hexdigest()}", document_id=document_id
            )
        )
    metrics.count("DocumentsArchived", doc_type=doc.doc_type)
    drafter = directory.get_user(doc.drafter)
    if drafter:
        notify.flow_outcome(doc, drafter, "archived")
    return {"archive_key": key, "sha256": digest.hexdigest(), "archive_code": doc.archive_code}


def read_package(key: str) -> bytes:
    return bytes(_s3().get_object(Bucket=settings().archive_bucket, Key=key)["Body"].read())


def read_report(key: str) -> dict[str, Any]:
    report = json.loads(read_package(key.replace(".zip", ".report.json")))
    return report if isinstance(report, dict) else {}
