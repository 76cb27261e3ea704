"""The archive package checked offline: its manifest, and a package sealed with SM2 (the AWS China regions)
through verify_package and make verify."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.ops import verify as verify_cli
from oa_core.records.package import build_package, verify_package
from tests.unit.publishing.kms_keys import FakeKms, Sm2Key


def test_package_verification_finds_a_changed_file() -> None:
    data = b"final text"
    manifest = json.dumps({"files": [{"path": "final.txt", "sha256": hashlib.sha256(data).hexdigest()}]}).encode()
    assert verify_package(_package({"final.txt": data}, manifest)) == []
    assert verify_package(_package({"final.txt": b"final texT"}, manifest)) == ["digest mismatch: final.txt"]
    assert verify_package(_package({"final.txt": data, "extra.txt": b"x"}, manifest)) == ["unlisted: extra.txt"]


def _package(files: dict[str, bytes], manifest: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
        package.writestr("manifest.json", manifest)
    return buffer.getvalue()


# ---------------------------------------------------------------- a package sealed by an SM2 key


def sm2_sealed_package(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A package as 归档 writes it in the AWS China regions: the document sealed with SM2DSA, the issued PDF
    sealed so too, the manifest signed so too, each naming its algorithm."""
    from oa_core.outgoing import sealing
    from oa_core.outgoing.storage import DocumentItem
    from oa_core.platform.config import settings
    from oa_core.publishing import seal

    kms = FakeKms(Sm2Key())
    monkeypatch.setenv("SEAL_ALGORITHM", "SM2DSA")
    monkeypatch.setattr(seal, "_kms", lambda: kms)
    settings.cache_clear()
    doc = DocumentItem(
        "DOC#d1",
        "META",
        document_id="d1",
        doc_type="通知",
        title="关于做好冬季安全生产工作的通知",
        body="各单位要认真组织实施。",
        number="示例办发〔2026〕7号",
        main_recipients=["各区县人民政府"],
        drafter="wangwu",
        reviewer="lisi",
        signer="zhangsan",
        signed_by="zhangsan",
        sign_date="2026-11-25",
        status="archived",
        current_step="archive",
        created_at="2026-11-24T09:00:00+08:00",
        word_count=11,
    )
    doc.seal_digest = seal.digest(sealing.canonical(doc)).hex()
    doc.seal_signature = seal.sign_digest(bytes.fromhex(doc.seal_digest))
    doc.seal_algorithm = seal.algorithm()
    doc.seal_key = "alias/oa-seal"
    pdf = seal.seal_pdf(b"%PDF-1.7\n%%EOF\n", {"document_id": "d1", "number": str(doc.number)})
    data, _manifest = build_package(doc, [], pdf=pdf)
    assert [call["SigningAlgorithm"] for call in kms.signed] == ["SM2DSA"] * 3
    return data


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    from oa_core.platform.config import settings

    yield
    settings.cache_clear()


def test_a_package_sealed_with_sm2_verifies_offline_and_through_make_verify(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sm2_sealed_package(monkeypatch)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert json.loads(package.read("seal.json"))["algorithm"] == "SM2DSA"
        assert json.loads(package.read("manifest.sig"))["algorithm"] == "SM2DSA"
        pdf = package.read("document.pdf")
    assert verify_package(data) == []
    (tmp_path / "package.zip").write_bytes(data)
    (tmp_path / "document.pdf").write_bytes(pdf)
    assert verify_cli.main([str(tmp_path / "package.zip")]) == 0
    assert verify_cli.main([str(tmp_path / "document.pdf")]) == 0
    said = capsys.readouterr().out
    assert said.count("完整 (intact)") == 2 and said.count("（SM2DSA）") == 2


def test_a_changed_sm2_sealed_package_or_pdf_fails_make_verify(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = sm2_sealed_package(monkeypatch)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        files = {name: package.read(name) for name in package.namelist()}
    # The text changed and the manifest's digest rewritten to match: the seal and the manifest's signature catch it.
    canonical = files["canonical.json"].replace("认真".encode(), "酌情".encode())
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == "canonical.json":
            entry["sha256"] = hashlib.sha256(canonical).hexdigest()
    forged = {**files, "canonical.json": canonical, "manifest.json": json.dumps(manifest).encode()}
    problems = verify_package(_zip(forged))
    assert any(p.startswith("seal:") for p in problems) and any(p.startswith("manifest signature") for p in problems)
    (tmp_path / "forged.zip").write_bytes(_zip(forged))
    assert verify_cli.main([str(tmp_path / "forged.zip")]) == 1
    pdf = bytearray(files["document.pdf"])
    pdf[5] ^= 0x01
    (tmp_path / "changed.pdf").write_bytes(bytes(pdf))
    assert verify_cli.main([str(tmp_path / "changed.pdf")]) == 1


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    return buffer.getvalue()
