"""A face prepared at the fonts layer's build, so that a fresh process neither parses nor measures it.

``faceprep.prepare(face, out)`` (run by layers/fonts/prepare.py for each face, `faces.PREPARED` beside it) pickles:

* fpdf2's parsed font of the face as `faces.parse` makes it, with the width and the glyph id of every character
  of the cmap filled in (a fresh process parsed the 15 MB face, its cmap, its 65 000 advance widths and its CFF
  charset: 0.1–0.15 s a face here);
* the face cut to the characters of GB 2312 (its 6 763 汉字, the symbols and ASCII: what 公文 are written in),
  every glyph kept as it is (CIDs, outlines, hints, advance widths, the head's bounds, the OS/2 ranges and the
  glyph names), so a document's subset cut from it is the subset cut from the whole face, byte for byte
  (tests/unit/publishing/test_faceprep.py), at a sixth of the reading; a document with any other character is
  cut from the whole face, as before;
* the face file's `faces.fingerprint` and the fpdf2 version: a state that does not match is not used.

Build-time only (fontTools' subsetter, minutes of nothing: about ten seconds for the four faces).
"""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path
from typing import Any

from oa_core.publishing import faces


def common_characters() -> frozenset[int]:
    """The code points of GB 2312 (both planes of its 94 × 94 table that are defined) and printable ASCII."""
    codes = set(range(0x20, 0x7F))
    for high in range(0xA1, 0xF8):
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
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def state(face: Path) -> dict[str, Any]:
    """What `faces` reads from `faces.PREPARED`: the parsed font and the common face, for this file."""
    from fontTools.ttLib import TTFont
    from fpdf import FPDF_VERSION

    font = faces.parse(str(face))
    codes = sorted(font.cmap)
    widths = faces.Widths({code: font.cw[code] for code in codes}, font.desc.missing_width)
    glyph_ids = {code: font.glyph_ids[code] for code in codes}
    font.ttfont.close()
    font.ttfont = None
    font.cw = widths
    font.glyph_ids = glyph_ids
    common = common_face(face)
    names = frozenset(TTFont(io.BytesIO(common), lazy=True).getGlyphOrder())
    return {
        "format": faces.STATE_FORMAT,
        "fpdf2": FPDF_VERSION,
        "fingerprint": faces.fingerprint(face),
        "font": font,
        "common": common,
        "common_glyphs": names,
    }


def prepare(face: Path, out: Path) -> None:
    """`state(face)` pickled to `out`, which appears at once (written beside it, then renamed)."""
    data = pickle.dumps(state(face), protocol=pickle.HIGHEST_PROTOCOL)
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
