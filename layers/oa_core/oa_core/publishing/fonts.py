"""The typesetter's fonts: the four faces, their files and the metrics the layout relies on.

Fonts are openly licensed (SIL OFL): the Noto CJK faces, their 简体中文 (SC) ones: Noto Serif for 仿宋 (body; no
openly licensed 仿宋 exists, so a 宋体 stands in), Noto Serif Bold for 小标宋 (发文机关标志, 标题), Noto Sans for
黑体 (一级标题, 紧急程度); and LXGW WenKai, a real 楷体 (二级标题, 签发人 names). The fonts layer (layers/fonts)
extracts each face from its Debian font file as a font of its own, named as here, with every glyph the face's
cmap reaches. Owns the face names (the family names given
to fpdf2), their files (`font_paths`), and the vertical metrics the layout places text by; the widths come from
the fonts themselves, through an `Advance` function. Imports no font library.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

# Faces: the family names given to fpdf2.
SERIF = "serif"  # 仿宋 stand-in
SERIF_BOLD = "serif-bold"  # 小标宋 stand-in
SANS = "sans"  # 黑体 stand-in
KAI = "kai"  # 楷体
FONT_FILES: dict[str, str] = {
    SERIF: "NotoSerifCJKsc-Regular.otf",
    SERIF_BOLD: "NotoSerifCJKsc-Bold.otf",
    SANS: "NotoSansCJKsc-Regular.otf",
    KAI: "LXGWWenKai-Regular.ttf",
}
"""Face -> its file in the fonts layer: one face per file (face index 0), so the fonts layer holds exactly these."""
FALLBACK_FACES = {KAI: SERIF}
"""A face -> the face a character it lacks is set in (LXGW WenKai has about 28 900 characters, Noto about 44 700)."""
LAMBDA_FONT_DIR = "/opt/fonts"
# Noto CJK vertical metrics in em: top of the ideographic em box above the baseline, middle of the 一字线 (U+2014).
EM_ASCENT = 0.88
DASH_MIDDLE = 0.2675

Advance = Callable[[str, str], float]
"""The advance width of a character in a face, in em; 0 when the face has no glyph for it."""


def font_paths(font_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The font files; FileNotFoundError naming every missing one."""
    base = Path(font_dir)
    paths = {face: base / name for face, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"缺少公文排版字体 (typesetting fonts missing): {', '.join(missing)}")
    return paths
