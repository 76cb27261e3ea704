"""The sample documents rendered once per test session (and kept under test-artifacts/pdf for a look)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.samples import FONT_DIR, LONG, NOTICE, REQUEST

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "pdf"


@pytest.fixture(scope="session")
def notice_pdf() -> bytes:
    data = render_pdf(NOTICE, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "tongzhi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="session")
def request_pdf() -> bytes:
    data = render_pdf(REQUEST, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "qingshi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="session")
def long_pdf() -> bytes:
    data = render_pdf(LONG, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-sample.pdf").write_bytes(data)
    return data
