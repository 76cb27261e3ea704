"""The OFD drawn from the PDF's layout, read back by a reader we did not write (easyofd): the same text as pypdf
reads from the PDF, pages that look like the PDF's (poppler), embedded OpenType subsets, the seal as a Stamp
annotation whose signature covers every file of the package."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from oa_core.platform.config import settings
from oa_core.publishing import faces, ofd, ofdseal, seal
from oa_core.publishing.typesetting import Rendered, render
from tests.unit.publishing.kms_keys import FakeKms, P256Key, Sm2Key
from tests.unit.publishing.samples import NOTICE, needs_fonts

pytestmark = needs_fonts
READER_FACE = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")
"""A TrueType CJK face for easyofd to draw with: it renders through reportlab, which refuses the CFF outlines of
the embedded subsets ("postscript outlines are not supported") and falls back to a face it names 宋体."""
INFO = {"document_id": "d1", "number": NOTICE.number, "signer_name": "张三", "sealed_at": "2026-11-25T10:00:00+08:00"}
PIXEL_TOLERANCE = 4.0
BLUR = 2.0
"""Pages blurred by this radius (px at 40 dpi) before they are compared. Measured: 2.2 and 2.8 for the 通知's two
pages; its page 1 against page 2 differs by 11.3."""
"""Mean absolute grey difference (0–255) allowed between a page as easyofd draws it and the PDF's page."""


def sealed(files: dict[str, bytes], key: Any = None) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        kms = FakeKms(key or P256Key())
        patch.setenv("SEAL_ALGORITHM", kms.key.algorithm)
        patch.setattr(seal, "_kms", lambda: kms)
        settings.cache_clear()
        try:
            return ofdseal.seal_ofd(files, INFO)
        finally:
            settings.cache_clear()


@pytest.fixture(scope="module")
def rendered(font_dir: Path) -> Rendered:
    return render(NOTICE, font_dir)


@pytest.fixture(scope="module")
def notice_ofd(rendered: Rendered) -> bytes:
    return sealed(rendered.ofd)


@pytest.fixture(scope="module")
def read_back(notice_ofd: bytes, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], bytes]]:
    """easyofd's parse of the OFD and the PDF it draws from it."""
    if not READER_FACE.is_file():
        pytest.skip(f"{READER_FACE} missing (Debian: fonts-lxgw-wenkai), easyofd has no CJK face to draw with")
    easyofd = pytest.importorskip("easyofd.ofd")
    from loguru import logger
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    logger.remove()
    pdfmetrics.registerFont(TTFont("宋体", str(READER_FACE)))
    reader = easyofd.OFD()
    reader.read(notice_ofd, fmt="binary")
    yield reader.data[0], reader.to_pdf()


def test_the_package_holds_the_documents_files_with_ofd_xml_first(notice_ofd: bytes, rendered: Rendered) -> None:
    with zipfile.ZipFile(io.BytesIO(notice_ofd)) as archive:
        names = archive.namelist()
        entry = archive.read("OFD.xml").decode()
    pages = len(PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert names[0] == "OFD.xml"
    assert {f"Doc_0/Pages/Page_{n}/Content.xml" for n in range(pages)} <= set(names)
    assert {
        "Doc_0/Document.xml",
        "Doc_0/PublicRes.xml",
        ofd.SIGNATURES,
        ofdseal.SIGNATURE,
        ofdseal.SIGNED_VALUE,
    } <= set(names)
    assert f"<ofd:Title>{NOTICE.title}</ofd:Title>" in entry and f"<ofd:Subject>{NOTICE.number}</ofd:Subject>" in entry


def test_the_same_document_gives_the_same_ofd(rendered: Rendered, font_dir: Path) -> None:
    assert ofd.package(render(NOTICE, font_dir).ofd) == ofd.package(rendered.ofd)


def test_each_face_is_embedded_as_the_opentype_subset_the_pdf_embeds(rendered: Rendered) -> None:
    fonts = {name: data for name, data in rendered.ofd.items() if name.startswith("Doc_0/Res/")}
    assert len(fonts) == 4, "仿宋, 小标宋, 黑体 and the 楷体 of the 二级标题"
    drawn = "为切实做好年冬季安全生产工作，有效防范和坚决遏制各类生产安全事故发生"
    body_font = faces.open_font(fonts["Doc_0/Res/font_1.otf"])
    assert "CFF " in body_font and {chr(code) for code in body_font.getBestCmap()} >= set(drawn)
    assert all(len(data) < 400_000 for data in fonts.values()), "a face is embedded whole, not as a subset"


def test_the_red_mark_and_separator_are_red_and_the_seal_is_a_stamp_annotation(rendered: Rendered) -> None:
    first = rendered.ofd["Doc_0/Pages/Page_0/Content.xml"].decode()
    mark = re.search(r'<ofd:FillColor Value="230 0 18"/><ofd:TextCode[^>]*>([^<]+)<', first)
    assert mark and mark.group(1) == NOTICE.issuer_name + "文件"
    assert re.search(r'<ofd:PathObject [^>]*><ofd:StrokeColor Value="230 0 18"/>', first)
    annots = [name for name in rendered.ofd if re.fullmatch(r"Doc_0/Annots/Page_\d+/Annotation.xml", name)]
    assert len(annots) == 1
    stamp = rendered.ofd[annots[0]].decode()
    assert 'Type="Stamp"' in stamp and 'Alpha="217"' in stamp and NOTICE.seal_code[0] in stamp


def test_easyofd_reads_the_same_text_page_by_page_as_pypdf_reads_from_the_pdf(
    read_back: tuple[dict[str, Any], bytes], rendered: Rendered
) -> None:
    parsed, _pdf = read_back
    pages = PdfReader(io.BytesIO(rendered.pdf)).pages
    assert sorted(parsed["page_info"]) == list(range(len(pages)))
    for number, page in enumerate(pages):
        theirs = "".join(item["text"] for item in parsed["page_info"][number]["text_list"])
        for annot in parsed["annotation_info"].get(number, {}).values():
            theirs += "".join(obj["ofd:TextCode"]["#text"] for obj in annot["TextObject"])
        assert re.sub(r"\s", "", theirs) == re.sub(r"\s", "", page.extract_text()), f"page {number + 1}"


def _grey_pages(pdf: bytes, folder: Path, size: tuple[int, int]) -> list[Any]:
    from PIL import Image, ImageFilter

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "in.pdf", "page"], cwd=folder, check=True, timeout=120)
    pages = [Image.open(path).convert("L").resize(size) for path in sorted(folder.glob("page-*.png"))]
    # blurred: the reader draws with another face (READER_FACE), so compare where the ink is, not glyph shapes
    return [page.filter(ImageFilter.GaussianBlur(BLUR)) for page in pages]


def _mean_difference(first: Any, second: Any) -> float:
    from PIL import ImageChops, ImageStat

    return float(ImageStat.Stat(ImageChops.difference(first, second)).mean[0])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed (make pdf-deps)")
def test_the_pages_easyofd_draws_look_like_the_pdfs_pages(
    read_back: tuple[dict[str, Any], bytes], rendered: Rendered, tmp_path: Path
) -> None:
    size = (331, 468)  # A4 at 40 dpi
    ours = _grey_pages(rendered.pdf, tmp_path / "pdf", size)
    theirs = _grey_pages(read_back[1], tmp_path / "ofd", size)
    assert len(theirs) == len(ours)
    differences = [_mean_difference(a, b) for a, b in zip(ours, theirs, strict=True)]
    assert max(differences) < PIXEL_TOLERANCE, differences
    # the measure tells pages apart: page 1 against page 2 differs by far more than the tolerance
    assert _mean_difference(ours[0], theirs[1]) > 2 * max(differences)


@pytest.mark.parametrize("key_type", [Sm2Key, P256Key], ids=["SM2DSA", "ECDSA_SHA_256"])
def test_a_sealed_ofd_verifies_offline_and_names_its_algorithm(rendered: Rendered, key_type: Any) -> None:
    key = key_type()
    problem, block = ofdseal.verify_ofd_offline(sealed(rendered.ofd, key))
    assert problem is None
    assert block["alg"] == key.algorithm and block["number"] == NOTICE.number


def test_the_signature_lists_every_file_and_the_stamp_annotation(notice_ofd: bytes) -> None:
    files = ofd.unpack(notice_ofd)
    signature = files[ofdseal.SIGNATURE].decode()
    listed = set(re.findall(r'FileRef="/([^"]+)"', signature))
    assert listed == set(files) - {ofdseal.SIGNATURE, ofdseal.SIGNED_VALUE}
    assert re.search(r'<ofd:StampAnnot ID="1" PageRef="\d+" Boundary="[\d. ]+"/>', signature)
    assert json.loads(files[ofdseal.SIGNED_VALUE])["sha256"] == seal.digest(files[ofdseal.SIGNATURE]).hex()


def _repacked(data: bytes, name: str, change: Any) -> bytes:
    files = ofd.unpack(data)
    files[name] = change(files[name])
    return ofd.package(files)


@pytest.mark.parametrize(
    "name", ["Doc_0/Pages/Page_0/Content.xml", "Doc_0/Res/font_1.otf", "OFD.xml", "Doc_0/Signs/Sign_0/Signature.xml"]
)
def test_one_changed_byte_in_any_file_fails_the_seal(notice_ofd: bytes, name: str) -> None:
    def flip(data: bytes) -> bytes:
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0x01
        return bytes(changed)

    problem, _ = ofdseal.verify_ofd_offline(_repacked(notice_ofd, name, flip))
    assert problem is not None and "changed" in problem


def test_a_changed_byte_of_the_package_itself_fails_the_seal(notice_ofd: bytes) -> None:
    data = bytearray(notice_ofd)
    data[len(data) // 3] ^= 0x01
    problem, _ = ofdseal.verify_ofd_offline(bytes(data))
    assert problem is not None


def test_an_added_file_fails_the_seal(notice_ofd: bytes) -> None:
    files = ofd.unpack(notice_ofd)
    files["Doc_0/Res/extra.png"] = b"\x89PNG"
    problem, _ = ofdseal.verify_ofd_offline(ofd.package(files))
    assert problem is not None and "added or removed" in problem


@needs_fonts
def test_the_ofd_draws_each_rule_where_the_layout_puts_it_and_one_stamp_per_seal(font_dir: Path) -> None:
    """信函's 170 mm double lines (not the 版心's 156 mm), and 联合行文's seals each a Stamp annotation."""
    from oa_core.publishing.drawing import font_advance, new_pdf
    from oa_core.publishing.fonts import font_paths
    from oa_core.publishing.layout import layout
    from tests.unit.publishing.format_samples import JOINT, LETTER, ORDER

    advance = font_advance(new_pdf(font_paths(font_dir)))
    letter = render(LETTER, font_dir).ofd["Doc_0/Pages/Page_0/Content.xml"].decode()
    widths = [float(w) for w in re.findall(r'<ofd:PathObject [^>]*Boundary="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', letter)]
    expected = [rule.length for rule in layout(LETTER, advance).rules if rule.page == 0 and not rule.vertical]
    assert sorted(round(w, 1) for w in widths) == sorted(round(length, 1) for length in expected)
    assert any(abs(w - 170) < 0.05 for w in widths), widths
    joint = render(JOINT, font_dir).ofd
    stamps = re.findall(
        r'<ofd:Annot ID="\d+" Type="Stamp"', "".join(v.decode() for k, v in joint.items() if "Annots/Page_" in k)
    )
    assert len(stamps) == len(layout(JOINT, advance).seals) >= 2
    assert sealed(joint).startswith(b"PK"), "signed over every stamp"
    unsealed = render(ORDER, font_dir).ofd  # 命令: a 签名章 drawn, no seal
    assert not any("Annots/Page_" in name for name in unsealed) and sealed(unsealed).startswith(b"PK")
