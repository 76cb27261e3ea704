"""The Lambda layers: what each one pins, which functions carry which, and what sam build made of them (sizes,
the fonts layer's faces).

oa_core (OaCoreLayer) goes to every function; the PDF stack (PdfLayer) and the fonts (FontsLayer) only
to the functions that typeset or read PDFs. In-process every package of requirements-dev.txt is
importable anyway, so these tests check from the outside what Lambda would see: the template's
layers per function, the pins, and what a cold start of each handler imports.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from infra.local.template import Template
from oa_core.publishing.faces import PREPARED
from oa_core.publishing.fonts import FONT_FILES
from oa_core.publishing.words import INDEX_FILE

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
OA_CORE = ROOT / "layers" / "oa_core"
OA_CORE_REQUIREMENTS = OA_CORE / "requirements.txt"
PDF_REQUIREMENTS = ROOT / "layers" / "pdf" / "requirements.txt"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"

SDK = ("boto3", "botocore")
PDF_DISTRIBUTIONS = ("fpdf2", "pillow", "fonttools", "defusedxml", "pypdf")
PDF_MODULES = ("fpdf", "PIL", "fontTools", "defusedxml", "pypdf")
"""The import names of PDF_DISTRIBUTIONS."""
RENDER_OR_READ_PDFS = {"TypesetFunction", "SheetFunction", "ArchiveFunction", "ExchangeFunction", "IncomingFunction"}
TYPESET = {"TypesetFunction"}
FONTS = {"TypesetFunction", "SheetFunction"}
"""The functions that draw: the typesetter, and the 收文处理笺 (incoming.sheet) in the same faces."""

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


def test_the_pdf_stack_is_pinned_in_the_pdf_layer_only() -> None:
    pdf, core = pins(PDF_REQUIREMENTS), pins(OA_CORE_REQUIREMENTS)
    assert set(PDF_DISTRIBUTIONS) <= set(pdf)
    assert not set(PDF_DISTRIBUTIONS) & set(core), "the PDF stack is back in the oa_core layer"
    # The Archive function checks the PDF's seal offline (seal.verify_pdf_offline); no runtime has it.
    assert "cryptography" in pdf
    for name in PDF_DISTRIBUTIONS:
        assert importlib.metadata.version(name) == pdf[name], f"{name}: the venv has another version"


# ---------------------------------------------------------------- who carries what


_TEMPLATE = Template.from_file(TEMPLATE)


def _layers_by_function() -> dict[str, list[str]]:
    """Logical ids of the layers each function carries, in order (Globals first, as SAM merges them)."""
    layer_ids = _TEMPLATE.resources_of_type("AWS::Serverless::LayerVersion")
    by_arn = {_TEMPLATE.ref(layer): layer for layer in layer_ids}
    return {
        function: [by_arn[arn] for arn in _TEMPLATE.properties(function).get("Layers", [])]
        for function in _TEMPLATE.resources_of_type("AWS::Serverless::Function")
    }


LAYERS = _layers_by_function()
INDEX_OR_SEARCH = {
    "ApiFunction",
    "WebFunction",
    "ReviewFunction",
    "NumberFunction",
    "ArchiveFunction",
    "IncomingFunction",
}
"""The functions that write or read the full-text index (oa_core.search): they carry jieba (SearchLayer)."""
SEGMENT = INDEX_OR_SEARCH | TYPESET
"""...and Typeset, whose 标题 lines break between jieba's words (oa_core.publishing.linebreaking)."""


def _code_dir(function: str) -> Path:
    return ROOT / str(_TEMPLATE.properties(function)["CodeUri"])


def test_which_functions_carry_which_layers() -> None:
    assert len(LAYERS) == 20
    assert all(layers[0] == "OaCoreLayer" for layers in LAYERS.values()), "every function carries oa_core first"
    assert {f for f, layers in LAYERS.items() if "PdfLayer" in layers} == RENDER_OR_READ_PDFS
    assert {f for f, layers in LAYERS.items() if "FontsLayer" in layers} == FONTS
    assert {f for f, layers in LAYERS.items() if "SearchLayer" in layers} == SEGMENT
    every_layer = {"OaCoreLayer", "PdfLayer", "FontsLayer", "SearchLayer"}
    assert {layer for layers in LAYERS.values() for layer in layers} == every_layer
    assert LAYERS["TypesetFunction"] == ["OaCoreLayer", "PdfLayer", "FontsLayer", "SearchLayer"]
    assert LAYERS["SheetFunction"] == ["OaCoreLayer", "PdfLayer", "FontsLayer"]


_COLD_STARTS = """
import importlib.util, json, sys
watched, loaded = set(json.loads(sys.argv[1])), {}
for name, handler_file in json.loads(sys.argv[2]).items():
    code_dir = handler_file.rsplit("/", 1)[0]
    sys.path.insert(0, code_dir)  # as /var/task: the function's own modules (routes/) beside app.py
    for own in [m for m in sys.modules if m == "routes" or m.startswith("routes.")]:
        del sys.modules[own]
    spec = importlib.util.spec_from_file_location(f"app_{name}", handler_file)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    sys.path.remove(code_dir)
    loaded[name] = sorted({m.partition(".")[0] for m in sys.modules} & watched)
print(json.dumps(loaded))
"""
"""Import each handler file as a cold start does, in turn, in one fresh interpreter, and print which of
the watched top-level modules are loaded after each. Loading is cumulative, so an empty list after the
last handler means that no handler loaded any of them (and the first list that is not empty names the
handler that did)."""


def test_a_function_without_the_pdf_layer_does_not_load_it_at_a_cold_start() -> None:
    """A fresh interpreter with oa_core on sys.path (besides the venv), so nothing is imported yet."""
    handlers = {f: str(_code_dir(f) / "app.py") for f, layers in sorted(LAYERS.items()) if "PdfLayer" not in layers}
    assert len(handlers) == 15
    result = subprocess.run(
        [sys.executable, "-c", _COLD_STARTS, json.dumps(PDF_MODULES), json.dumps(handlers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(OA_CORE)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert list(loaded) == list(handlers)
    assert {f: modules for f, modules in loaded.items() if modules} == {}, "a handler imports the PDF stack"


# ---------------------------------------------------------------- the token verifier

VERIFY_TOKENS = {"AuthorizerFunction", "WebFunction"}
"""The functions that verify ID tokens with joserfc: the API's authorizer and the web sign-in."""
JOSE_DISTRIBUTIONS = ("joserfc", "cryptography")


def test_only_the_functions_that_verify_tokens_carry_joserfc_and_pin_it_alike() -> None:
    carriers = {
        function
        for function in LAYERS
        if "joserfc" in pins(_code_dir(function) / "requirements.txt")
        if (_code_dir(function) / "requirements.txt").is_file()
    }
    assert carriers == VERIFY_TOKENS
    assert not set(JOSE_DISTRIBUTIONS) & set(pins(OA_CORE_REQUIREMENTS)), "every function would carry it"
    versions = {  # the token verifier's pins (the web function also carries python-docx: 从 Word 导入)
        function: {k: v for k, v in pins(_code_dir(function) / "requirements.txt").items() if k in JOSE_DISTRIBUTIONS}
        for function in VERIFY_TOKENS
    }
    assert len({tuple(sorted(v.items())) for v in versions.values()}) == 1, versions
    for name in JOSE_DISTRIBUTIONS:
        assert importlib.metadata.version(name) == versions["AuthorizerFunction"][name], name
    assert versions["AuthorizerFunction"]["cryptography"] == pins(PDF_REQUIREMENTS)["cryptography"]
    includes = DEV_REQUIREMENTS.read_text(encoding="utf-8")
    assert all(f"-r functions/{f.removesuffix('Function').lower()}/requirements.txt" in includes for f in VERIFY_TOKENS)


def test_no_other_function_loads_joserfc_at_a_cold_start() -> None:
    handlers = {f: str(_code_dir(f) / "app.py") for f in sorted(LAYERS) if f not in VERIFY_TOKENS}
    result = subprocess.run(
        [sys.executable, "-c", _COLD_STARTS, json.dumps(["joserfc"]), json.dumps(handlers)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(OA_CORE)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert {f: modules for f, modules in json.loads(result.stdout).items() if modules} == {}


# ---------------------------------------------------------------- what sam build made

BUILD = ROOT / ".aws-sam" / "build"
UNZIPPED_LIMIT = 250_000_000
"""Lambda's limit on a function's code and all its layers, unzipped: 250 MB (AWS counts MiB; the
decimal figure keeps a margin)."""
DIRECT_UPLOAD_LIMIT = 50_000_000
"""Lambda's limit on a layer's zip uploaded directly (not from S3): 50 MB."""
_BUILD_INPUTS = [
    TEMPLATE,
    *ROOT.glob("layers/*/requirements.txt"),
    *ROOT.glob("functions/*/requirements.txt"),
    *ROOT.glob("layers/fonts/*"),
]


def _build() -> Path:
    """The output of ``sam build`` (make template-check, run by make test before pytest); skips when
    there is none, or when it predates the template or a requirements file."""
    built = BUILD / "template.yaml"
    if not built.is_file():
        pytest.skip("no sam build output in .aws-sam/build: run make template-check (make test does)")
    if built.stat().st_mtime < max(path.stat().st_mtime for path in _BUILD_INPUTS):
        pytest.skip(".aws-sam/build predates template.yaml or a requirements file: run make template-check")
    return BUILD


def _zipped_bytes(directory: Path) -> int:
    """The size of the directory's zip, deflated as sam deploy packs a layer."""
    with tempfile.TemporaryFile() as file:
        with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(directory))
        return file.tell()


def _unzipped_bytes(directory: Path) -> int:
    assert directory.is_dir(), f"sam build made no {directory.name}"
    return sum(path.lstat().st_size for path in directory.rglob("*") if path.is_file() and not path.is_symlink())


def test_every_function_with_its_layers_is_under_the_unzipped_limit() -> None:
    build = _build()
    sizes = {
        name: _unzipped_bytes(build / name) for name in {*LAYERS, *(layer for ls in LAYERS.values() for layer in ls)}
    }
    totals = {f: sizes[f] + sum(sizes[layer] for layer in layers) for f, layers in LAYERS.items()}
    over = {f: total for f, total in totals.items() if total >= UNZIPPED_LIMIT}
    assert not over, f"over Lambda's {UNZIPPED_LIMIT:,} bytes unzipped: {over}"
    # What the PDF layer is for: the functions with oa_core alone stay under a quarter of the limit (with
    # the PDF stack in oa_core they were 90 MB).
    assert all(totals[f] < UNZIPPED_LIMIT // 4 for f, layers in LAYERS.items() if layers == ["OaCoreLayer"])


def _distribution_of(entry: Path) -> str:
    """The normalised distribution name a site-packages entry belongs to, by its name: ``pillow`` for
    ``pillow-13.0.0.dist-info`` and ``pillow.libs``, ``fonttools`` for ``fonttools-4.68.0.data``."""
    return re.sub(r"[-_.]+", "-", entry.name.split("-")[0].split(".")[0]).lower()


def test_the_oa_core_layer_build_has_no_pdf_stack() -> None:
    build = _build()
    core, pdf = build / "OaCoreLayer" / "python", build / "PdfLayer" / "python"
    found = [p.name for p in core.iterdir() if p.name in PDF_MODULES or _distribution_of(p) in PDF_DISTRIBUTIONS]
    assert not found, f"the PDF stack is in the oa_core layer: {found}"
    assert all((pdf / module).is_dir() for module in PDF_MODULES), "the PDF layer lacks part of the PDF stack"


# ---------------------------------------------------------------- the fonts layer's faces

NOTO = Path("/usr/share/fonts/opentype/noto")
KAI_SOURCE = Path("/usr/share/fonts/truetype/lxgw-wenkai")
SC_FACE = 2
FACE_SOURCES = {
    "NotoSerifCJKsc-Regular.otf": (NOTO / "NotoSerifCJK-Regular.ttc", SC_FACE),
    "NotoSerifCJKsc-Bold.otf": (NOTO / "NotoSerifCJK-Bold.ttc", SC_FACE),
    "NotoSansCJKsc-Regular.otf": (NOTO / "NotoSansCJK-Regular.ttc", SC_FACE),
    "LXGWWenKai-Regular.ttf": (KAI_SOURCE / "LXGWWenKai-Regular.ttf", 0),
}
"""Each face the typesetter uses, the Debian file it is extracted from and the face's index there (the SC face,
index 2, of a Noto CJK collection; the single face of LXGW WenKai)."""
LICENCES = {"fonts/LICENSE-NotoCJK.txt", "fonts/LICENSE-LXGWWenKai.txt"}


def test_the_fonts_layer_holds_only_the_faces_the_typesetter_uses_their_states_and_their_licence() -> None:
    fonts = _build() / "FontsLayer"
    found = {str(path.relative_to(fonts)) for path in fonts.rglob("*") if path.is_file()}
    prepared = {f"fonts/{name}{PREPARED}" for name in FONT_FILES.values()} | {f"fonts/{INDEX_FILE}"}
    assert found == {*(f"fonts/{name}" for name in FONT_FILES.values()), *prepared, *LICENCES}
    assert set(FACE_SOURCES) == set(FONT_FILES.values())


def test_the_fonts_layer_can_be_uploaded_directly() -> None:
    zipped = _zipped_bytes(_build() / "FontsLayer")
    assert zipped < DIRECT_UPLOAD_LIMIT, f"the fonts layer zips to {zipped:,} bytes"


@pytest.mark.parametrize("name", sorted(FACE_SOURCES))
def test_each_built_face_has_every_character_and_width_of_its_source(name: str) -> None:
    """The same cmap (every code point to the same glyph) and the same advance widths as the source's face (a
    collection's SC face): extracting dropped no character the typesetter might be given."""
    from fontTools.ttLib import TTFont

    built_path = _build() / "FontsLayer" / "fonts" / name
    source_path, index = FACE_SOURCES[name]
    if not source_path.is_file():
        pytest.skip(f"{source_path} is not installed (make font-deps)")
    built = TTFont(built_path, lazy=True)
    source = TTFont(source_path, fontNumber=index, lazy=True)
    assert index != SC_FACE or " SC" in built["name"].getDebugName(4)
    assert built["name"].getDebugName(4) == source["name"].getDebugName(4)
    # Every code point kept, each with its advance width; by each font's own glyph names, since a TrueType
    # face's names are regenerated (uniXXXX) when the post table is rewritten.
    cmap, built_cmap = source.getBestCmap(), built.getBestCmap()
    assert built_cmap.keys() == cmap.keys()
    built_widths, source_widths = built["hmtx"], source["hmtx"]
    assert all(built_widths[built_cmap[code]][0] == source_widths[glyph][0] for code, glyph in cmap.items())
