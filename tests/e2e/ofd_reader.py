"""An OFD drawn by ofd.js (DLTech21, Apache-2.0) in headless Chromium, and a page of the PDF drawn by PDFium, at
the same scale: the images `test_browser_ofd_reader` compares region by region.

ofd.js 0.2.6 is the last pure-JavaScript release (its ``lib/ofd.umd.min.js`` bundles JSZip and its XML parser:
it parses the package and draws every page as SVG and HTML in the page, with the browser's fonts by the OFD's
FamilyName). Release 1.5.0 is a wrapper round a WebAssembly core that opens no file without a licence code
(「授权信息错误」), so it cannot be the independent reader. No network: the page, the script and the OFD's bytes
are answered by ``page.route`` on an origin of its own (``OFD_ORIGIN``), anything else is refused.

Red and dark pixels are told as `tests.unit.publishing.pixels` tells them.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.e2e.browser import timeout_ms
from tests.unit.publishing.pixels import count, dark_mask, red_mask

REPO_ROOT = Path(__file__).resolve().parents[2]
OFDJS = REPO_ROOT / "node_modules" / "ofd.js" / "lib" / "ofd.umd.min.js"
"""ofd.js 0.2.6's bundle (package.json pins the version); OA_OFDJS_SCRIPT names another copy of it."""
OFD_ORIGIN = "http://ofd-reader.test"
PX_PER_MM = 3.8
"""Both renderings' scale, about 96 dpi (798 px for the A4 page's 210 mm). ofd.js takes its scale as
(screen width − 10 px) / page width rounded to 0.1 px a mm, and scales an ImageObject's CTM by a fixed 0.2642 mm
a pixel (96 dpi) whatever that scale is: so the 附件 pages are drawn the right size only near 3.8 px a mm (0.4 %
small here; 5.5 % at 4 px a mm)."""
SCREEN_WIDTH = 210 * PX_PER_MM + 10
INDEX = (
    '<!doctype html><html><head><meta charset="utf-8"><script src="ofd.js"></script></head>'
    '<body style="margin:0;background:#fff"><div id="out"></div></body></html>'
)
RENDER = """async (width) => {
  const buffer = await (await fetch('doc.ofd')).arrayBuffer();
  return await new Promise((resolve) => ofd.parseOfdDocument({
    ofd: buffer,
    success(docs) {
      const doc = Array.isArray(docs) ? docs[0] : docs;
      const out = document.getElementById('out');
      for (const div of ofd.renderOfd(width, doc)) out.appendChild(div);
      resolve({pages: out.children.length});
    },
    fail(error) { resolve({error: String(error)}); },
  }));
}"""
IMAGES_LOADED = "() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"


def ofdjs_script() -> Path:
    return Path(os.environ.get("OA_OFDJS_SCRIPT") or OFDJS)


def ofdjs_pages(page: Page, data: bytes) -> list[Any]:
    """The OFD's pages as ofd.js draws them: one RGB image per page, PX_PER_MM px a mm."""
    from PIL import Image

    script = ofdjs_script()
    assert script.is_file(), f"{script} missing: ofd.js 0.2.6 (package.json devDependencies; make node-deps)"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def answer(route: Any) -> None:
        name = route.request.url.removeprefix(OFD_ORIGIN + "/")
        if name == "ofd.js":
            route.fulfill(body=script.read_bytes(), content_type="application/javascript")
        elif name == "doc.ofd":
            route.fulfill(body=data, content_type="application/ofd")
        elif name in ("", "index.html"):
            route.fulfill(body=INDEX, content_type="text/html; charset=utf-8")
        else:
            route.abort()

    page.route("**/*", answer)
    page.set_viewport_size({"width": int(210 * PX_PER_MM) + 40, "height": int(297 * PX_PER_MM) + 40})
    page.goto(f"{OFD_ORIGIN}/index.html")
    result = page.evaluate(RENDER, SCREEN_WIDTH)
    assert "error" not in result, f"ofd.js could not read the OFD: {result['error']}; {errors}"
    page.wait_for_function(IMAGES_LOADED, timeout=timeout_ms())
    page.evaluate("document.fonts.ready.then(() => true)")
    shots = []
    for index in range(result["pages"]):
        png = page.locator("#out > div").nth(index).screenshot(animations="disabled")
        shots.append(Image.open(io.BytesIO(png)).convert("RGB"))
    return shots


def pdf_pages(data: bytes) -> list[Any]:
    """The PDF's pages drawn by PDFium (pypdfium2) at PX_PER_MM."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        return [document[n].render(scale=PX_PER_MM * 25.4 / 72).to_pil().convert("RGB") for n in range(len(document))]
    finally:
        document.close()


@dataclass(frozen=True)
class Box:
    """A region of the page in mm (x, y from the top-left corner)."""

    x: float
    y: float
    w: float
    h: float

    def px(self, image: Any) -> tuple[int, int, int, int]:
        scale = image.width / 210.0
        return (
            max(0, round(self.x * scale)),
            max(0, round(self.y * scale)),
            min(image.width, round((self.x + self.w) * scale)),
            min(image.height, round((self.y + self.h) * scale)),
        )


def red_figures(image: Any, box: Box) -> tuple[int, tuple[float, float, float, float] | None]:
    """Red pixels in `box`: their count and their bounding box in mm (page coordinates), None when none."""
    region = box.px(image)
    mask = red_mask(image.crop(region))
    bbox = mask.getbbox()
    if bbox is None:
        return 0, None
    scale = image.width / 210.0
    left, top, right, bottom = bbox
    return count(mask), (
        (region[0] + left) / scale,
        (region[1] + top) / scale,
        (region[0] + right) / scale,
        (region[1] + bottom) / scale,
    )


def red_grid(image: Any, box: Box, cells: int) -> list[float]:
    """The share of red pixels in each of cells × cells equal parts of `box` (row by row)."""
    x0, y0, x1, y1 = box.px(image)
    mask = red_mask(image.crop((x0, y0, x1, y1)))
    shares = []
    for row in range(cells):
        for col in range(cells):
            part = mask.crop(
                (
                    col * mask.width // cells,
                    row * mask.height // cells,
                    (col + 1) * mask.width // cells,
                    (row + 1) * mask.height // cells,
                )
            )
            shares.append(count(part) / max(1, part.width * part.height))
    return shares


def inked_rows(image: Any, box: Box, min_px: int = 8) -> list[float]:
    """The rows of `box` (their y in mm) with dark ink in at least `min_px` pixels (2 mm): text lines and rules,
    not the two hairlines of a frame's sides."""
    x0, y0, x1, y1 = box.px(image)
    counts = dark_mask(image.crop((x0, y0, x1, y1)))
    scale = image.width / 210.0
    rows = []
    for row in range(counts.height):
        if count(counts.crop((0, row, counts.width, row + 1))) >= min_px:
            rows.append((y0 + row + 0.5) / scale)
    return rows


def farthest(rows: list[float], others: list[float]) -> float:
    """How far (mm) the row of `rows` farthest from any of `others` lies from them (0 when `rows` is empty)."""
    import bisect

    worst = 0.0
    for y in rows:
        at = bisect.bisect_left(others, y)
        near = [abs(y - others[i]) for i in (at - 1, at) if 0 <= i < len(others)]
        worst = max(worst, min(near, default=float("inf")))
    return worst
