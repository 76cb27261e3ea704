"""归档 (一文一档): one package per document in the archive bucket, with a SHA-256 manifest.

The package is a ZIP holding document.json (metadata), final.txt (the signed text), every
version, every opinion, the task record (without tokens), the audit trail and manifest.json
listing each file's SHA-256. The whole package's SHA-256 is stored on the document and in the
archive index, and sent to S3 as the object's checksum so S3 verifies it on receipt.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from functools import cache
from typing import Any

from pynamodb.transactions import TransactWrite

from oa_core import audit, clock, directory, metrics, notify
from oa_core.config import client, settings
from oa_core.storage import (
    ArchiveIndexItem,
    AuditItem,
    DeliveryItem,
    DocumentItem,
    HistoryItem,
    RecordItem,
    TaskItem,
    VersionItem,
    connection,
    doc_pk,
    document_status_actions,
    strs,
)
from oa_core.tasks import history_item, load_document

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@cache
def _s3() -> Any:
    return client("s3")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def final_text(doc: DocumentItem) -> str:
    """The signed text in the order of the elements of a document (公文要素)."""
    lines = [
        settings().org_name + "文件",
        doc.number or "",
        "",
        doc.title,
        "",
        "、".join(strs(doc.main_recipients)) + "：",
        doc.body,
        "",
        settings().org_name,
        clock.chinese_date(clock.parse(doc.sign_date)) if doc.sign_date else "",
    ]
    if doc.cc:
        lines += ["", "抄送：" + "、".join(strs(doc.cc)) + "。"]
    return "\n".join(lines) + "\n"


def build_package(
    doc: DocumentItem, items: list[RecordItem], filing: dict[str, Any] | None = None, pdf: bytes | None = None
) -> tuple[bytes, dict[str, Any]]:
    files: dict[str, bytes] = {
        "document.json": _json(
            {
                "document_id": doc.document_id,
                "number": doc.number,
                "doc_type": doc.doc_type,
                "title": doc.title,
                "classification": doc.classification,
                "urgency": doc.urgency,
                "main_recipients": strs(doc.main_recipients),
                "cc": strs(doc.cc),
                "drafter": doc.drafter,
                "drafter_department": doc.drafter_department,
                "reviewer": doc.reviewer,
                "countersigners": strs(doc.countersigners),
                "countersign_mode": doc.countersign_mode,
                "signer": doc.signer,
                "signed_by": doc.signed_by,
                "sign_date": doc.sign_date,
                "distribute_to": strs(doc.distribute_to),
                "created_at": doc.created_at,
                "issuer": settings().org_name,
                "word_count": int(doc.word_count),
            }
        ),
        "final.txt": final_text(doc).encode("utf-8"),
    }
    opinions, tasks, audit_trail, deliveries = [], [], [], []
    for item in items:
        if isinstance(item, VersionItem):
            files[f"versions/v{int(item.version):04d}.json"] = _json(
                {k: v for k, v in item.attribute_values.items() if k not in ("PK", "SK", "kind")}
            )
        elif isinstance(item, HistoryItem):
            opinions.append(
                {
                    "step": item.step,
                    "actor": item.actor,
                    "decision": item.decision,
                    "opinion": item.opinion,
                    "at": item.at,
                }
            )
        elif isinstance(item, TaskItem):
            tasks.append(
                {
                    "task_id": item.task_id,
                    "step": item.step,
                    "assignee": item.assignee,
                    "round": int(item.round),
                    "status": item.status,
                    "decision": item.decision,
                    "opinion": item.opinion,
                    "created_at": item.created_at,
                    "due_at": item.due_at,
                    "decided_at": item.decided_at,
                    "decided_via": item.decided_via,
                }
            )
        elif isinstance(item, AuditItem):
            audit_trail.append(
                {
                    "actor": item.actor,
                    "action": item.action,
                    "target": item.target,
                    "outcome": item.outcome,
                    "at": item.at,
                    "detail": item.detail,
                }
            )
        elif isinstance(item, DeliveryItem):
            deliveries.append(
                {
                    "recipient": item.recipient,
                    "channel": item.channel,
                    "status": item.status,
                    "at": item.at,
                }
            )
    files["opinions.json"] = _json(opinions)
    files["tasks.json"] = _json(tasks)
    files["audit.json"] = _json(audit_trail)
    files["deliveries.json"] = _json(deliveries)
    if filing is not None:
        files["filing.json"] = _json(filing)  # 归档章
    if pdf is not None:
        files["document.pdf"] = pdf  # the issued GB/T 9704 PDF, with its own seal block
    if doc.seal_signature:
        from oa_core import seal

        files["canonical.json"] = seal.canonical(doc)
        files["seal.json"] = _json(
            {
                "digest": doc.seal_digest,
                "signature": doc.seal_signature,
                "algorithm": seal.ALGORITHM,
                "key": doc.seal_key,
                "public_key": seal.public_key_pem(),
                "signed_by": doc.signed_by,
                "signed_at": doc.sign_date,
                "sealed_at": doc.sealed_at,
            }
        )
    manifest = {
        "document_id": doc.document_id,
        "number": doc.number,
        "created_at": clock.now_iso(),
        "algorithm": "SHA-256",
        "files": [
            {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for path, data in sorted(files.items())
        ],
    }
    files["manifest.json"] = _json(manifest)
    if doc.seal_signature:
        from oa_core import seal

        # The manifest is signed too: a package is intact only if every file matches the manifest
        # and the manifest matches its signature.
        files["manifest.sig"] = _json(
            {"algorithm": seal.ALGORITHM, "signature": seal.sign_digest(seal.digest(files["manifest.json"]))}
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for path, data in sorted(files.items()):
            package.writestr(zipfile.ZipInfo(path, FIXED_ZIP_TIME), data)
    return buffer.getvalue(), manifest


def verify_package(data: bytes) -> list[str]:
    """Problems found in a package: empty when every file matches the manifest, the manifest its
    signature, and the document its seal (offline, with the public key packaged in seal.json)."""
    problems = []
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return ["not a readable ZIP package"]
    with package:
        problems += verify_package_files(package)
        if "seal.json" in package.namelist():
            problems += _seal_problems(package, package.read("manifest.json"))
        if "document.pdf" in package.namelist():
            from oa_core import seal

            why, _ = seal.verify_pdf_offline(package.read("document.pdf"))
            if why:
                problems.append(f"document.pdf: {why}")
    return problems


def verify_package_files(package: zipfile.ZipFile) -> list[str]:
    """Every file against the manifest's SHA-256 (no signature check: that needs the public key)."""
    manifest = json.loads(package.read("manifest.json"))
    names = set(package.namelist()) - {"manifest.json", "manifest.sig"}
    listed = {entry["path"] for entry in manifest["files"]}
    problems = [f"missing: {path}" for path in sorted(listed - names)]
    problems += [f"unlisted: {path}" for path in sorted(names - listed)]
    for entry in manifest["files"]:
        if entry["path"] in names and hashlib.sha256(package.read(entry["path"])).hexdigest() != entry["sha256"]:
            problems.append(f"digest mismatch: {entry['path']}")
    return problems


def _seal_problems(package: zipfile.ZipFile, manifest_bytes: bytes) -> list[str]:
    from oa_core import seal

    sealed = json.loads(package.read("seal.json"))
    problems = []
    why = seal.verify_offline(package.read("canonical.json"), sealed)
    if why:
        problems.append(f"seal: {why}")
    if "manifest.sig" not in package.namelist():
        return [*problems, "manifest.sig missing"]
    signature = json.loads(package.read("manifest.sig"))["signature"]
    why = seal.verify_offline(
        manifest_bytes, {**sealed, "digest": seal.digest(manifest_bytes).hex(), "signature": signature}
    )
    if why:
        problems.append(f"manifest signature: {why}")
    return problems


def archive(document_id: str) -> dict[str, Any]:
    """归档: write the package, index it, mark the document archived, tell the drafter."""
    doc = load_document(document_id)
    if doc.status == "archived" and doc.archive_key:
        return {"archive_key": doc.archive_key, "sha256": doc.archive_sha256}
    from oa_core import filing, seal

    year = clock.parse(doc.sign_date).year if doc.sign_date else clock.now().year
    stamp = filing.assign(doc, year)  # 件号 and 档号 first: a retry reuses them, no gaps
    items = list(RecordItem.query(doc_pk(document_id), consistent_read=True))
    from oa_core import printing

    pdf = printing.stored_pdf(doc) if doc.pdf_key else None
    data, _ = build_package(doc, items, stamp, pdf)
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
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=retain_until,
    )
    report = filing.four_checks(
        data, seal_valid=bool(seal.verify(doc)["valid"]), item_no=int(doc.item_no or 0), number=doc.number or ""
    )
    report_key = f"archive/{year}/{document_id}.report.json"
    _s3().put_object(
        Bucket=settings().archive_bucket,
        Key=report_key,
        Body=_json({**report, "档号": doc.archive_code, "document_id": document_id}),
        ContentType="application/json",
        ObjectLockMode="GOVERNANCE",
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
        tx.save(history_item(document_id, "archive", "system", "archived", key))
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
