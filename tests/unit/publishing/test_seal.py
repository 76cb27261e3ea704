"""电子签章 by either seal key, checked offline: an SM2 seal (the AWS China regions) and an ECDSA P-256 one, each
recorded with its algorithm; a changed byte, another key or another algorithm fails."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.template import Template
from oa_core.platform.config import settings
from oa_core.publishing import seal, signatures
from tests.unit.publishing.kms_keys import FakeKms, P256Key, SealKey, Sm2Key

TEMPLATE = Path(__file__).resolve().parents[3] / "template.yaml"
KMS_SIGNING_ALGORITHMS = {"SM2": ["SM2DSA"], "ECC_NIST_P256": ["ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512"]}
"""What KMS signs with, by key spec (the KMS API's SigningAlgorithms of GetPublicKey)."""
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
INFO = {"document_id": "d1", "number": "示例办发〔2026〕7号", "signed_by": "zhangsan", "sign_date": "2026-11-25"}


def sealed_by(key: SealKey, monkeypatch: pytest.MonkeyPatch) -> FakeKms:
    """The stack configured for `key`'s algorithm (SEAL_ALGORITHM), its KMS answering with `key`."""
    kms = FakeKms(key)
    monkeypatch.setenv("SEAL_ALGORITHM", key.algorithm)
    monkeypatch.setattr(seal, "_kms", lambda: kms)
    settings.cache_clear()
    return kms


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    yield
    settings.cache_clear()


@pytest.fixture(params=[Sm2Key, P256Key], ids=["SM2DSA", "ECDSA_SHA_256"])
def key(request: pytest.FixtureRequest) -> SealKey:
    made: SealKey = request.param()
    return made


@pytest.mark.parametrize(
    ("region", "key_spec", "algorithm"),
    [
        ("cn-north-1", "SM2", "SM2DSA"),
        ("cn-northwest-1", "SM2", "SM2DSA"),
        ("us-east-1", "ECC_NIST_P256", "ECDSA_SHA_256"),
    ],
)
def test_the_template_gives_each_partition_its_seal_key_and_every_function_its_algorithm(
    region: str, key_spec: str, algorithm: str
) -> None:
    template = Template.from_file(TEMPLATE, region=region)
    assert template.properties("SealKey")["KeySpec"] == key_spec
    assert algorithm in KMS_SIGNING_ALGORITHMS[key_spec]
    functions = template.resources_of_type("AWS::Serverless::Function")
    assert {template.function_environment(name)["SEAL_ALGORITHM"] for name in functions} == {algorithm}


def test_the_seal_algorithm_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_ALGORITHM", "SM2DSA")
    settings.cache_clear()
    assert settings().seal_algorithm == seal.algorithm() == "SM2DSA"
    monkeypatch.delenv("SEAL_ALGORITHM")
    settings.cache_clear()
    assert seal.algorithm() == "ECDSA_SHA_256"


def test_a_sealed_pdf_names_its_algorithm_and_verifies_offline(key: SealKey, monkeypatch: pytest.MonkeyPatch) -> None:
    kms = sealed_by(key, monkeypatch)
    data = seal.seal_pdf(PDF, INFO)
    problem, block = seal.verify_pdf_offline(data)
    assert problem is None
    assert block["alg"] == key.algorithm and block["number"] == INFO["number"]
    assert base64.b64decode(block["public_key"]) == key.public_key()
    assert [(call["SigningAlgorithm"], call["MessageType"], call["Message"]) for call in kms.signed] == [
        (key.algorithm, "RAW", seal.digest(PDF))
    ]


def test_one_changed_byte_of_a_sealed_pdf_fails(key: SealKey, monkeypatch: pytest.MonkeyPatch) -> None:
    sealed_by(key, monkeypatch)
    data = bytearray(seal.seal_pdf(PDF, INFO))
    data[12] ^= 0x01
    problem, _ = seal.verify_pdf_offline(bytes(data))
    assert problem is not None and "content changed" in problem


def test_a_pdf_resealed_with_the_changed_digest_but_the_old_signature_fails(
    key: SealKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed_by(key, monkeypatch)
    pdf, block = seal.split_sealed_pdf(seal.seal_pdf(PDF, INFO))
    assert block is not None
    changed = pdf.replace(b"Catalog", b"Catalgo")
    forged = {**block, "sha256": seal.digest(changed).hex()}
    data = changed + seal.PDF_SEAL_MARKER + json.dumps(forged).encode("ascii") + b"\n"
    assert seal.verify_pdf_offline(data)[0] == "签章签名无效 (signature does not verify)"


def test_a_signature_checks_only_under_the_key_that_made_it(key: SealKey) -> None:
    message = seal.digest(b"canonical content")
    signature = key.sign(message)
    assert signatures.check(key.public_key(), signature, message, key.algorithm) is None
    other = type(key)()
    assert signatures.check(other.public_key(), signature, message, key.algorithm) is not None


def test_a_seal_that_names_another_algorithm_than_its_keys_fails() -> None:
    sm2_key, p256_key = Sm2Key(), P256Key()
    message = seal.digest(b"x")
    assert "签章算法与公钥不符" in str(
        signatures.check(sm2_key.public_key(), sm2_key.sign(message), message, "ECDSA_SHA_256")
    )
    assert "签章算法与公钥不符" in str(
        signatures.check(p256_key.public_key(), p256_key.sign(message), message, "SM2DSA")
    )


def test_a_seal_made_before_algorithms_were_recorded_is_checked_by_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    sealed_by(P256Key(), monkeypatch)
    pdf, block = seal.split_sealed_pdf(seal.seal_pdf(PDF, INFO))
    assert block is not None
    del block["alg"]
    data = pdf + seal.PDF_SEAL_MARKER + json.dumps(block).encode("ascii") + b"\n"
    assert seal.verify_pdf_offline(data)[0] is None


def test_signatures_of_every_length_fit_the_seal_block(key: SealKey, monkeypatch: pytest.MonkeyPatch) -> None:
    """DER (r, s) is 70, 71 or 72 bytes (more rarely fewer) for both curves: the block takes each as it is."""
    sealed_by(key, monkeypatch)
    lengths: set[int] = set()
    for attempt in range(64):
        data = seal.seal_pdf(PDF + b"%" + str(attempt).encode() + b"\n", INFO)
        problem, block = seal.verify_pdf_offline(data)
        assert problem is None
        lengths.add(len(base64.b64decode(block["signature"])))
        if len(lengths) > 1:
            break
    assert len(lengths) > 1 and lengths <= set(range(64, 73))


def test_an_unknown_seal_algorithm_is_refused_before_kms_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    kms = sealed_by(Sm2Key(), monkeypatch)
    monkeypatch.setenv("SEAL_ALGORITHM", "SM2")
    settings.cache_clear()
    with pytest.raises(ValueError, match="不支持的签章算法"):
        seal.sign_digest(seal.digest(PDF))
    assert kms.signed == []


def test_unreadable_keys_and_signatures_say_so() -> None:
    key = Sm2Key()
    message = seal.digest(b"x")
    assert signatures.check(b"not der", key.sign(message), message) == "签章公钥无法读取 (unreadable public key)"
    assert signatures.check(key.public_key(), b"\x30\x00", message) is not None
    assert signatures.check(P256Key().public_key(), b"junk", message) is not None


OPENSSL = shutil.which("openssl")


def _openssl_has_sm2() -> bool:
    if OPENSSL is None:
        return False
    listed = subprocess.run([OPENSSL, "list", "-public-key-algorithms"], capture_output=True, text=True, check=False)
    return "SM2" in listed.stdout


@pytest.mark.skipif(not _openssl_has_sm2(), reason="no openssl with SM2 on PATH")
def test_an_sm2_signature_made_by_openssl_with_the_default_id_verifies(tmp_path: Path) -> None:
    """An implementation we did not write (OpenSSL 3, which AWS names as computing Z_A as KMS does) signs a
    digest as KMS does with MessageType RAW (SM3 over Z_A with the default ID, and the message); our check
    agrees, and refuses it for another message."""
    assert OPENSSL is not None
    message = seal.digest(b"canonical content")
    (tmp_path / "message").write_bytes(message)

    def openssl(*args: str) -> None:
        subprocess.run([str(OPENSSL), *args], cwd=tmp_path, capture_output=True, check=True)

    openssl("genpkey", "-algorithm", "SM2", "-out", "key.pem")
    openssl("pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "public.der")
    openssl(
        *("pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", "key.pem", "-in", "message"),
        *("-pkeyopt", "distid:1234567812345678", "-out", "signature.der"),
    )
    public, signature = (tmp_path / "public.der").read_bytes(), (tmp_path / "signature.der").read_bytes()
    assert signatures.public_point(public)[0] == "SM2DSA"
    assert signatures.check(public, signature, message, "SM2DSA") is None
    assert signatures.check(public, signature, seal.digest(b"other content"), "SM2DSA") is not None
