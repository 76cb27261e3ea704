"""公文 drawn with fpdf2: a `Layout` in, the PDF's bytes out.

Owns every fpdf2 call: the A4 document in mm, the three faces embedded as subsets, text placed character run
by character run at the layout's baselines (fpdf2's own paragraph layout is never used, so the grid stays
exact), the rules, the red (RGB 230, 0, 18: 发文机关标志, separator, seal) and the seal itself: 42 mm, ring,
star 14 mm, the issuing organisation's name along the upper arc and its code under the star, drawn over 署名 and
成文日期 at 85 % opacity, multiplied, so the text under it stays legible. The output is deterministic: the same
document gives byte-identical PDFs (creation date = 成文日期, no random ids, fixed subset tags).

fpdf2 encodes these CID-keyed CFF fonts with an embedded encoding CMap, which pypdf (used by 四性检测 to read
archived PDFs back) cannot decode beyond 255 glyphs; this module makes the character codes equal to the CIDs
and declares the standard Identity-H encoding instead, which every reader understands.

fpdf2 (and with it fontTools and Pillow) is imported only when a PDF is drawn: this module is loaded in Lambda
cold starts.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from oa_core.publishing import faces
from oa_core.publishing.document import OfficialDocument
from oa_core.publishing.fonts import EM_ASCENT, SANS, SERIF_BOLD, Advance
from oa_core.publishing.grid import (
    MM_PER_PT,
    SEAL_DIAMETER,
    Char,
    Layout,
    SealItem,
    TextItem,
)

if TYPE_CHECKING:
    from fpdf import FPDF

# §7.3.5.1 印章 (geometry not fixed by the standard): colour, ring, star, opacity, arc text and code.
RED = (230, 0, 18)
SEAL_RING = 1.2
STAR_DIAMETER = 14.0
SEAL_OPACITY = 0.85
SEAL_TEXT_SPAN = 240.0  # degrees of the upper arc the seal text may cover
SEAL_TEXT_MAX_STEP = 40.0  # degrees between two characters at most
SEAL_TEXT_MAX_SIZE = 7.0  # mm
SEAL_CODE_SIZE = 6.0  # pt
SEAL_CODE_DROP = 15.0  # mm from the centre to the code's baseline: under the star, below the date line

CREATOR = "oa-system"
PRODUCER = "oa-system GB/T 9704 typesetter"
CHINA_TIME = datetime.timezone(datetime.timedelta(hours=8))


def new_pdf(fonts: Mapping[str, Path]) -> FPDF:
    """An empty A4 document in mm with the faces added (glyph codes = CIDs, for the Identity-H encoding).

    The faces are parsed once a process and their subsets cached (`faces`): fpdf2 then subsets a font that
    holds just the document's glyphs already."""
    from fpdf import FPDF

    subset_map, _producer = _fpdf_extensions()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    for face, path in fonts.items():
        font = faces.clone_into(pdf, face, path)
        if getattr(font, "is_cff", False) and getattr(font, "is_cid_keyed", False):
            font.subset = subset_map(font)
    return pdf


def font_advance(pdf: FPDF) -> Advance:
    """The advance widths, in em, of the faces added to `pdf`: what the layout measures text with (0 for a
    character the face has no glyph for)."""

    def advance(face: str, ch: str) -> float:
        font = pdf.fonts[face]
        if ord(ch) not in font.cmap:  # type: ignore[union-attr]
            return 0.0
        return float(font.cw[ord(ch)]) / 1000  # type: ignore[index]

    return advance


def draw(pdf: FPDF, doc: OfficialDocument, placed: Layout) -> bytes:
    """The laid-out document drawn page by page, with the document's metadata; the PDF's bytes."""
    _subset_map, producer = _fpdf_extensions()
    advance = font_advance(pdf)
    pdf.set_title(doc.title)
    pdf.set_author(doc.issuer_name)
    pdf.set_subject(doc.number)
    pdf.set_creator(CREATOR)
    pdf.set_producer(PRODUCER)
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.datetime.combine(doc.sign_date, datetime.time(), tzinfo=CHINA_TIME))
    for page in range(placed.page_count):
        pdf.add_page()
        draw_page(pdf, placed, page, advance)
    return bytes(pdf.output(output_producer_class=producer))


def output(pdf: FPDF) -> bytes:
    """The PDF's bytes, its CID-keyed faces declared Identity-H (as `draw` writes a 公文)."""
    _subset_map, producer = _fpdf_extensions()
    return bytes(pdf.output(output_producer_class=producer))


def draw_page(pdf: FPDF, placed: Layout, page: int, advance: Advance) -> None:
    """One page of a layout: its text, rules and seals (a 公文's, or a form's such as the 收文处理笺)."""
    for text in placed.texts:
        if text.page == page:
            _draw_text(pdf, text)
    for rule in placed.rules:
        if rule.page == page:
            pdf.set_draw_color(*(RED if rule.red else (0, 0, 0)))
            pdf.set_line_width(rule.thickness)
            pdf.line(rule.x, rule.y, *rule.end)
    for seal in placed.seals:
        if seal.page == page:
            _draw_seal(pdf, seal, advance)


def _draw_text(pdf: FPDF, item: TextItem) -> None:
    pdf.set_text_color(*(RED if item.red else (0, 0, 0)))
    pdf.set_char_spacing(item.tracking)
    x = item.x
    for face, run in _runs(item.chars):
        pdf.set_font(face, size=item.size)
        pdf.text(x, item.y, "".join(ch.text for ch in run))
        x += sum(ch.width for ch in run)


def _runs(chars: Sequence[Char]) -> Iterator[tuple[str, list[Char]]]:
    run: list[Char] = []
    for ch in chars:
        if run and ch.face != run[0].face:
            yield run[0].face, run
            run = []
        run.append(ch)
    if run:
        yield run[0].face, run


def _draw_seal(pdf: FPDF, seal: SealItem, advance: Advance) -> None:
    with pdf.local_context(fill_opacity=SEAL_OPACITY, stroke_opacity=SEAL_OPACITY, blend_mode="Multiply"):
        pdf.set_draw_color(*RED)
        pdf.set_fill_color(*RED)
        pdf.set_text_color(*RED)
        pdf.set_char_spacing(0)
        pdf.set_line_width(SEAL_RING)
        pdf.circle(seal.cx, seal.cy, SEAL_DIAMETER / 2 - SEAL_RING / 2, style="D")
        pdf.polygon(star_points(seal.cx, seal.cy, STAR_DIAMETER / 2), style="F")
        size, positions = seal_text_positions(seal.text, seal.cx, seal.cy)
        pdf.set_font(SERIF_BOLD, size=size / MM_PER_PT)
        for ch, x, y, angle in positions:
            width = advance(SERIF_BOLD, ch) * size
            with pdf.rotation(-angle, x, y):
                pdf.text(x - width / 2, y + (EM_ASCENT - 0.5) * size, ch)
        if seal.code:
            pdf.set_font(SANS, size=SEAL_CODE_SIZE)
            width = sum(advance(SANS, ch) for ch in seal.code) * SEAL_CODE_SIZE * MM_PER_PT
            pdf.text(seal.cx - width / 2, seal.cy + SEAL_CODE_DROP, seal.code)


def seal_text_positions(text: str, cx: float, cy: float) -> tuple[float, list[tuple[str, float, float, float]]]:
    """The seal text along the upper arc: glyph size (mm) and (character, x, y, clockwise angle) of each centre."""
    count = len(text)
    if count == 0:
        return 0.0, []
    step = min(SEAL_TEXT_MAX_STEP, SEAL_TEXT_SPAN / (count - 1)) if count > 1 else 0.0
    inner = SEAL_DIAMETER / 2 - SEAL_RING - 0.8
    size = SEAL_TEXT_MAX_SIZE
    for _ in range(2):
        radius = inner - size / 2
        if count > 1:
            size = min(SEAL_TEXT_MAX_SIZE, 0.85 * radius * math.radians(step))
    radius = inner - size / 2
    positions = []
    for index, ch in enumerate(text):
        angle = (index - (count - 1) / 2) * step
        theta = math.radians(angle)
        positions.append((ch, cx + radius * math.sin(theta), cy - radius * math.cos(theta), angle))
    return size, positions


def star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """A five-pointed star, one point up (page coordinates, y down)."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


@cache
def _fpdf_extensions() -> tuple[Callable[[Any], Any], Any]:
    """fpdf2 subclasses (defined on first use, as fpdf2 is imported lazily).

    CidSubsetMap gives every glyph of a CID-keyed CFF font the code equal to its CID, and IdentityOutputProducer
    then declares /Identity-H instead of writing fpdf2's embedded encoding CMap: the same glyphs, but readable by
    text extractors (pypdf reads an embedded encoding CMap as single bytes and garbles codes above 255).
    """
    from fontTools import subset as ftsubset
    from fpdf import output
    from fpdf.fonts import SubsetMap, TTFFont
    from fpdf.output import OutputProducer, PDFFont
    from fpdf.syntax import Name

    def cid(glyph: Any) -> int:
        name = str(glyph.glyph_name or "")
        return int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else int(glyph.glyph_id)

    class CidSubsetMap(SubsetMap):
        def __init__(self, font: Any) -> None:
            super().__init__(font)
            self._char_id_per_glyph = {glyph: cid(glyph) for glyph in self._char_id_per_glyph if glyph is not None}

        def pick_glyph(self, glyph: Any) -> int | None:
            if glyph is None:
                return None
            code = self._char_id_per_glyph.get(glyph)
            if code is None:
                code = self._char_id_per_glyph[glyph] = cid(glyph)
            return code

    class PresubsetSubsetter(ftsubset.Subsetter):
        """fpdf2's subsetter, which leaves a font that is a cached subset already (`faces.PRESUBSET`) as it is."""

        def subset(self, font: Any) -> None:
            if not getattr(font, faces.PRESUBSET, False):
                super().subset(font)

    output.ftsubset = SimpleNamespace(Options=ftsubset.Options, Subsetter=PresubsetSubsetter)

    class IdentityOutputProducer(OutputProducer):
        def _add_pdf_obj(self, pdf_obj: Any, trace_label: str | None = None) -> int:
            if str(getattr(pdf_obj, "type", "")).lstrip("/") == "CMap":
                return 0  # the encoding CMap: replaced by /Identity-H below
            return super()._add_pdf_obj(pdf_obj, trace_label)

        def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
            for added in self.fpdf.fonts.values():  # fpdf2 subsets `ttfont` in place: give it the cached subset
                if isinstance(added, TTFFont):
                    names = frozenset(glyph.glyph_name for glyph, _code in added.subset.items() if glyph is not None)
                    added.ttfont = faces.open_font(faces.subset(added.ttffile, names), presubset=True)
            fonts = super()._add_fonts(*args, **kwargs)
            for font in fonts.values():
                if isinstance(font, PDFFont) and font.encoding is not None and not isinstance(font.encoding, str):
                    font.encoding = Name("Identity-H")
            return fonts

    return CidSubsetMap, IdentityOutputProducer
