"""``python -m infra.ops.verify FILE`` (``make verify FILE=…``): is a package or an issued PDF or OFD intact, and
who signed it?

Checks, offline (no AWS access needed). A package: every file against the manifest's SHA-256, the
manifest against its signature, the document (canonical.json), document.pdf and document.ofd against their
电子签章, with the public key the package carries, by the algorithm each seal names (ECDSA P-256 or
SM2). A PDF: every byte before its seal block against the signature in it. An OFD: every file of the
package against its SHA-256 in Signature.xml, and Signature.xml against the signature in SignedValue.dat.
Exit status 0 when intact, 1 when not, 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "layers" / "oa_core"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path, help="an archive package (.zip), an issued PDF (.pdf) or OFD (.ofd)")
    args = parser.parse_args(argv)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"无法读取 {args.file}: {exc}", file=sys.stderr)
        return 2
    if data.startswith(b"%PDF-"):
        from oa_core.publishing.seal import verify_pdf_offline

        return _verify_issued(args.file, *verify_pdf_offline(data))
    if _is_ofd(data):
        from oa_core.publishing.ofdseal import verify_ofd_offline

        return _verify_issued(args.file, *verify_ofd_offline(data))
    from oa_core.records.package import verify_package

    problems = verify_package(data)
    signer = ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if "seal.json" in package.namelist():
                sealed = json.loads(package.read("seal.json"))
                name = sealed.get("signer_name") or sealed.get("signed_by", "")
                signer = f"{name}，签发于 {sealed.get('signed_at', '')}"
                signer += f"（{_algorithm(sealed.get('algorithm'), str(sealed.get('public_key', '')), pem=True)}）"
            number = json.loads(package.read("manifest.json")).get("number", "")
    except (zipfile.BadZipFile, KeyError, ValueError):
        number = ""
    if problems:
        print(f"不完整或已被改动 (NOT intact): {args.file}")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"完整 (intact): {args.file} {number}")
    print(f"签章 (sealed by): {signer}" if signer else "未签章 (no seal in this package)")
    return 0


def _is_ofd(data: bytes) -> bool:
    """An OFD package: a ZIP whose entry is OFD.xml (an archive package has manifest.json instead)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        return False
    return "OFD.xml" in names and "manifest.json" not in names


def _verify_issued(path: Path, problem: str | None, block: dict[str, object]) -> int:
    """The verdict on an issued PDF or OFD: its seal checked with the public key it carries."""
    import base64
    import hashlib

    if problem:
        print(f"不完整或已被改动 (NOT intact): {path}")
        print(f"  - {problem}")
        return 1
    key = hashlib.sha256(base64.b64decode(str(block.get("public_key", "")))).hexdigest()[:16]
    print(f"完整 (intact): {path} {block.get('number', '')}")
    algorithm = _algorithm(block.get("alg"), str(block.get("public_key", "")), pem=False)
    signer = block.get("signer_name") or block.get("signed_by", "")
    print(f"签章 (sealed by): {signer}，签发于 {block.get('sign_date', '')}（{algorithm}）")
    print(f"签章公钥指纹 (seal key fingerprint, SHA-256 of the DER key): {key}")
    return 0


def _algorithm(recorded: object, public_key: str, *, pem: bool) -> str:
    """The seal's algorithm as recorded, else (a seal made before it was recorded) the one its key signs with."""
    import base64

    from oa_core.publishing.signatures import der_from_pem, public_point

    if recorded:
        return str(recorded)
    try:
        return public_point(der_from_pem(public_key) if pem else base64.b64decode(public_key))[0]
    except ValueError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
