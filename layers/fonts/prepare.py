"""What the typesetter would otherwise work out in every fresh process, prepared once at the layer's build.

``python prepare.py face <face file> <out>``: the face's state (oa_core.publishing.faceprep: fpdf2's parsed font
with its widths, and the face cut to GB 2312), read by oa_core.publishing.faces from ``<face file>.prepared``.
``python prepare.py words <out>``: jieba's prefix dictionary as SQLite (oa_core.publishing.words), which the
标题 line breaks look their words up in.

Runs with layers/oa_core on PYTHONPATH and an interpreter that has fpdf2, fontTools and jieba (the Makefile's).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "face":
        from oa_core.publishing import faceprep

        faceprep.prepare(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 2 and argv[0] == "words":
        from oa_core.publishing import words

        words.write_dictionary(Path(argv[1]))
        return 0
    print("usage: prepare.py face <face file> <out> | prepare.py words <out>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
