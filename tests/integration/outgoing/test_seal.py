"""电子签章: the issued document is sealed with the stack's KMS key; a changed byte breaks it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from infra.local.stack import LocalStack
from infra.ops import verify as verify_cli
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.storage import doc_pk
from oa_core.records.package import verify_package
from tests.integration.kit import Api, approve, submit, users_with, wait_status

pytestmark = pytest.mark.integration


def archived(api: Api) -> dict[str, object]:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=[])
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def package_of(stack: LocalStack, doc: dict[str, object]) -> bytes:
    bucket = stack.provisioned.buckets["ArchiveBucket"] if stack.provisioned else ""
    body = stack.s3.get_object(Bucket=bucket, Key=str(doc["archive_key"]))["Body"]
    return bytes(body.read())


def rewrite(data: bytes, changes: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, changes.get(name, source.read(name)))
    return out.getvalue()


def test_a_sealed_document_verifies_and_a_changed_text_does_not(stack: LocalStack) -> None:
    api = Api(stack)
    doc = archived(api)
    drafter, signer = users_with("drafter")[0], users_with("signer")[0]
    status, result = api.call("GET", f"/api/documents/{doc['document_id']}/verify", drafter)
    assert status == 200, result
    assert result["valid"] is True and result["signed_by"] == signer and result["signed_at"] == doc["sign_date"]
    item = DocumentItem.get(doc_pk(str(doc["document_id"])), "META")
    item.update(actions=[DocumentItem.body.set(str(doc["body"]) + "。")])  # one character more
    status, result = api.call("GET", f"/api/documents/{doc['document_id']}/verify", drafter)
    assert result["valid"] is False and "改动" in result["reason"]
    assert api.call("GET", f"/api/documents/{doc['document_id']}/verify", "liuyang")[0] == 403


def test_the_archive_package_is_intact_and_one_changed_byte_is_caught(stack: LocalStack, tmp_path: Path) -> None:
    api = Api(stack)
    doc = archived(api)
    data = package_of(stack, doc)
    assert verify_package(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        sealed = json.loads(package.read("seal.json"))
        canonical = package.read("canonical.json")
        manifest = json.loads(package.read("manifest.json"))
    assert {"seal.json", "canonical.json", "manifest.sig"} <= names
    assert sealed["signed_by"] == users_with("signer")[0] and "BEGIN PUBLIC KEY" in sealed["public_key"]

    flipped = bytearray(canonical)
    flipped[10] ^= 0x01
    assert "digest mismatch: canonical.json" in verify_package(rewrite(data, {"canonical.json": bytes(flipped)}))

    # Someone who also rewrites the manifest's digest is caught by the manifest's signature and the seal.
    for entry in manifest["files"]:
        if entry["path"] == "canonical.json":
            entry["sha256"] = hashlib.sha256(bytes(flipped)).hexdigest()
    forged = rewrite(
        data,
        {"canonical.json": bytes(flipped), "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()},
    )
    problems = verify_package(forged)
    assert any(p.startswith("seal:") for p in problems) and any(p.startswith("manifest signature") for p in problems)

    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(data)
    bad.write_bytes(forged)
    assert verify_cli.main([str(good)]) == 0
    assert verify_cli.main([str(bad)]) == 1
    assert verify_cli.main([str(tmp_path / "missing.zip")]) == 2
