"""附件 pages: the PDFs of a document's attachments fitted into the frames the layout left for them (pypdf).

The typesetter draws every page itself, the 附件 pages too: their label 「附件N」 and their page number, with the
frame (`grid.FrameItem`) each page of an attachment goes into left empty. This module then opens the attachments
with pypdf and merges each page into its frame: scaled to fit, whole, never enlarged, centred across the 版心 and
set at the frame's top. pypdf clips a merged page to its crop box, so nothing of an attachment reaches outside its
frame. A PDF pypdf cannot open or merge fails the whole rendering (`AppendixUnreadable`, naming the 附件), never a
PDF without it: the flow's Catch then marks the step failed and keeps everything.

pypdf (BSD, pure Python, the reference PDF library for Python and the 四性检测's reader) is imported when a
document with PDF attachments is rendered. It writes no random file identifier unless it encrypts, so the same
input still gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from oa_core.publishing.grid import MM_PER_PT, FrameItem

if TYPE_CHECKING:
    from pypdf import PdfReader


class AppendixUnreadable(ValueError):
    """An attachment's PDF that cannot be appended; the message names it, in Chinese."""


def open_appendix(label: str, data: bytes) -> PdfReader:
    """The attachment's PDF, read and checked to have pages; AppendixUnreadable when pypdf cannot."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AppendixUnreadable(f"{label}是加密的 PDF，无法并入正式文件")
        count = len(reader.pages)
    except AppendixUnreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file; each means the same here
        raise AppendixUnreadable(f"{label}的 PDF 无法读取，不能并入正式文件（{type(exc).__name__}）") from exc
    if count < 1:
        raise AppendixUnreadable(f"{label}的 PDF 没有页面，不能并入正式文件")
    return reader


def insert(frame_pdf: bytes, frames: Sequence[FrameItem], sources: Sequence[PdfReader], labels: Sequence[str]) -> bytes:
    """The typeset PDF with every frame filled by its attachment page; the PDF's bytes."""
    from pypdf import PdfReader, PdfWriter, Transformation

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(frame_pdf)))
    for frame in frames:
        target = writer.pages[frame.page]
        try:
            source = sources[frame.appendix].pages[frame.source_page]
            if source.rotation:
                source.transfer_rotation_to_content()
            box = source.cropbox
            left, bottom, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
            if width <= 0 or height <= 0:
                raise ValueError("empty page box")
            fx, fy = frame.x / MM_PER_PT, float(target.mediabox.height) - frame.y / MM_PER_PT
            fw, fh = frame.width / MM_PER_PT, frame.height / MM_PER_PT
            scale = min(1.0, fw / width, fh / height)
            move = Transformation().translate(-left, -bottom).scale(scale)
            move = move.translate(fx + (fw - width * scale) / 2, fy - height * scale)
            target.merge_transformed_page(source, move, over=False)
        except Exception as exc:  # a page pypdf cannot merge: the same as a PDF it cannot read
            label = labels[frame.appendix]
            message = f"{label}第{frame.source_page + 1}页无法并入正式文件（{type(exc).__name__}）"
            raise AppendixUnreadable(message) from exc
    for page in {frame.page for frame in frames}:
        writer.pages[page].compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
