"""The faces' prepared states (built with the fonts layer) stand for the parsed faces: same fonts, same output.

Each comparison renders from the fonts layer and from a directory holding only links to its four face files (no
prepared state, no word dictionary: the faces are parsed and jieba loads its own dictionary, as before)."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing import faceprep, faces, ofd
from oa_core.publishing.fonts import FONT_FILES, SANS, SERIF, font_paths
from oa_core.publishing.typesetting import render
from tests.unit.publishing.samples import LONG, NOTICE, REQUEST, needs_fonts

pytestmark = needs_fonts
BEYOND_GB2312 = "堃喆昇瑄璟"
"""Characters of names (in GBK and the faces, not in GB 2312): a document with one is cut from the whole face."""


@pytest.fixture(scope="module")
def bare_dir(font_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four faces only, linked: nothing prepared beside them."""
    folder = tmp_path_factory.mktemp("bare-fonts")
    for name in FONT_FILES.values():
        (folder / name).symlink_to(font_dir / name)
    return folder


def test_the_fonts_layer_holds_a_prepared_state_of_every_face(font_dir: Path) -> None:
    for path in font_paths(font_dir).values():
        state = faces._prepared(*faces._key(path))
        assert state is not None, f"{path.name}: no prepared state (or a stale one) beside it"
        assert state["fingerprint"] == faces.fingerprint(path)


def test_a_prepared_face_is_the_parsed_face_with_every_width_and_glyph_id(font_dir: Path) -> None:
    for path in font_paths(font_dir).values():
        prepared = faces.prototype(path)
        parsed = faces.parse(str(path))
        assert next(iter(prepared.cmap)) == next(iter(parsed.cmap)), "fpdf2 takes the first key for .notdef"
        assert all(code in prepared.cmap for code in parsed.cmap), path.name
        assert {code: prepared.cmap[code] for code in parsed.cmap} == parsed.cmap, path.name
        assert 0x10FFFD not in prepared.cmap and 0x0 not in prepared.cmap, path.name
        codes = [*parsed.cmap, 0x10FFFD, 0xE000]  # every character, and two the face lacks
        assert [prepared.cw[c] for c in codes] == [parsed.cw[c] for c in codes], path.name
        assert [prepared.cw.get(c) for c in codes] == [parsed.cw.get(c) for c in codes], path.name
        assert {c: prepared.glyph_ids[c] for c in parsed.cmap} == {c: parsed.glyph_ids[c] for c in parsed.cmap}
        assert prepared.glyph_ids.get(0x10FFFD) is None
        assert vars(prepared.desc) == vars(parsed.desc), path.name
        for slot in ("name", "scale", "up", "ut", "sp", "ss", "is_cff", "is_cid_keyed", "cff_ros", "type"):
            assert getattr(prepared, slot) == getattr(parsed, slot), f"{path.name}: {slot}"
        assert prepared.ttffile == path
        parsed.ttfont.close()


@pytest.mark.parametrize("doc", [NOTICE, REQUEST, LONG], ids=["tongzhi", "qingshi", "long"])
def test_the_pdf_and_the_ofd_are_byte_identical_with_and_without_the_prepared_states(
    font_dir: Path, bare_dir: Path, doc: object
) -> None:
    prepared = render(doc, font_dir)  # type: ignore[arg-type]
    bare = render(doc, bare_dir)  # type: ignore[arg-type]
    assert prepared.pdf == bare.pdf
    assert ofd.package(prepared.ofd) == ofd.package(bare.ofd)


def test_a_document_with_a_character_beyond_gb2312_is_cut_from_the_whole_face_and_comes_out_the_same(
    font_dir: Path, bare_dir: Path
) -> None:
    path = font_paths(font_dir)[SERIF]
    state = faces._prepared(*faces._key(path))
    assert state is not None
    names = faces.glyph_names(path, BEYOND_GB2312)
    assert len(names) == len(BEYOND_GB2312) + 2, "the face lacks a test character"
    assert not names <= state["common_glyphs"], "the test characters are in the common face"
    doc = replace(NOTICE, body=f"请{BEYOND_GB2312}同志参加。", signature=f"示例市{BEYOND_GB2312[0]}区人民政府")
    assert render(doc, font_dir).pdf == render(doc, bare_dir).pdf


def test_a_subset_cut_from_the_common_face_is_the_subset_cut_from_the_whole_face(
    font_dir: Path, bare_dir: Path
) -> None:
    common = sorted(faceprep.common_characters())
    chosen = "".join(chr(code) for code in random.Random(15).sample(common, 1500))  # noqa: S311 - not security
    bare = font_paths(bare_dir)
    for face, path in font_paths(font_dir).items():
        names = faces.glyph_names(path, chosen)
        state = faces._prepared(*faces._key(path))
        assert state is not None and names <= state["common_glyphs"], face
        assert faces._prepared(*faces._key(bare[face])) is None
        assert faces.subset(path, names) == faces.subset(bare[face], names), f"{face}: the subsets differ"


def test_a_common_document_reads_no_whole_face(font_dir: Path) -> None:
    faces._whole.cache_clear()
    faces._prototype.cache_clear()
    faces._subset.cache_clear()
    render(replace(NOTICE, body=NOTICE.body + "——（一）①㈠Ⅰ《》“”……"), font_dir)
    assert faces._whole.cache_info().misses == 0, "a face was parsed whole for characters of its common part"


def test_a_prepared_state_made_of_another_file_is_not_used(font_dir: Path, tmp_path: Path) -> None:
    paths = font_paths(font_dir)
    serif = tmp_path / paths[SERIF].name
    serif.symlink_to(paths[SERIF])
    shutil.copyfile(str(paths[SANS]) + faces.PREPARED, str(serif) + faces.PREPARED)  # the Sans face's state
    assert faces._prepared(*faces._key(serif)) is None
    assert faces.prototype(serif).cmap == faces.parse(str(paths[SERIF])).cmap
    assert not isinstance(faces.prototype(serif).cmap, faces.Tables)
