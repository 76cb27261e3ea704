"""A face prepared at the fonts layer's build, so that a fresh process neither parses nor measures it.

``faceprep.prepare(face, out)`` (run by layers/fonts/prepare.py for each face, `faces.PREPARED` beside it) pickles:

* fpdf2's parsed font of the face as `faces.parse` makes it (a fresh process parsed the 10–16 MB face, its cmap,
  its 65 000 advance widths and its CFF charset: 0.1–0.15 s a face here), with its cmap, widths and glyph ids
  for the `common_characters` (`faces.Tables`: any other character is looked up in the whole face when asked);
* unless told not to, the face's common part: the glyphs of those characters, every one kept as it is (CIDs,
  outlines, hints, advance widths, the head's bounds, the OS/2 ranges and the glyph names), so a document's subset
  cut from it is the subset cut from the whole face, byte for byte (tests/unit/publishing/test_faceprep.py), at
  a tenth of the reading; a document with any other character is cut from the whole face, as before;
* the face file's `faces.fingerprint` and the fpdf2 version: a state that does not match is not used.

Build-time only (fontTools' subsetter: seconds of CPU a face).
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

from oa_core.publishing import faces

COMMON_ROWS = (*range(0xA1, 0xA4), *range(0xB0, 0xD8))
"""GB 2312's rows 1–3 (punctuation, numbering such as ①⑴㈠Ⅰ, full-width ASCII) and 16–55 (the 3 755 汉字 of level 1,
the characters of nearly every 公文); level 2 and the other symbols are left to the whole face."""


VARIANTS = "—―‖∥～〜·・﹝﹞"
"""Characters that GB 2312's rows map to one of (GBK and GB 18030 map them otherwise): 一字线 U+2014, which the
typesetter draws, U+2015 that Python's GB 2312 codec decodes, and the like."""


def common_characters() -> frozenset[int]:
    """The code points of `COMMON_ROWS` of GB 2312, `VARIANTS` and printable ASCII (4 115 characters)."""
    codes = set(range(0x20, 0x7F)) | {ord(ch) for ch in VARIANTS}
    for high in COMMON_ROWS:
        for low in range(0xA1, 0xFF):
            try:
                codes.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(codes)


def common_face(face: Path) -> bytes:
    """The face cut to `common_characters`, every kept glyph and table entry as it was."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(face, recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = True
    options.recalc_bounds = False
    options.prune_unicode_ranges = False
    options.prune_codepage_ranges = False
    options.glyph_names = True  # a TrueType face's names as fontTools reads them from the whole face
    subsetter = subset.Subsetter(options)
    cmap = font.getBestCmap()
    subsetter.populate(unicodes=sorted(code for code in common_characters() if code in cmap))
    subsetter.subset(font)
    if "glyf" in font:
        # a TrueType face without glyph names (post 3) has them made from its cmap when read: a glyph two
        # characters share would be named after the other one in the common part. Its names are written (post 2).
        post = font["post"]
        post.formatType, post.mapping, post.extraNames = 2.0, {}, []
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def state(face: Path, with_face: bool = True) -> dict[str, Any]:
    """What `faces` reads from `faces.PREPARED`: the parsed font with the tables of the common part's characters
    (`faces.Tables`), the common part itself when `with_face` (else subsets are cut from the whole face), for
    this file."""
    from fontTools.ttLib import TTFont
    from fpdf import FPDF_VERSION

    font = faces.parse(str(face))
    common = common_face(face)
    names = frozenset(TTFont(io.BytesIO(common), lazy=True).getGlyphOrder())
    # the characters the tables answer for, present or not: the common ones and the controls (fpdf2 asks for 0)
    chars = common_characters() | frozenset(range(0x20))
    unnamed = [code for code in chars if code in font.cmap and font.cmap[code] not in names]
    if unnamed:
        raise ValueError(f"{face.name}: the common part names the glyphs of {len(unnamed)} characters otherwise")
    first = next(iter(font.cmap))  # fpdf2 takes the first key for .notdef: it stays first
    kept = [code for code, name in font.cmap.items() if (name in names or code < 0x20) and code != first]
    codes = [first, *kept]
    tables = (
        faces.Tables("cmap", {code: font.cmap[code] for code in codes}, chars),
        faces.Tables("cw", {code: font.cw[code] for code in codes}, chars, font.desc.missing_width),
        faces.Tables("glyph_ids", {code: font.glyph_ids[code] for code in codes}, chars),
    )
    font.ttfont.close()
    font.ttfont = None
    font.cmap = font.cw = font.glyph_ids = {}
    return {
        "format": faces.STATE_FORMAT,
        "fpdf2": FPDF_VERSION,
        "fingerprint": faces.fingerprint(face),
        "font": font,
        "tables": tables,
        "common": common if with_face else b"",
        "common_glyphs": names,
    }


def prepare(face: Path, out: Path, with_face: bool = True) -> None:
    """`state(face, with_face)` pickled to `out`, which appears at once (written beside it, then renamed)."""
    data = pickle.dumps(state(face, with_face), protocol=pickle.HIGHEST_PROTOCOL)
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
