"""The Lambda layers: what each one pins, and which functions carry which.

oa_core (OaCoreLayer) goes to every function; the PDF stack (PdfLayer) and the fonts (FontsLayer) only
to the functions that typeset or read PDFs. In-process every package of requirements-dev.txt is
importable anyway, so these tests check from the outside what Lambda would see: the template's
layers per function, the pins, and what a cold start of each handler imports.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OA_CORE_REQUIREMENTS = ROOT / "layers" / "oa_core" / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"

SDK = ("boto3", "botocore")

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)$")


def pins(path: Path) -> dict[str, str]:
    """name -> version of every ``name==version`` line (names normalised as pip does; comments,
    blank lines and ``-r`` includes skipped)."""
    found: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = _PIN.match(line)
        assert match, f"{path.name}: not pinned with ==: {raw!r}"
        found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(3)
    return found


# ---------------------------------------------------------------- pins


def test_the_layer_ships_the_sdk_the_tests_run_with() -> None:
    layer, dev = pins(OA_CORE_REQUIREMENTS), pins(DEV_REQUIREMENTS)
    for name in SDK:
        assert name in layer, f"{name} is not pinned in {OA_CORE_REQUIREMENTS.relative_to(ROOT)}"
        assert layer[name] == dev[name], f"{name}: layer {layer[name]} != requirements-dev.txt {dev[name]}"
        assert importlib.metadata.version(name) == dev[name], f"{name}: the venv has another version"


def test_requirements_dev_installs_every_layer() -> None:
    includes = {
        line.removeprefix("-r").strip()
        for line in DEV_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
        if line.startswith("-r")
    }
    assert includes >= {"layers/oa_core/requirements.txt", "layers/pdf/requirements.txt"}
