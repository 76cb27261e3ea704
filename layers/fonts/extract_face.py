"""One face of a font collection as its own OpenType font, with the glyphs its cmap reaches.

``python extract_face.py <collection.ttc> <face index> <out.otf>``: the fonts layer's build (Makefile)
runs it for each face the typesetter uses (oa_core.publishing.fonts.FONT_FILES). A Noto CJK collection
holds one CFF table shared by five regional faces (JP, KR, SC, TC, HK); the SC face maps about 44 700 code
points to about 44 300 of its 65 535 glyphs, the rest being other regions' forms and glyphs reachable only
through OpenType layout features or variation sequences. The typesetter draws characters through the cmap
alone (fpdf2 without text shaping maps code points, and drops GSUB and GPOS from what it embeds), so the face
keeps every glyph its cmap reaches, unchanged with its hints, and drops the layout and vertical tables
(GSUB, GPOS, GDEF, BASE, vhea, vmtx, VORG). Every character the face can show it still shows.

The subsetter is fontTools' (a dependency of the PDF layer). Bounding boxes and the timestamp are kept as
they are, so the same collection gives the same bytes, and the output appears at once (written beside it,
then renamed), as two builds may run at the same time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG")
"""Layout and vertical-writing tables: nothing in a horizontally typeset PDF uses them."""


def extract(collection: Path, index: int, out: Path) -> None:
    """Write face `index` of `collection` to `out`, with every glyph its cmap reaches."""
    font = TTFont(collection, fontNumber=index, recalcBBoxes=False, recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables = [*options.drop_tables, *DROPPED_TABLES]
    options.name_IDs = ["*"]  # the copyright and licence names stay with the font
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=font.getBestCmap().keys())
    subsetter.subset(font)
    partial = out.with_name(f".{out.name}.{os.getpid()}")
    try:
        font.save(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[1].isdigit():
        print("usage: extract_face.py <collection.ttc> <face index> <out.otf>", file=sys.stderr)
        return 2
    extract(Path(argv[0]), int(argv[1]), Path(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
