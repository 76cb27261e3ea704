"""打印份数, the Typeset function's side: CopiesFlow's task renders a print run and marks it done, or failed.

Each copy is the document typeset again with its 份号 (6 digits, 顶格 on the first line of the 版心), the faces
parsed once a process (publishing.faces); pypdf appends the copies into one file, storing the fonts they share
once, and the file is sealed once (its seal block names the range), kept under ``copies/`` in the archive bucket.
The run becomes ``done`` by a condition on ``printing``, in one transaction with its audit record: a render that
comes late (the run already failed) changes nothing, and a repeated one finds the run done and stops.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.outgoing import printing
from oa_core.outgoing.copies import (
    DONE,
    PRINTING,
    CopyRunItem,
    copy_number,
    finish_failed,
    get_run,
    range_text,
    run_key,
)
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.storage import connection, lost_on_condition

if TYPE_CHECKING:
    from oa_core.publishing.document import OfficialDocument


class CopiesEvent(BaseModel):
    """What CopiesFlow passes to the Typeset function: render a run, or record that its render failed."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)
    action: Literal["copies", "copies_failed"]
    document_id: str = Field(min_length=1, max_length=64)
    run: str = Field(pattern=r"^\d{6}$")
    error: dict[str, Any] | None = None


def copies_pdf(
    base: OfficialDocument,
    font_dir: str | os.PathLike[str],
    appended: Sequence[tuple[str, bytes]],
    first: int,
    last: int,
) -> bytes:
    """One unsealed PDF of the copies `first`..`last` in order, each typeset with its 份号, the fonts and pages they
    share stored once."""
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


def render(document_id: str, run: str) -> dict[str, Any]:
    """CopiesFlow's task: the run's PDF stored under copies/, then the run done (only from 印制中)."""
    item = get_run(document_id, run)
    if item.status != PRINTING:
        return {"status": item.status}
    first, last = int(item.first), int(item.last)
    pdf = render_run(load_document(document_id), first, last)
    key, sha = run_key(document_id, first), hashlib.sha256(pdf).hexdigest()
    printing._s3().put_object(
        Bucket=settings().archive_bucket,
        Key=key,
        Body=pdf,
        ContentType="application/pdf",
        Metadata={"document-id": document_id, "sha256": sha},
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                CopyRunItem(item.PK, item.SK),
                actions=[
                    CopyRunItem.status.set(DONE),
                    CopyRunItem.pdf_key.set(key),
                    CopyRunItem.pdf_sha256.set(sha),
                    CopyRunItem.finished_at.set(clock.now_iso()),
                ],
                condition=CopyRunItem.status == PRINTING,
            )
            detail = f"{range_text(item)} sha256={sha}"
            tx.save(audit.audit_item("system", "copies_printed", document_id, "ok", detail, document_id=document_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        return {"status": get_run(document_id, run).status}
    return {"status": DONE, "pdf_key": key, "sha256": sha, "bytes": len(pdf)}


def handle(event: CopiesEvent) -> dict[str, Any]:
    if event.action == "copies_failed":
        error = (event.error or {}).get("Error") or "States.TaskFailed"
        return {"failed": finish_failed(event.document_id, event.run, str(error))}
    return render(event.document_id, event.run)
