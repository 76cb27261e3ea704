"""档案包 (一文一档): the archive package's format, written and checked.

The package is a ZIP holding document.json (metadata), final.txt (the signed text), every
version, every opinion, the task record (without tokens), the audit trail, the 归档章
(filing.json), the issued PDF, every 附件 as uploaded (records.enclosures: ``attachments/NN.ext``, named,
typed and digested in the manifest's ``attachments``), and manifest.json listing each file's SHA-256;
when the document is sealed, canonical.json, seal.json (with the public key) and manifest.sig (the manifest's signature)
let anyone check it offline (``verify_package``, ``make verify``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from oa_core.outgoing.storage import DeliveryItem, DocumentItem, VersionItem
from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.storage import RecordItem, strs
from oa_core.records import enclosures
from oa_core.workflow.storage import HistoryItem, TaskItem

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def as_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=_plain).encode("utf-8")


def _plain(value: Any) -> Any:
    """Attribute values JSON does not know: a map attribute (an 附件 entry of a version) as its dict."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def final_text(doc: DocumentItem) -> str:
    """The signed text in the order of the elements of a document (公文要素)."""
    lines = [
        settings().org_name + "文件",
        doc.number or "",
        "",
        doc.title,
        "",
        # 公告, 通告, 命令 and 纪要 may have no 主送机关: then no line with a lone colon.
        *(["、".join(strs(doc.main_recipients)) + "："] if doc.main_recipients else []),
        doc.body,
        "",
        settings().org_name,
        clock.chinese_date(clock.parse(doc.sign_date)) if doc.sign_date else "",
    ]
    if doc.cc:
        lines += ["", "抄送：" + "、".join(strs(doc.cc)) + "。"]
    return "\n".join(lines) + "\n"


def build_package(
    doc: DocumentItem,
    items: list[RecordItem],
    filing: dict[str, Any] | None = None,
    pdf: bytes | None = None,
    trail: list[dict[str, Any]] | None = None,
    attachment_bytes: Callable[[Any], bytes] | None = None,
    ofd: bytes | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """``trail``: the document's audit records (platform.audit_trail.of_subject), oldest first;
    ``attachment_bytes``: reads an 附件 entry's file, checked against its SHA-256 (outgoing.uploads.stored_bytes);
    ``ofd``: the issued OFD (document.ofd, with its own signature), listed in the manifest as every file is."""
    files: dict[str, bytes] = {
        "document.json": as_json(
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
    opinions, tasks, deliveries = [], [], []
    for item in items:
        if isinstance(item, VersionItem):
            files[f"versions/v{int(item.version):04d}.json"] = as_json(
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
        elif isinstance(item, DeliveryItem):
            deliveries.append(
                {
                    "recipient": item.recipient,
                    "channel": item.channel,
                    "status": item.status,
                    "at": item.at,
                }
            )
    files["opinions.json"] = as_json(opinions)
    files["tasks.json"] = as_json(tasks)
    files["audit.json"] = as_json(
        [
            {k: row[k] for k in ("actor", "action", "target", "outcome", "at", "detail", "source_ip", "hash")}
            for row in trail or []
        ]
    )
    files["deliveries.json"] = as_json(deliveries)
    if filing is not None:
        files["filing.json"] = as_json(filing)  # 归档章
    if pdf is not None:
        files["document.pdf"] = pdf  # the issued GB/T 9704 PDF, with its own seal block
    if ofd is not None:
        files["document.ofd"] = ofd  # the same document as OFD (GB/T 33190), signed over every file it holds
    attached: list[dict[str, Any]] = []
    if doc.attachments:
        if attachment_bytes is None:
            raise ValueError("the document has attachments: attachment_bytes is needed to package them")
        attached = enclosures.listed(list(doc.attachments), files, attachment_bytes)
    if doc.seal_signature:
        from oa_core.outgoing import sealing
        from oa_core.publishing import seal

        files["canonical.json"] = sealing.canonical(doc)
        files["seal.json"] = as_json(
            {
                "digest": doc.seal_digest,
                "signature": doc.seal_signature,
                "algorithm": doc.seal_algorithm or seal.algorithm(),
                "key": doc.seal_key,
                "public_key": seal.public_key_pem(),
                "signed_by": doc.signed_by,
                "signer_name": str((seal.split_sealed_pdf(pdf)[1] or {}).get("signer_name", "")) if pdf else "",
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
    if attached:
        manifest["attachments"] = attached
    files["manifest.json"] = as_json(manifest)
    if doc.seal_signature:
        from oa_core.publishing import seal

        # The manifest is signed too: a package is intact only if every file matches the manifest
        # and the manifest matches its signature.
        files["manifest.sig"] = as_json(
            {"algorithm": seal.algorithm(), "signature": seal.sign_digest(seal.digest(files["manifest.json"]))}
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
        problems += enclosures.check(package, enclosures.rows_of(json.loads(package.read("manifest.json"))))[1]
        if "seal.json" in package.namelist():
            problems += _seal_problems(package, package.read("manifest.json"))
        if "document.pdf" in package.namelist():
            from oa_core.publishing import seal

            why, _ = seal.verify_pdf_offline(package.read("document.pdf"))
            if why:
                problems.append(f"document.pdf: {why}")
        if SHEET_PATH in package.namelist() and not _opens_as_pdf(package.read(SHEET_PATH)):
            problems.append(f"{SHEET_PATH}: not a readable PDF")
        if "document.ofd" in package.namelist():
            from oa_core.publishing import ofdseal

            why, _ = ofdseal.verify_ofd_offline(package.read("document.ofd"))
            if why:
                problems.append(f"document.ofd: {why}")
    return problems


SHEET_PATH = "handling-sheet.pdf"
"""A 收文's 收文处理笺 (records.incoming_archive): its digest is checked with every file, and that it opens."""


def _opens_as_pdf(data: bytes) -> bool:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(data)).pages) >= 1
    except (PyPdfError, ValueError, KeyError, OSError):
        return False


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
    integrity, _usability = enclosures.check(package, enclosures.rows_of(manifest))
    return problems + integrity


def _seal_problems(package: zipfile.ZipFile, manifest_bytes: bytes) -> list[str]:
    from oa_core.publishing import seal

    sealed = json.loads(package.read("seal.json"))
    problems = []
    why = seal.verify_offline(package.read("canonical.json"), sealed)
    if why:
        problems.append(f"seal: {why}")
    if "manifest.sig" not in package.namelist():
        return [*problems, "manifest.sig missing"]
    signed = json.loads(package.read("manifest.sig"))
    why = seal.verify_offline(
        manifest_bytes,
        {
            "public_key": sealed.get("public_key"),
            "digest": seal.digest(manifest_bytes).hex(),
            "signature": signed.get("signature"),
            "algorithm": signed.get("algorithm"),
        },
    )
    if why:
        problems.append(f"manifest signature: {why}")
    return problems
