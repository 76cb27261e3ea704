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

The OFD cannot merge a PDF page, so `page_images` renders each 附件 page to a PNG with PDFium (pypdfium2,
Apache-2.0/BSD, a pure wheel with the PDFium binary inside: no poppler, which Lambda lacks) at `IMAGE_DPI` of the
size it is shown at, and `fit` places it in its frame exactly where `insert` merges it in the PDF. PDFium renders
the page's crop box with its /Rotate applied, as `insert` does after `transfer_rotation_to_content`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oa_core.publishing.grid import MM_PER_PT, FrameItem

if TYPE_CHECKING:
    from pypdf import PdfReader


IMAGE_DPI = 200
"""Pixels per inch of a 附件 page as the OFD shows it (at its fitted size): the resolution DA/T 31 asks of a
scanned 纸质档案 for text, so small print stays legible; a page of text takes 50–150 kB as PNG."""


@dataclass(frozen=True)
class PageImage:
    """One 附件 page as an image for the OFD: its frame and the box it is drawn in (mm from the page's
    top-left corner), and the PNG."""

    frame: FrameItem
    x: float
    y: float
    width: float
    height: float
    png: bytes


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
            x, y, shown, h = fit(frame, width, height)
            scale = shown / (width * MM_PER_PT)
            move = Transformation().translate(-left, -bottom).scale(scale)
            move = move.translate(x / MM_PER_PT, float(target.mediabox.height) - (y + h) / MM_PER_PT)
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


def fit(frame: FrameItem, width: float, height: float) -> tuple[float, float, float, float]:
    """Where a page `width` × `height` pt goes in its frame: scaled to fit, whole, never enlarged, centred across
    and set at the frame's top; (x, y, width, height) in mm from the page's top-left corner."""
    scale = min(1.0, frame.width / (width * MM_PER_PT), frame.height / (height * MM_PER_PT))
    shown_width, shown_height = width * MM_PER_PT * scale, height * MM_PER_PT * scale
    return frame.x + (frame.width - shown_width) / 2, frame.y, shown_width, shown_height


def page_images(appended: Sequence[tuple[str, bytes]], frames: Sequence[FrameItem]) -> list[PageImage]:
    """Every frame's 附件 page rendered by PDFium as a PNG (RGB, white ground) at `IMAGE_DPI` of its fitted
    size; AppendixUnreadable, naming the 附件 and page, when PDFium cannot render one."""
    import pypdfium2

    documents: dict[int, pypdfium2.PdfDocument] = {}
    images = []
    try:
        for frame in frames:
            label, data = appended[frame.appendix]
            try:
                if frame.appendix not in documents:
                    documents[frame.appendix] = pypdfium2.PdfDocument(data)
                page = documents[frame.appendix][frame.source_page]
                width, height = page.get_size()
                box = fit(frame, width, height)
                scale = box[2] / (width * MM_PER_PT) * IMAGE_DPI / 72
                picture = page.render(scale=scale, may_draw_forms=True).to_pil()
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="PNG")
            except Exception as exc:  # PDFium's errors on a damaged page: the same as a page pypdf cannot merge
                message = f"{label}第{frame.source_page + 1}页无法转为 OFD 图像（{type(exc).__name__}）"
                raise AppendixUnreadable(message) from exc
            images.append(PageImage(frame, *box, out.getvalue()))
    finally:
        for document in documents.values():
            document.close()
    return images
