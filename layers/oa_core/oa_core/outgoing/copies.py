"""打印份数: the 文书's print run of an issued document, each copy with its own 份号 (GB/T 9704 §7.2.1).

After 印制 the office's 文书 records how many copies are printed (1 to 500). A counter item per document
(``COUNTER#COPIES#<id>``) hands out 份号 ranges by a conditional update in the transaction that records the run,
so two runs at once never share a number; the sealed original stays unnumbered. The run is one PDF of its N
copies, each typeset with its 6-digit 份号 顶格 on the first line of the 版心, sealed once over the whole file
(the 文书 sends one print job), kept in the archive bucket under ``copies/`` and downloaded as
``GET /api/documents/{id}/copies/{run}`` (run = the first 份号 of the range).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import printing
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound, TransientError
from oa_core.platform.storage import CounterItem, RecordItem, lost_on_condition

if TYPE_CHECKING:
    from oa_core.publishing.document import OfficialDocument

MAX_COPIES = 500
COPY_DIGITS = 6


class CopyRunItem(RecordItem, discriminator="copy_run"):
    """One print run: 份号 ``first``..``last`` of a document, who printed it and when, and its PDF."""

    document_id = UnicodeAttribute()
    first = NumberAttribute()
    last = NumberAttribute()
    printed_by = UnicodeAttribute()
    printed_at = UnicodeAttribute()
    pdf_key = UnicodeAttribute(null=True)
    pdf_sha256 = UnicodeAttribute(null=True)


def copy_number(value: int) -> str:
    """份号 as printed: 6 Arabic digits, zero-padded (§7.2.1)."""
    return f"{value:0{COPY_DIGITS}d}"


def _runs_pk(document_id: str) -> str:
    return f"COPIES#{document_id}"


def _counter_key(document_id: str) -> tuple[str, str]:
    return (f"COUNTER#COPIES#{document_id}", "COUNTER")


def run_key(document_id: str, first: int) -> str:
    return f"copies/{document_id}/{copy_number(first)}.pdf"


def _connection() -> Connection:
    from oa_core.platform.storage import connection

    return connection()


def _allocate(document_id: str, count: int, user_id: str) -> CopyRunItem:
    """The next `count` 份号 of the document, recorded as one run in the transaction that moves the counter."""
    counter_key = _counter_key(document_id)
    for attempt in range(12):
        try:
            current = int(CounterItem.get(*counter_key, consistent_read=True).value)
        except CounterItem.DoesNotExist:
            current = 0
        run = CopyRunItem(
            _runs_pk(document_id),
            f"RUN#{copy_number(current + 1)}",
            document_id=document_id,
            first=current + 1,
            last=current + count,
            printed_by=user_id,
            printed_at=clock.now_iso(),
        )
        try:
            with TransactWrite(connection=_connection()) as tx:
                if current == 0:
                    tx.save(CounterItem(*counter_key, value=count), condition=CounterItem.PK.does_not_exist())
                else:
                    tx.update(
                        CounterItem(*counter_key),
                        actions=[CounterItem.value.set(current + count)],
                        condition=CounterItem.value == current,
                    )
                tx.save(run, condition=CopyRunItem.PK.does_not_exist())
        except TransactWriteError as exc:
            if not lost_on_condition(exc):
                raise
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # noqa: S311 - jitter, not crypto
            continue
        return run
    raise TransientError("份号分配时并发冲突过多，请稍后重试")


def copies_pdf(
    base: OfficialDocument,
    font_dir: str | os.PathLike[str],
    appended: Sequence[tuple[str, bytes]],
    first: int,
    last: int,
) -> bytes:
    """One unsealed PDF of the copies `first`..`last` in order, each typeset with its 份号 (the faces parsed once
    a process, publishing.faces), the fonts and pages they share stored once."""
    from pypdf import PdfReader, PdfWriter

    from oa_core.publishing.typesetting import render

    writer = PdfWriter()
    for number in range(first, last + 1):
        copy = dataclasses.replace(base, copy_no=copy_number(number))
        writer.append(PdfReader(io.BytesIO(render(copy, font_dir, appended, with_ofd=False).pdf)))
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_run(doc: DocumentItem, first: int, last: int) -> bytes:
    """The run's PDF, sealed once over the whole file (the seal block names the 份号 range)."""
    from oa_core.publishing import seal

    pdf = copies_pdf(printing.official_document(doc), settings().font_dir, printing.appended_files(doc), first, last)
    info = {
        "document_id": doc.document_id,
        "number": doc.number or "",
        "copies": f"{copy_number(first)}-{copy_number(last)}",
        "signed_by": doc.signed_by or "",
        "signer_name": printing.signer_name(doc),
        "sign_date": doc.sign_date or "",
        "sealed_at": clock.now_iso(),
    }
    return seal.seal_pdf(pdf, info)


def _clerk_document(document_id: str, user: dict[str, Any]) -> DocumentItem:
    from oa_core.outgoing import documents

    doc = documents.readable(document_id, user)
    if not directory.is_office_clerk(user):
        raise Forbidden("只有办公室文书可以打印份数")
    return doc


def print_copies(document_id: str, count: int, user: dict[str, Any]) -> dict[str, Any]:
    """打印份数: the next `count` 份号 for the office's 文书, once the document is 印制; the run's PDF stored."""
    if not 1 <= count <= MAX_COPIES:
        raise InvalidInput(f"份数应为 1 至 {MAX_COPIES} 之间的整数")
    doc = _clerk_document(document_id, user)
    if not doc.pdf_key:
        raise Conflict("该文件尚未印制，不能打印份数（印制之后再打印）")
    run = _allocate(document_id, count, user["user_id"])
    first, last = int(run.first), int(run.last)
    pdf = render_run(doc, first, last)
    key = run_key(document_id, first)
    sha = hashlib.sha256(pdf).hexdigest()
    printing._s3().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        Metadata={"document-id": document_id, "sha256": sha},
    )
    run.update(actions=[CopyRunItem.pdf_key.set(key), CopyRunItem.pdf_sha256.set(sha)])
    detail = f"{count}份，份号{copy_number(first)}至{copy_number(last)}"
    audit.record(user["user_id"], "print_copies", document_id, "ok", detail, document_id=document_id)
    return describe(run)


def describe(run: CopyRunItem) -> dict[str, Any]:
    first, last = int(run.first), int(run.last)
    return {
        "document_id": run.document_id,
        "run": copy_number(first),
        "first": copy_number(first),
        "last": copy_number(last),
        "count": last - first + 1,
        "printed_by": run.printed_by,
        "printed_at": run.printed_at,
        "download": f"/api/documents/{run.document_id}/copies/{copy_number(first)}",
    }


def runs(document_id: str) -> list[dict[str, Any]]:
    """The document's print runs, first 份号 first."""
    return [describe(item) for item in CopyRunItem.query(_runs_pk(document_id), CopyRunItem.SK.startswith("RUN#"))]


def download(document_id: str, run: str, user: dict[str, Any]) -> tuple[bytes, str]:
    """The PDF of one print run, for the office's 文书; audited."""
    doc = _clerk_document(document_id, user)
    try:
        item = CopyRunItem.get(_runs_pk(document_id), f"RUN#{run}")
    except CopyRunItem.DoesNotExist:
        raise NotFound("没有这次打印") from None
    if not item.pdf_key:
        raise Conflict("这次打印的文件尚未生成")
    body = printing._s3().get_object(Bucket=settings().archive_bucket, Key=item.pdf_key)["Body"].read()
    detail = f"份号{copy_number(int(item.first))}至{copy_number(int(item.last))}"
    audit.record(user["user_id"], "download_copies", document_id, "ok", detail, document_id=document_id)
    return bytes(body), f"{doc.number or doc.document_id}-{run}.pdf"
