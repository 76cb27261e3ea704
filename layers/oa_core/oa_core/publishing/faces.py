"""The faces, parsed once a process: their files' bytes, fpdf2's parsed font and the subsets made of them.

Rendering used to parse each 15 MB Noto CJK face again for every document (fpdf2's `TTFFont`: cmap, widths
of 65 000 glyphs) and to subset it with the bounding boxes recomputed, about a second for one page. Here each
face is read and parsed once, lazily, per process (keyed by path, size and modification time, so a replaced
file is read again), and every drawer of a document shares the work:

* `prototype(path)`: fpdf2's parsed font, which `drawing` clones into each new PDF (`clone_into`): the cmap and
  the widths are shared, the per-document state (which glyphs the page uses) is new;
* `subset(path, glyphs)`: an OpenType font holding just these glyphs (CIDs kept, cmap and widths kept, the
  outlines' bounds not recomputed), cached by glyph set: the PDF embeds its CFF table and the OFD the whole
  file, so one subsetting serves both, and rendering the same text again costs nothing.

A fresh process reads no face to parse it: the fonts layer's build leaves beside each face its `PREPARED` state
(`faceprep`): the parsed font with the tables of its common characters (GB 2312 level 1 and its punctuation; any
other is looked up in the whole face when asked, `Tables`), and the face's common part, from which a document with
no other character is subset (byte for byte the subset of the whole face, at a tenth of the reading). Without a
state, or with one made of another file or by another fpdf2, the face is parsed as before.

fpdf2 and fontTools are imported on first use (this module is loaded in Lambda cold starts).
"""

from __future__ import annotations

import copy
import io
import logging
import os
import struct
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.fonts import TTFFont

PRESUBSET = "oa_presubset"
"""The attribute that marks a fontTools font made from a cached `subset`."""
_SPARE: dict[tuple[str, int, int], Any] = {}
"""The fontTools font each prototype was parsed from, until the first subset of the face consumes it."""
PREPARED = ".prepared"
"""Beside a face `<file>`, `<file>.prepared`: its state made by the fonts layer's build (`faceprep`): fpdf2's parsed
font and its `Tables` of the common characters, and the face's common part (`common`, empty for a face shipped
without one; `common_glyphs`, the names of its glyphs), from which a document's subset is cut when it has no other
character."""
STATE_FORMAT = 2
_LOG = logging.getLogger(__name__)
SUBSET_CACHE = 64
"""Subsets kept per process (a few hundred KB each): the documents rendered lately, each face of each."""

DROPPED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta", "sbix", "BASE", "VORG", "vhea", "vmtx")
"""What neither drawer needs: layout tables (the typesetter places every glyph itself) and vertical metrics."""


def _key(path: str | os.PathLike[str]) -> tuple[str, int, int]:
    stat = Path(path).stat()
    return str(path), stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=8)
def _read(path: str, _size: int, _mtime: int) -> bytes:
    return Path(path).read_bytes()


def prototype(path: str | os.PathLike[str]) -> TTFFont:
    """fpdf2's parsed font of the file, parsed once a process; never embedded itself (see `clone_into`)."""
    return _prototype(*_key(path))


@lru_cache(maxsize=8)
def _prototype(path: str, _size: int, _mtime: int) -> TTFFont:
    prepared = _prepared(path, _size, _mtime)
    if prepared is not None:
        font: TTFFont = copy.copy(prepared["font"])
        font.ttffile = Path(path)
        font.cmap, font.cw, font.glyph_ids = (copy.copy(table).bound_to(path) for table in prepared["tables"])
        return font
    return parse(path, _SPARE)


@lru_cache(maxsize=8)
def _whole(path: str) -> TTFFont:
    """The face parsed as a whole: what a prepared face's tables (`Tables`) answer a rare character from."""
    return parse(path, _SPARE)


class Tables(dict[int, Any]):
    """A prepared face's cmap, widths or glyph ids (`kind`): the characters whose glyphs are in the face's common
    part, as `parse` would give them; any other character of the face is looked up in the whole face, parsed
    the first time one is asked for (`_whole`). A character of the common set that is missing here is not in
    the face. Iterating gives the prepared characters only (the first key is the whole cmap's first):
    `complete` adds all the others."""

    def __init__(self, kind: str, entries: dict[int, Any], common: frozenset[int], default: Any = None) -> None:
        super().__init__(entries)
        self.kind = kind
        self.common = common
        self.default = default
        self.path = ""

    def bound_to(self, path: str) -> Tables:
        self.path = path
        return self

    def _from_whole(self, key: int) -> Any:
        if key in self.common or not isinstance(key, int):
            raise KeyError(key)
        value = getattr(_whole(self.path), self.kind)[key]
        self[key] = value
        return value

    def __missing__(self, key: int) -> Any:
        try:
            return self._from_whole(key)
        except KeyError:
            if self.kind == "cw":
                return self.default
            raise

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        try:
            self._from_whole(key)  # type: ignore[arg-type]
        except KeyError:
            return False
        return self.kind != "cw" or key in _whole(self.path).cmap

    def get(self, key: int, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def complete(self) -> None:
        whole = _whole(self.path).cmap
        for code in whole:
            if not dict.__contains__(self, code):
                self[code] = getattr(_whole(self.path), self.kind)[code]


def parse(path: str, spare: dict[tuple[str, int, int], Any] | None = None) -> TTFFont:
    """fpdf2's parsed font of the file, its tables filled when asked (`_Lazy`); `spare` keeps the fontTools font
    it was parsed from, keyed as `_key`, for the face's first subset."""
    from fpdf import FPDF

    holder = FPDF()
    # fpdf2 would measure and look up every one of the face's 44 000 characters here: it is given the space only,
    # and the full cmap with widths and glyph ids computed when a character is first asked for (`_Lazy`).
    holder.add_font("prototype", "", path, unicode_range=[0x20])
    font: TTFFont = holder.fonts["prototype"]  # type: ignore[assignment]
    parsed = font.ttfont
    # copies: `parsed` is consumed by the face's first subset (`_SPARE`), these must outlive it
    font.cmap = dict(parsed.getBestCmap())
    default_width = font.desc.missing_width
    metrics = dict(parsed["hmtx"].metrics)
    glyph_ids = {name: gid for gid, name in enumerate(parsed.getGlyphOrder())}

    def width(code: int) -> float:
        name = font.cmap.get(code)
        if name is None:
            return float(default_width)
        advance = metrics[name][0]
        return round(font.scale * (0 if advance == 65535 else advance) + 0.001)  # as fpdf2 rounds

    def glyph_id(code: int) -> int:
        return glyph_ids[font.cmap[code]]

    font.cw = _Lazy(width)
    font.glyph_ids = _Lazy(glyph_id)
    parsed.recalcBBoxes = parsed.recalcTimestamp = False
    if spare is not None:
        spare[_key(path)] = parsed  # the first subset is cut from it: its tables are read already
    return font


def _prepared(path: str, size: int, mtime: int) -> dict[str, Any] | None:
    """The face's `PREPARED` state made by the fonts layer's build, when it is there and made of this very file
    (size and the font's checksum) by this fpdf2; None otherwise (the face is then parsed)."""
    state_file = Path(path + PREPARED)
    if not state_file.is_file():
        return None
    from fpdf import FPDF_VERSION

    state = _read_state(str(state_file), *_key(state_file)[1:])
    if state.get("format") != STATE_FORMAT or state.get("fpdf2") != FPDF_VERSION:
        _LOG.warning("prepared face %s is for another fpdf2 or format: parsing the face", state_file)
        return None
    if state.get("fingerprint") != fingerprint(path):
        _LOG.warning("prepared face %s was made of another file: parsing the face", state_file)
        return None
    return state


@lru_cache(maxsize=8)
def _read_state(path: str, _size: int, _mtime: int) -> dict[str, Any]:
    import pickle

    # our own file: written by the fonts layer's build (faceprep), shipped read-only in the layer beside the face
    state: dict[str, Any] = pickle.loads(Path(path).read_bytes())  # noqa: S301
    return state


def fingerprint(path: str | os.PathLike[str]) -> tuple[int, int]:
    """The file's size and its font's checksum (head.checkSumAdjustment, over every byte of the font)."""
    with Path(path).open("rb") as file:
        header = file.read(12)
        tables = struct.unpack(">H", header[4:6])[0]
        directory = file.read(16 * tables)
        for index in range(tables):
            tag, _checksum, offset, _length = struct.unpack(">4sIII", directory[16 * index : 16 * index + 16])
            if tag == b"head":
                file.seek(offset + 8)
                return Path(path).stat().st_size, struct.unpack(">I", file.read(4))[0]
    return Path(path).stat().st_size, -1


class _Lazy(dict[int, Any]):
    """fpdf2's per-character tables (widths, glyph ids), filled when a character is first asked for; a character
    the face lacks is a KeyError for the glyph ids (`get` answers the default, as fpdf2 expects)."""

    def __init__(self, compute: Any) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: int) -> Any:
        value = self[key] = self._compute(key)
        return value

    def get(self, key: int, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default


def clone_into(pdf: FPDF, family: str, path: str | os.PathLike[str]) -> TTFFont:
    """The face added to `pdf` as `family`, as `FPDF.add_font` would, without parsing the file again.

    The clone shares the prototype's cmap, widths and glyph ids (read only while drawing) and has its own
    descriptor (fpdf2 numbers it as a PDF object) and subset map; its `ttfont` is set to the subset when the
    PDF is written (`drawing`)."""
    from fpdf.fonts import SubsetMap

    proto = prototype(path)
    font = copy.copy(proto)
    font.i = len(pdf.fonts) + 1
    font.fontkey = family
    font.desc = copy.copy(proto.desc)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None  # fpdf2's own slot, reset as a fresh font has it
    font.subset = SubsetMap(font)
    pdf.fonts[family] = font
    if font.is_cff and font.is_cid_keyed:
        pdf._set_min_pdf_version("1.6")  # what add_font does for CID-keyed CFF
    return font


def glyph_names(path: str | os.PathLike[str], text: Iterable[str]) -> frozenset[str]:
    """The glyph names of the characters the face has (the others are left out), with .notdef and the space,
    which fpdf2 always embeds: the PDF and the OFD of a document ask for the same subset."""
    cmap = prototype(path).cmap
    return frozenset({".notdef", cmap.get(0x20, ".notdef")} | {cmap[ord(ch)] for ch in text if ord(ch) in cmap})


def subset(path: str | os.PathLike[str], glyphs: frozenset[str]) -> bytes:
    """An OpenType font of the face with these glyphs (and .notdef): CIDs, cmap and advance widths kept."""
    return _subset(_key(path), glyphs)


@lru_cache(maxsize=SUBSET_CACHE)
def _subset(key: tuple[str, int, int], glyphs: frozenset[str]) -> bytes:
    """fontTools' subsetter with two shortcuts for these CID-keyed CFF faces, on this font object only:

    * no glyph closure over the CFF outlines: it runs every charstring to find ``seac`` accent components,
      which CID-keyed fonts do not have;
    * the face's cmap is not decompiled again (65 000 entries): the font is given one made from the prototype's
      (`prototype`) for exactly the glyphs asked for, which the subsetter then keeps;
    * the first subset of a face is cut from the font the prototype was parsed from (`_SPARE`: CFF charset and
      widths read once in a cold process), later ones from the file's bytes.
    """
    from fontTools import subset as ftsubset

    proto = _prototype(*key)
    prepared = _prepared(*key)
    common = prepared is not None and glyphs <= prepared["common_glyphs"]
    if prepared is not None and not common:
        proto.cmap.complete()  # type: ignore[attr-defined] # a rare character: every code of the face is needed
    if common and prepared is not None and prepared["common"]:
        font = open_font(prepared["common"])  # the face's common part: the same glyphs, a tenth of the reading
    else:
        font = _SPARE.pop(key, None) or open_font(_read(*key))
    cff = font.get("CFF ")
    if cff is not None and getattr(cff.cff.topDictIndex[0], "ROS", None) is not None:
        cff.closure_glyphs = lambda _subsetter: None
    font["cmap"] = _cmap({code: name for code, name in proto.cmap.items() if name in glyphs})
    options = ftsubset.Options(notdef_outline=True, recommended_glyphs=True, recalc_bounds=False)
    options.drop_tables += list(DROPPED_TABLES)
    options.layout_features = []
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(glyphs))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


def _cmap(mapping: dict[int, str]) -> Any:
    """A cmap table of these characters: format 4 (BMP), and format 12 beside it for any beyond the BMP."""
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

    cmap = newTable("cmap")
    cmap.tableVersion = 0
    cmap.tables = []
    for fmt, encoding, limit in ((4, 1, 0xFFFF), (12, 10, 0x10FFFF)):
        if fmt == 12 and max(mapping, default=0) <= 0xFFFF:
            continue
        table = CmapSubtable.newSubtable(fmt)
        table.platformID, table.platEncID, table.language = 3, encoding, 0
        table.cmap = {code: name for code, name in mapping.items() if code <= limit}
        cmap.tables.append(table)
    return cmap


def open_font(data: bytes, presubset: bool = False) -> Any:
    """A fontTools font over the bytes, its tables read when asked, nothing recomputed when saved; marked
    `PRESUBSET` when the bytes are a `subset` already (fpdf2's subsetting then leaves it alone: `drawing`)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    setattr(font, PRESUBSET, presubset)
    return font
