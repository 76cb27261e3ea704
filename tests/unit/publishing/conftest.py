"""The fonts layer built as the local stack builds it, and the sample documents rendered with it once per test
session (and kept under test-artifacts/pdf for a look)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local.provision import build_makefile_layer
from infra.local.template import Template
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.samples import LONG, NOTICE, REQUEST

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "pdf"


@pytest.fixture(scope="session")
def font_dir() -> Path:
    """The faces the fonts layer holds (its build extracts them from the Noto CJK collections, once a machine)."""
    return build_makefile_layer(Template.from_file(ROOT / "template.yaml"), "FontsLayer") / "fonts"


@pytest.fixture(scope="session")
def notice_pdf(font_dir: Path) -> bytes:
    data = render_pdf(NOTICE, font_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "tongzhi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="session")
def request_pdf(font_dir: Path) -> bytes:
    data = render_pdf(REQUEST, font_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "qingshi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="session")
def long_pdf(font_dir: Path) -> bytes:
    data = render_pdf(LONG, font_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-sample.pdf").write_bytes(data)
    return data
