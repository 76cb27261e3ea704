"""What the typesetter would otherwise work out in every fresh process, prepared once at the layer's build.

``python prepare.py face <face file> <out> [--no-common-face]``: the face's state (oa_core.publishing.faceprep:
fpdf2's parsed font with the tables of the common characters, and the face's common part unless told not to),
read by oa_core.publishing.faces from ``<face file>.prepared``.
``python prepare.py words <out>``: where jieba's dict.txt holds each first character's words
(oa_core.publishing.words), which the 标题 line breaks read their words from.

Runs with layers/oa_core on PYTHONPATH and an interpreter that has fpdf2, fontTools and jieba (the Makefile's).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) in (3, 4) and argv[0] == "face" and argv[3:] in ([], ["--no-common-face"]):
        from oa_core.publishing import faceprep

        faceprep.prepare(Path(argv[1]), Path(argv[2]), with_face=not argv[3:])
        return 0
    if len(argv) == 2 and argv[0] == "words":
        from oa_core.publishing import words

        words.write_index(Path(argv[1]))
        return 0
    print("usage: prepare.py face <face file> <out> [--no-common-face] | prepare.py words <out>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
