"""公文 drawn as OFD (GB/T 33190-2016 《电子文件存储与交换格式 版式文档》): the same `Layout` the PDF is drawn from.

A second drawer beside `drawing`, not a second layout: every placed item goes where the PDF puts it (OFD's page
space is in mm from the top-left corner, y down, as the layout's). The package is a ZIP of XML files:

* ``OFD.xml``: the entry (DocInfo: 标题, 发文机关, 发文字号, 成文日期), the document root and the signatures;
* ``Doc_0/Document.xml``: the A4 page area, the pages, the public resources and the annotations;
* ``Doc_0/PublicRes.xml`` + ``Doc_0/Res/font_N.otf``: each face embedded as the OpenType subset the PDF
  embeds too (`faces.subset`: the same glyphs, CIDs and widths);
* ``Doc_0/Pages/Page_N/Content.xml``: one body layer of TextObjects (one per run of one face: baseline, size in
  mm, the advance of each character as DeltaX, so the grid stays exact) and PathObjects (the red separator, the
  版记 rules);
* ``Doc_0/Annots/…``: the seal as a Stamp annotation on its page (ring, star, arc text and code as paths and
  text, 85 % opaque), referenced by the signature (`ofdseal`) through its StampAnnot.

The output is deterministic: the same document gives the same bytes (fixed ZIP timestamps, ids in order). The
ZIP writer is Python's own; the fonts come from `faces`, so drawing the OFD after the PDF subsets nothing again.

Appended PDF 附件 pages: the layout gives them their pages, the 「附件N」 label and the page number, drawn here as
text like every other line; the 附件 page itself cannot be merged as in the PDF, so it is an ImageObject (the page
rendered by `appending.page_images`) in the box `appending.fit` gives, the PNG in ``Doc_0/Res/image_N.png``,
listed in ``Doc_0/DocumentRes.xml`` as a MultiMedia. A document without 附件 has no DocumentRes.
"""

from __future__ import annotations

import hashlib
import math
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from oa_core.publishing import faces
from oa_core.publishing.appending import PageImage
from oa_core.publishing.document import OfficialDocument
from oa_core.publishing.drawing import (
    CREATOR,
    RED,
    SEAL_CODE_DROP,
    SEAL_CODE_SIZE,
    SEAL_OPACITY,
    SEAL_RING,
    STAR_DIAMETER,
    seal_text_positions,
    star_points,
)
from oa_core.publishing.fonts import EM_ASCENT, FONT_FILES, SANS, SERIF_BOLD, Advance
from oa_core.publishing.grid import (
    MM_PER_PT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SEAL_DIAMETER,
    Char,
    Layout,
    RuleItem,
    SealItem,
    TextItem,
)

NS = "http://www.ofdspec.org/2016"
DOC_ROOT = "Doc_0/Document.xml"
SIGNATURES = "Doc_0/Signs/Signatures.xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
"""Every entry's timestamp: fixed, so the same document gives the same bytes."""
BLACK = (0, 0, 0)
GLYPH_BOX = 1.5
"""A seal glyph's square Boundary, in glyph sizes: room for its em box turned any way (diagonal √2)."""


class Box(NamedTuple):
    """A Boundary (mm): x, y of the top-left corner in the parent's space, width, height."""

    x: float
    y: float
    w: float
    h: float


def _fmt(value: float) -> str:
    """A length in mm, as OFD's ST_Array numbers: three decimals at most, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _box(x: float, y: float, w: float, h: float) -> str:
    return " ".join(_fmt(v) for v in (x, y, w, h))


def _colour(rgb: tuple[int, int, int]) -> str:
    return " ".join(str(v) for v in rgb)


class _Ids:
    """OFD object ids: one counter for the whole document, in drawing order (ST_ID, unsigned, from 1)."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def _text_object(ids: _Ids, font_id: int, x: float, y: float, size: float, chars: Sequence[Char], **kw: str) -> str:
    """One run of characters in one face on baseline y: the boundary is the run's em boxes, positions inside it."""
    em = size * MM_PER_PT
    width = sum(ch.width for ch in chars) or em
    top = y - EM_ASCENT * em
    deltas = " ".join(_fmt(ch.width) for ch in chars[:-1])
    extra = "".join(f" {name}={quoteattr(value)}" for name, value in kw.items() if name != "fill")
    fill = kw.get("fill")
    colour = f'<ofd:FillColor Value="{fill}"/>' if fill else ""
    delta = f' DeltaX="{deltas}"' if deltas else ""
    text = escape("".join(ch.text for ch in chars))
    return (
        f'<ofd:TextObject ID="{ids.next()}" Boundary="{_box(x, top, width, em)}" Font="{font_id}"'
        f' Size="{_fmt(em)}"{extra}>{colour}'
        f'<ofd:TextCode X="0" Y="{_fmt(EM_ASCENT * em)}"{delta}>{text}</ofd:TextCode></ofd:TextObject>'
    )


def _runs(chars: Sequence[Char]) -> Iterator[tuple[str, list[Char]]]:
    run: list[Char] = []
    for ch in chars:
        if run and ch.face != run[0].face:
            yield run[0].face, run
            run = []
        run.append(ch)
    if run:
        yield run[0].face, run


def _texts(ids: _Ids, fonts: Mapping[str, int], item: TextItem) -> Iterator[str]:
    x = item.x
    fill = _colour(RED) if item.red else ""
    for face, run in _runs(item.chars):
        yield _text_object(ids, fonts[face], x, item.y, item.size, run, fill=fill)
        x += sum(ch.width for ch in run)


def _rule(ids: _Ids, rule: RuleItem) -> str:
    """A rule from (x, y) for its length, rightwards or downwards, as `drawing` strokes it."""
    colour = _colour(RED if rule.red else BLACK)
    half = rule.thickness / 2
    if rule.vertical:
        boundary, path = (
            _box(rule.x - half, rule.y, rule.thickness, rule.length),
            f"M {_fmt(half)} 0 L {_fmt(half)} {_fmt(rule.length)}",
        )
    else:
        boundary, path = (
            _box(rule.x, rule.y - half, rule.length, rule.thickness),
            f"M 0 {_fmt(half)} L {_fmt(rule.length)} {_fmt(half)}",
        )
    return (
        f'<ofd:PathObject ID="{ids.next()}" Boundary="{boundary}" LineWidth="{_fmt(rule.thickness)}">'
        f'<ofd:StrokeColor Value="{colour}"/><ofd:AbbreviatedData>{path}</ofd:AbbreviatedData></ofd:PathObject>'
    )


def _image(ids: _Ids, resource: int, image: PageImage) -> str:
    """A 附件 page's image in its box: the CTM maps the image's unit square onto the box (GB/T 33190 §13)."""
    box = _box(image.x, image.y, image.width, image.height)
    ctm = f"{_fmt(image.width)} 0 0 {_fmt(image.height)} 0 0"
    return f'<ofd:ImageObject ID="{ids.next()}" Boundary="{box}" CTM="{ctm}" ResourceID="{resource}"/>'


def _circle(r: float, cx: float, cy: float) -> str:
    """A circle as four cubic Béziers (OFD's B operator), from the top, clockwise on the page."""
    k = 0.5522847498 * r
    pts = [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
    ctrl = [
        ((cx + k, cy - r), (cx + r, cy - k)),
        ((cx + r, cy + k), (cx + k, cy + r)),
        ((cx - k, cy + r), (cx - r, cy + k)),
        ((cx - r, cy - k), (cx - k, cy - r)),
    ]
    parts = [f"M {_fmt(pts[0][0])} {_fmt(pts[0][1])}"]
    for index, (c1, c2) in enumerate(ctrl):
        end = pts[(index + 1) % 4]
        parts.append(f"B {_fmt(c1[0])} {_fmt(c1[1])} {_fmt(c2[0])} {_fmt(c2[1])} {_fmt(end[0])} {_fmt(end[1])}")
    return " ".join([*parts, "C"])


def _glyph_object(ids: _Ids, font_id: int, box: Box, size: float, glyph: Char, ctm: str, fill: str) -> str:
    """One seal glyph, its em box centred in `box` (a square in the seal's space), turned by `ctm` about it."""
    x = (box.w - glyph.width) / 2
    base = box.h / 2 + (EM_ASCENT - 0.5) * size
    return (
        f'<ofd:TextObject ID="{ids.next()}" Boundary="{_box(box.x, box.y, box.w, box.h)}" Font="{font_id}"'
        f' Size="{_fmt(size)}" CTM="{ctm}"><ofd:FillColor Value="{fill}"/>'
        f'<ofd:TextCode X="{_fmt(x)}" Y="{_fmt(base)}">{escape(glyph.text)}</ofd:TextCode></ofd:TextObject>'
    )


def seal_appearance(ids: _Ids, fonts: Mapping[str, int], seal: SealItem, advance: Advance) -> str:
    """The seal's appearance in its 42 mm box (coordinates inside the box), as `drawing._draw_seal` draws it."""
    half = SEAL_DIAMETER / 2
    alpha = f' Alpha="{round(SEAL_OPACITY * 255)}"'
    red = _colour(RED)
    whole = _box(0, 0, SEAL_DIAMETER, SEAL_DIAMETER)
    parts = [
        f'<ofd:PathObject ID="{ids.next()}" Boundary="{whole}" LineWidth="{_fmt(SEAL_RING)}"{alpha}>'
        f'<ofd:StrokeColor Value="{red}"/><ofd:AbbreviatedData>{_circle(half - SEAL_RING / 2, half, half)}'
        "</ofd:AbbreviatedData></ofd:PathObject>"
    ]
    star = star_points(half, half, STAR_DIAMETER / 2)
    path = " ".join(f"{'M' if i == 0 else 'L'} {_fmt(x)} {_fmt(y)}" for i, (x, y) in enumerate(star)) + " C"
    parts.append(
        f'<ofd:PathObject ID="{ids.next()}" Boundary="{whole}" Stroke="false" Fill="true"{alpha}>'
        f'<ofd:FillColor Value="{red}"/><ofd:AbbreviatedData>{path}</ofd:AbbreviatedData></ofd:PathObject>'
    )
    size, positions = seal_text_positions(seal.text, half, half)
    side = size * GLYPH_BOX
    mid = side / 2
    for ch, x, y, angle in positions:
        width = advance(SERIF_BOLD, ch) * size
        theta = math.radians(angle)
        cos, sin = math.cos(theta), math.sin(theta)
        # GB/T 33190 §8.3.4: a graphic unit's CTM maps its own space, whose origin is its Boundary's top-left
        # corner. So each glyph has a square Boundary round its centre (x, y), wide enough for the glyph turned
        # any way, and the CTM turns it clockwise by `angle` about the square's centre (mid, mid).
        ctm = " ".join(_fmt(v) for v in (cos, sin, -sin, cos, mid - cos * mid + sin * mid, mid - sin * mid - cos * mid))
        glyph = Char(ch, SERIF_BOLD, width)
        parts.append(_glyph_object(ids, fonts[SERIF_BOLD], Box(x - mid, y - mid, side, side), size, glyph, ctm, red))
    if seal.code:
        code = [Char(ch, SANS, advance(SANS, ch) * SEAL_CODE_SIZE * MM_PER_PT) for ch in seal.code]
        width = sum(ch.width for ch in code)
        parts.append(
            _text_object(ids, fonts[SANS], half - width / 2, half + SEAL_CODE_DROP, SEAL_CODE_SIZE, code, fill=red)
        )
    return "".join(parts).replace("<ofd:TextObject ", f"<ofd:TextObject{alpha} ")


def _xml(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:{root} xmlns:ofd="{NS}"{body}</ofd:{root}>'.encode()


def used_text(placed: Layout) -> dict[str, str]:
    """Face -> every character the drawers draw in it (the layout's text, the seal's arc text and code)."""
    text: dict[str, set[str]] = {face: set() for face in FONT_FILES}
    for item in placed.texts:
        for ch in item.chars:
            text[ch.face].add(ch.text)
    for seal in placed.seals:
        text[SERIF_BOLD].update(seal.text)
        text[SANS].update(seal.code)
    return {face: "".join(sorted(chars)) for face, chars in text.items()}


def draw(
    doc: OfficialDocument,
    placed: Layout,
    fonts: Mapping[str, Path],
    advance: Advance,
    images: Sequence[PageImage] = (),
) -> dict[str, bytes]:
    """The OFD's files (path in the package -> bytes), unsigned: `ofdseal.seal_ofd` adds the signature.
    `images`: the 附件 pages (`appending.page_images`), each drawn into its frame."""
    ids = _Ids()
    text = used_text(placed)
    font_ids = {face: ids.next() for face in FONT_FILES}
    image_ids = [ids.next() for _image in images]
    files: dict[str, bytes] = {}
    font_entries = []
    for face, font_id in font_ids.items():
        path = fonts[face]
        name = Path(FONT_FILES[face]).stem
        files[f"Doc_0/Res/font_{font_id}.otf"] = faces.subset(path, faces.glyph_names(path, text[face]))
        font_entries.append(
            f'<ofd:Font ID="{font_id}" FontName="{name}" FamilyName="{name.split("-")[0]}">'
            f"<ofd:FontFile>font_{font_id}.otf</ofd:FontFile></ofd:Font>"
        )
    files["Doc_0/PublicRes.xml"] = _xml("Res", f' BaseLoc="Res"><ofd:Fonts>{"".join(font_entries)}</ofd:Fonts>')
    media = []
    for image_id, image in zip(image_ids, images, strict=True):
        files[f"Doc_0/Res/image_{image_id}.png"] = image.png
        media.append(
            f'<ofd:MultiMedia ID="{image_id}" Type="Image" Format="PNG">'
            f"<ofd:MediaFile>image_{image_id}.png</ofd:MediaFile></ofd:MultiMedia>"
        )
    if media:
        files["Doc_0/DocumentRes.xml"] = _xml(
            "Res", f' BaseLoc="Res"><ofd:MultiMedias>{"".join(media)}</ofd:MultiMedias>'
        )
    page_ids = []
    for page in range(placed.page_count):
        page_ids.append(ids.next())
        layer = [obj for item in placed.texts if item.page == page for obj in _texts(ids, font_ids, item)]
        layer += [_rule(ids, rule) for rule in placed.rules if rule.page == page]
        layer += [
            _image(ids, image_id, image)
            for image_id, image in zip(image_ids, images, strict=True)
            if image.frame.page == page
        ]
        area = f"<ofd:Area><ofd:PhysicalBox>{_box(0, 0, PAGE_WIDTH, PAGE_HEIGHT)}</ofd:PhysicalBox></ofd:Area>"
        content = f'<ofd:Content><ofd:Layer ID="{ids.next()}" Type="Body">{"".join(layer)}</ofd:Layer></ofd:Content>'
        files[f"Doc_0/Pages/Page_{page}/Content.xml"] = _xml("Page", f">{area}{content}")
    # 印章: one Stamp annotation each (联合行文 has one a unit), one annotation file a page.
    on_page: dict[int, list[str]] = {}
    for index, seal in enumerate(placed.seals):
        boundary = _box(seal.cx - SEAL_DIAMETER / 2, seal.cy - SEAL_DIAMETER / 2, SEAL_DIAMETER, SEAL_DIAMETER)
        annot_id = ids.next()
        appearance = seal_appearance(ids, font_ids, seal, advance)
        on_page.setdefault(seal.page, []).append(
            f'<ofd:Annot ID="{annot_id}" Type="Stamp" Creator="{CREATOR}" LastModDate="{doc.sign_date.isoformat()}"'
            f' ReadOnly="true" NoRotate="true"><ofd:Remark>印章 {index + 1}</ofd:Remark>'
            f'<ofd:Appearance Boundary="{boundary}">{appearance}</ofd:Appearance></ofd:Annot>'
        )
    for page, annots in on_page.items():
        files[f"Doc_0/Annots/Page_{page}/Annotation.xml"] = _xml("PageAnnot", ">" + "".join(annots))
    files["Doc_0/Annots/Annotations.xml"] = _xml(
        "Annotations",
        ">"
        + "".join(
            f'<ofd:Page PageID="{page_ids[page]}"><ofd:FileLoc>Page_{page}/Annotation.xml</ofd:FileLoc></ofd:Page>'
            for page in sorted(on_page)
        ),
    )
    pages = "".join(f'<ofd:Page ID="{pid}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n, pid in enumerate(page_ids))
    document_res = "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>" if media else ""
    files[DOC_ROOT] = _xml(
        "Document",
        f"><ofd:CommonData><ofd:MaxUnitID>{ids.last}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>"
        f"{_box(0, 0, PAGE_WIDTH, PAGE_HEIGHT)}</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{document_res}</ofd:CommonData><ofd:Pages>{pages}</ofd:Pages>"
        "<ofd:Annotations>Annots/Annotations.xml</ofd:Annotations>",
    )
    doc_id = hashlib.sha256(f"{doc.issuer_name}\n{doc.number}\n{doc.title}".encode()).hexdigest()[:32]
    info = (
        f"<ofd:DocInfo><ofd:DocID>{doc_id}</ofd:DocID><ofd:Title>{escape(doc.title)}</ofd:Title>"
        f"<ofd:Author>{escape(doc.issuer_name)}</ofd:Author><ofd:Subject>{escape(doc.number)}</ofd:Subject>"
        f"<ofd:CreationDate>{doc.sign_date.isoformat()}</ofd:CreationDate><ofd:Creator>{CREATOR}</ofd:Creator>"
        "</ofd:DocInfo>"
    )
    files["OFD.xml"] = _xml(
        "OFD",
        f' Version="1.0" DocType="OFD"><ofd:DocBody>{info}<ofd:DocRoot>{DOC_ROOT}</ofd:DocRoot>'
        f"<ofd:Signatures>{SIGNATURES}</ofd:Signatures></ofd:DocBody>",
    )
    return files


def stamp_annots(files: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """(page id, annotation id, boundary) of every seal the OFD's annotations hold, for the signature."""
    import re

    found = []
    index = files.get("Doc_0/Annots/Annotations.xml", b"").decode()
    for pid, page in re.findall(r'PageID="(\d+)"><ofd:FileLoc>Page_(\d+)/', index):
        annots = files.get(f"Doc_0/Annots/Page_{page}/Annotation.xml", b"").decode()
        for annot_id, boundary in re.findall(r'<ofd:Annot ID="(\d+)" Type="Stamp".*?Boundary="([^"]+)"', annots):
            found.append((pid, annot_id, boundary))
    return found


def package(files: Mapping[str, bytes]) -> bytes:
    """The files as an OFD package: a ZIP with OFD.xml first, fixed timestamps, deflated."""
    import io

    out = io.BytesIO()
    order = ["OFD.xml", *sorted(name for name in files if name != "OFD.xml")]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in order:
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[name])
    return out.getvalue()


def unpack(data: bytes) -> dict[str, bytes]:
    """An OFD package's files; ValueError when it is not a readable ZIP."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError) as exc:
        raise ValueError(f"不是可读的 OFD 文件 (not a readable OFD package): {exc}") from exc


def _parsed(data: bytes) -> Any:
    """One XML file of the package. A DOCTYPE is refused (so no entity expansion, the XML attacks ruff's S314
    warns of); expat fetches no external entities."""
    from xml.etree import ElementTree

    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("OFD 的 XML 含 DOCTYPE/ENTITY，不予解析")
    return ElementTree.fromstring(data)  # noqa: S314 - DOCTYPE and ENTITY refused above


def page_texts(files: Mapping[str, bytes]) -> list[str]:
    """The text of each page (TextCodes in order), as 四性检测 reads an archived OFD back; ValueError when the
    package has no document root or a page cannot be parsed."""
    from xml.etree.ElementTree import ParseError

    names = {"ofd": NS}
    try:
        root = _parsed(files["OFD.xml"])
        doc_root = (root.findtext("ofd:DocBody/ofd:DocRoot", namespaces=names) or "").lstrip("/")
        document = _parsed(files[doc_root])
        base = doc_root.rsplit("/", 1)[0]
        texts = []
        for page in document.iterfind("ofd:Pages/ofd:Page", names):
            content = _parsed(files[f"{base}/{page.get('BaseLoc', '')}"])
            texts.append("".join(code.text or "" for code in content.iter(f"{{{NS}}}TextCode")))
    except (KeyError, ParseError) as exc:
        raise ValueError(f"OFD 结构不完整 (incomplete OFD): {exc}") from exc
    return texts
