"""Seal keys that answer as the stack's KMS key does, for the offline checks: an SM2 key (moto cannot sign with
one: its SM2 keys are RSA keys underneath) and an ECDSA P-256 key.

Both give what KMS gives: GetPublicKey the DER SubjectPublicKeyInfo (id-ecPublicKey, the curve's OID), Sign
(MessageType RAW) a DER SEQUENCE {r, s}: ECDSA over SHA-256(M), SM2DSA over SM3(Z_A ‖ M) with the default
distinguishing ID 1234567812345678. The SM2 signature is made with gmssl (with a secure nonce: gmssl's own
comes from `random`), which the product uses only to verify.
"""

from __future__ import annotations

import secrets
from typing import Any

from Cryptodome.Util.asn1 import DerBitString, DerObjectId, DerSequence
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from gmssl import sm2

from oa_core.publishing.signatures import ECDSA_SHA_256, ID_EC_PUBLIC_KEY, SM2_ORDER, SM2DSA

SM2_CURVE = "1.2.156.10197.1.301"


class Sm2Key:
    """An SM2 key pair (GB/T 32918) as KMS's SM2 key signs with SM2DSA."""

    algorithm = SM2DSA

    def __init__(self) -> None:
        self._d = secrets.randbelow(SM2_ORDER - 2) + 1
        self._xy = sm2.CryptSM2(private_key="", public_key="")._kg(self._d, sm2.default_ecc_table["g"])

    def public_key(self) -> bytes:
        algorithm = DerSequence([DerObjectId(ID_EC_PUBLIC_KEY), DerObjectId(SM2_CURVE)])
        return bytes(DerSequence([algorithm, DerBitString(b"\x04" + bytes.fromhex(self._xy))]).encode())

    def sign(self, message: bytes) -> bytes:
        signer = sm2.CryptSM2(private_key=f"{self._d:064x}", public_key=self._xy)
        signer.public_key = self._xy  # see signatures._check_sm2: gmssl's lstrip of "04"
        while True:
            signed = signer.sign_with_sm3(message, f"{secrets.randbelow(SM2_ORDER - 1) + 1:064x}")
            if signed:
                return bytes(DerSequence([int(signed[:64], 16), int(signed[64:], 16)]).encode())


class P256Key:
    """An ECC NIST P-256 key pair as KMS's ECC_NIST_P256 key signs with ECDSA_SHA_256."""

    algorithm = ECDSA_SHA_256

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())

    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message, ec.ECDSA(hashes.SHA256()))


SealKey = Sm2Key | P256Key


class FakeKms:
    """The KMS calls the seal makes (Sign, GetPublicKey), answered with one key; each Sign is kept to be looked at."""

    def __init__(self, key: SealKey) -> None:
        self.key = key
        self.signed: list[dict[str, Any]] = []

    def sign(self, **request: Any) -> dict[str, Any]:
        self.signed.append(request)
        if request["SigningAlgorithm"] != self.key.algorithm or request["MessageType"] != "RAW":
            raise AssertionError(f"KMS would refuse or sign otherwise: {request}")
        return {"Signature": self.key.sign(request["Message"]), "SigningAlgorithm": self.key.algorithm}

    def get_public_key(self, **request: Any) -> dict[str, Any]:
        return {"PublicKey": self.key.public_key()}
