"""公文排版: an official document typeset as PDF after GB/T 9704-2012 《党政机关公文格式》.

The typesetter's public entry: ``render_pdf(doc, font_dir)`` lays an `OfficialDocument` out on the standard's
grid itself (A4, 版心 156 mm × 225 mm, 22 lines of 28 characters in 3号) and draws it with fpdf2, which is
imported only when a PDF is rendered (this module is loaded in Lambda cold starts). Every character is placed by
the typesetter, not by fpdf2's paragraph layout, so the grid is exact. The same document gives byte-identical
PDFs.

The typesetter's modules, lowest first:

* `document`: the `OfficialDocument` value (公文要素) and how a date is written;
* `fonts`: the Noto CJK faces (仿宋, 小标宋/楷体 and 黑体 stand-ins), their files and vertical metrics;
* `grid`: the page geometry and the placed items a `Layout` is made of;
* `linebreaking`: 避头尾, unsplittable runs and balanced 标题 lines;
* `pagination`: the page plan (署名 block and seal, 版记 on an even page, page numbers);
* `layout`: 版头 and the flow on the grid, pure geometry (`layout(doc, advance)`);
* `drawing`: the fpdf2 calls (fonts, red, rules, seal, text, the Identity-H encoding);
* `words`: the 标题's words (jieba, its dictionary read from the fonts layer a word at a time);
* `faces`: the faces parsed once a process, their subsets cached (both drawers embed the same ones), read from
  the states `faceprep` prepares at the fonts layer's build;
* `ofd`: the same layout drawn as OFD (GB/T 33190-2016); `ofdseal` signs and checks it;
* `appending`: the PDF 附件 merged into the frames the layout left for them (pypdf), and rendered as images
  for the OFD (pypdfium2).

Where the standard leaves a choice, the module that decides says so.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass

from oa_core.publishing import appending, drawing, ofd, words
from oa_core.publishing.document import Appendix, OfficialDocument
from oa_core.publishing.fonts import FONT_FILES, LAMBDA_FONT_DIR, font_paths
from oa_core.publishing.grid import Layout
from oa_core.publishing.layout import layout

__all__ = [
    "FONT_FILES",
    "LAMBDA_FONT_DIR",
    "Layout",
    "OfficialDocument",
    "Rendered",
    "font_paths",
    "layout",
    "render",
    "render_pdf",
]


def render_pdf(
    doc: OfficialDocument, font_dir: str | os.PathLike[str], appended: Sequence[tuple[str, bytes]] = ()
) -> bytes:
    """The document as a GB/T 9704-2012 PDF; the same input gives the same bytes.

    `appended`: the PDF 附件 in order, each (its label 「附件N」, the file), appended after the 正文 (§8);
    `appending.AppendixUnreadable` when one cannot be."""
    return render(doc, font_dir, appended, with_ofd=False).pdf


@dataclass(frozen=True)
class Rendered:
    """One layout drawn twice: the PDF's bytes and the OFD's files (unsigned: `ofdseal.seal_ofd` packs them)."""

    pdf: bytes
    ofd: dict[str, bytes]


def render(
    doc: OfficialDocument,
    font_dir: str | os.PathLike[str],
    appended: Sequence[tuple[str, bytes]] = (),
    with_ofd: bool = True,
) -> Rendered:
    """The document laid out once and drawn as PDF (`drawing`) and as OFD (`ofd`), from the same fonts."""
    sources = [appending.open_appendix(label, data) for label, data in appended]
    if sources:
        pages = tuple(
            Appendix(label, len(source.pages)) for (label, _data), source in zip(appended, sources, strict=True)
        )
        doc = dataclasses.replace(doc, appendices=pages)
    fonts = font_paths(font_dir)
    words.use(font_dir)  # jieba's dictionary for the 标题 breaks, prepared beside the faces
    pdf = drawing.new_pdf(fonts)
    advance = drawing.font_advance(pdf)
    placed = layout(doc, advance)
    typeset = drawing.draw(pdf, doc, placed)
    if placed.frames:
        typeset = appending.insert(typeset, placed.frames, sources, [label for label, _data in appended])
    if not with_ofd:
        return Rendered(typeset, {})
    images = appending.page_images(appended, placed.frames) if placed.frames else []
    return Rendered(typeset, ofd.draw(doc, placed, fonts, advance, images))
