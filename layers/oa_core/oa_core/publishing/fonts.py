"""The typesetter's fonts: the three faces, their files and the metrics the layout relies on.

Fonts are the openly licensed Noto CJK faces (SIL OFL), their 简体中文 (SC) ones: Noto Serif for 仿宋 (body),
Noto Serif Bold for 小标宋 (发文机关标志, 标题) and as the 楷体 stand-in (二级标题, 签发人 names), Noto Sans for 黑体
(一级标题, 紧急程度). The fonts layer (layers/fonts) extracts each SC face from its Noto CJK collection as a font
of its own, named as here, with every glyph the face's cmap reaches. Owns the face names (the family names given
to fpdf2), their files (`font_paths`), and the vertical metrics the layout places text by; the widths come from
the fonts themselves, through an `Advance` function. Imports no font library.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

# Faces: the family names given to fpdf2.
SERIF = "serif"  # 仿宋 stand-in
SERIF_BOLD = "serif-bold"  # 小标宋, and 楷体 stand-in
SANS = "sans"  # 黑体 stand-in
FONT_FILES: dict[str, str] = {
    SERIF: "NotoSerifCJKsc-Regular.otf",
    SERIF_BOLD: "NotoSerifCJKsc-Bold.otf",
    SANS: "NotoSansCJKsc-Regular.otf",
}
"""Face -> its file in the fonts layer: one face per file (face index 0), so the fonts layer holds exactly these."""
LAMBDA_FONT_DIR = "/opt/fonts"
# Noto CJK vertical metrics in em: top of the ideographic em box above the baseline, middle of the 一字线 (U+2014).
EM_ASCENT = 0.88
DASH_MIDDLE = 0.2675

Advance = Callable[[str, str], float]
"""The advance width of a character in a face, in em."""


def font_paths(font_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The three font files; FileNotFoundError naming every missing one."""
    base = Path(font_dir)
    paths = {face: base / name for face, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"缺少公文排版字体 (typesetting fonts missing): {', '.join(missing)}")
    return paths
