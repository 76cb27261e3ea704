"""Issued OFDs read by a reader the project did not write, ofd.js in headless Chromium, page by page against the
PDF's pages drawn by PDFium at the same scale (`ofd_reader`): 通知 with its seal, 信函, 联合行文 (two seals) and a
通知 with PDF 附件 pages.

ofd.js draws text in the browser's faces (it does not load the embedded subsets), so glyph shapes differ; what is
compared is where things are: the seal's red (its bounding box, its mass and a 6×6 grid of its red share, which
tells the arc text on the ring from text drawn anywhere else), the red outside the seals (发文机关标志, the red
lines), and the bands of rows with black ink (the text lines and rules) of each page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from infra.local.provision import build_makefile_layer
from infra.local.template import Template
from oa_core.publishing import ofd
from oa_core.publishing.typesetting import render
from tests.e2e.browser import new_page
from tests.e2e.ofd_reader import Box, farthest, inked_rows, ofdjs_pages, pdf_pages, red_figures, red_grid
from tests.unit.publishing.format_samples import JOINT, LETTER
from tests.unit.publishing.samples import NOTICE
from tests.unit.publishing.test_appended_attachments import ATTACHED
from tests.unit.publishing.test_ofd import sealed
from tests.unit.publishing.test_ofd_appendices import inked_pdf

REPO_ROOT = Path(__file__).resolve().parents[2]
SEAL_MARGIN = 3.0
"""mm round a seal's box that its region takes in (the ring's stroke, anti-aliasing)."""
EDGE_MM = 1.5
"""How far (mm) an edge of a red bounding box may lie from the PDF's."""
SEAL_MASS = (0.92, 1.25)
"""The red pixels' count in a seal's region, the reader's over the PDF's. Measured: 1.04–1.09 (the arc text in the
browser's face is a little heavier); 0.80–0.88 when the arc text was misplaced (decision 113)."""
MARK_MASS = (0.8, 1.25)
"""The same outside the seals (发文机关标志 in another face, the red lines). Measured: 0.92–0.95."""
GRID_CELLS = 6
GRID_SHARE = 0.12
"""The most a cell's red share (0–1) may differ between the two pages."""
ROW_MM = 2.0
"""How far (mm) a row with black ink may lie from the nearest such row of the PDF's page, both ways. Measured
after the fix: 1.77 at most on a 附件 page (ofd.js's image scale is fixed at 96 dpi: 0.4 % small at 3.8 px/mm)
and 1.51 elsewhere (the page number's dashes 「— 2 —」 in the browser's face); a text line one line off is
10 mm away."""
SAMPLES = {
    "tongzhi": (NOTICE, False),
    "xinhan": (LETTER, False),
    "lianhe": (JOINT, False),
    "fujian": (ATTACHED, True),
}
"""Sample name -> (document, whether PDF 附件 are appended)."""


@pytest.fixture(scope="module")
def font_dir() -> Path:
    return build_makefile_layer(Template.from_file(REPO_ROOT / "template.yaml"), "FontsLayer") / "fonts"


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def drawn(request: pytest.FixtureRequest, font_dir: Path, browser: Browser) -> Iterator[dict[str, Any]]:
    """One sample: its sealed OFD, the PDF's pages, ofd.js's pages and where the OFD puts its seals."""
    doc, with_appendices = SAMPLES[request.param]
    appended = (
        [("附件1", inked_pdf(["ALPHAONE", "ALPHATWO"])), ("附件3", inked_pdf(["BRAVO"], landscape=True))]
        if with_appendices
        else []
    )
    rendered = render(doc, font_dir, appended)
    data = sealed(rendered.ofd)
    page = new_page(browser)
    try:
        theirs = ofdjs_pages(page, data)
    finally:
        page.context.close()
    shots = REPO_ROOT / "test-artifacts" / "ofd-reader"
    shots.mkdir(parents=True, exist_ok=True)
    for number, image in enumerate(theirs, start=1):
        image.save(shots / f"{request.param}-ofdjs-{number}.png")
    yield {
        "name": request.param,
        "ours": pdf_pages(rendered.pdf),
        "theirs": theirs,
        "seals": seal_boxes(ofd.unpack(data)),
    }


def seal_boxes(files: dict[str, bytes]) -> list[tuple[int, Box]]:
    """(page index, box in mm) of every Stamp annotation's appearance."""
    boxes = []
    for name, data in sorted(files.items()):
        page = re.fullmatch(r"Doc_0/Annots/Page_(\d+)/Annotation.xml", name)
        if page:
            for box in re.findall(r'<ofd:Appearance Boundary="([-\d. ]+)"', data.decode()):
                x, y, w, h = (float(v) for v in box.split())
                boxes.append((int(page.group(1)), Box(x, y, w, h)))
    return boxes


def _grown(box: Box, margin: float) -> Box:
    return Box(box.x - margin, box.y - margin, box.w + 2 * margin, box.h + 2 * margin)


def _edges_apart(first: tuple[float, ...], second: tuple[float, ...]) -> float:
    return max(abs(a - b) for a, b in zip(first, second, strict=True))


def test_ofdjs_draws_as_many_pages_of_the_same_size_as_the_pdf(drawn: dict[str, Any]) -> None:
    ours, theirs = drawn["ours"], drawn["theirs"]
    assert len(theirs) == len(ours), drawn["name"]
    for number, (a, b) in enumerate(zip(ours, theirs, strict=True), start=1):
        assert abs(a.width - b.width) <= 2 and abs(a.height - b.height) <= 2, (drawn["name"], number, a.size, b.size)


def test_each_seal_is_drawn_where_the_pdf_draws_it_ring_star_and_arc_text(drawn: dict[str, Any]) -> None:
    assert len(drawn["seals"]) == (2 if drawn["name"] == "lianhe" else 1), "联合行文 has a seal a unit"
    for page, box in drawn["seals"]:
        region = _grown(box, SEAL_MARGIN)
        ours, theirs = drawn["ours"][page], drawn["theirs"][page]
        (mass_a, bbox_a), (mass_b, bbox_b) = red_figures(ours, region), red_figures(theirs, region)
        grid_a, grid_b = red_grid(ours, region, GRID_CELLS), red_grid(theirs, region, GRID_CELLS)
        worst = max(abs(a - b) for a, b in zip(grid_a, grid_b, strict=True))
        apart = _edges_apart(bbox_a, bbox_b) if bbox_a and bbox_b else float("inf")
        figures = (
            f"{drawn['name']} page {page + 1}: mass {mass_b}/{mass_a}, bbox edges {apart:.2f} mm, cell {worst:.3f}"
        )
        assert bbox_a and bbox_b, figures
        assert _edges_apart(bbox_a, bbox_b) <= EDGE_MM, figures
        assert SEAL_MASS[0] <= mass_b / mass_a <= SEAL_MASS[1], figures
        assert worst <= GRID_SHARE, figures


def _without_seals(drawn: dict[str, Any], number: int) -> list[Any]:
    """The PDF's and the reader's page `number` (from 0), each seal's region painted white."""
    blanked = [drawn["ours"][number].copy(), drawn["theirs"][number].copy()]
    for page, box in drawn["seals"]:
        if page == number:
            for img in blanked:
                img.paste((255, 255, 255), _grown(box, SEAL_MARGIN).px(img))
    return blanked


def test_the_red_mark_and_lines_are_where_the_pdf_draws_them(drawn: dict[str, Any]) -> None:
    for number in range(len(drawn["ours"])):
        whole = Box(0, 0, 210, 297)
        (mass_a, bbox_a), (mass_b, bbox_b) = (red_figures(img, whole) for img in _without_seals(drawn, number))
        figures = f"{drawn['name']} page {number + 1}: mass {mass_b}/{mass_a}, bbox {bbox_b} vs {bbox_a}"
        assert (bbox_a is None) == (bbox_b is None), figures
        if bbox_a and bbox_b:
            assert _edges_apart(bbox_a, bbox_b) <= EDGE_MM, figures
            assert MARK_MASS[0] <= mass_b / mass_a <= MARK_MASS[1], figures


def test_the_rows_of_text_and_rules_are_where_the_pdf_draws_them(drawn: dict[str, Any]) -> None:
    """Outside the seals (their own test), whose red over black text a reader may blend otherwise."""
    for number in range(len(drawn["ours"])):
        rows_a, rows_b = (inked_rows(img, Box(0, 0, 210, 297)) for img in _without_seals(drawn, number))
        apart = max(farthest(rows_a, rows_b), farthest(rows_b, rows_a))
        assert rows_a and apart <= ROW_MM, f"{drawn['name']} page {number + 1}: ink {apart:.2f} mm from the PDF's rows"
