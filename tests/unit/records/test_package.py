"""The archive package's manifest check, offline."""

from __future__ import annotations

import io
import zipfile

from oa_core.records.package import verify_package


def test_package_verification_finds_a_changed_file() -> None:
    import hashlib
    import json

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
