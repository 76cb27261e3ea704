"""附件 in the archive package (DA/T 22 一文一档: the 件 holds its 附件): each attachment's original bytes under
``attachments/``, listed in the manifest with its name, title, type and SHA-256, and checked on the way back.

A file is stored as ``attachments/<NN><ext>`` (NN its place in the 附件说明, the extension its kind's), never
under the name it was uploaded with: names keep their Chinese characters and may hold anything a person typed,
so they live in the manifest (``manifest.json`` → ``attachments``), which the package's signature covers, and the
path stays plain for every unzip tool. `check` is what `verify_package` (``make verify``) and the 四性检测 ask:
every listed attachment present, its bytes the recorded SHA-256 (the digest taken at upload), its bytes of the
recorded type (platform.filetypes judges them again), and a PDF one openable.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from oa_core.outgoing.storage import AttachmentEntry
from oa_core.platform import filetypes

FOLDER = "attachments/"


def path_for(position: int, entry: AttachmentEntry) -> str:
    kind = next((k for k in filetypes.KINDS if k.key == entry.kind), None)
    extension = filetypes.extension_of(entry.filename)
    if kind is None or extension not in kind.extensions:
        extension = kind.extensions[0] if kind else ".bin"
    return f"{FOLDER}{position:02d}{extension}"


def listed(entries: Sequence[AttachmentEntry], files: dict[str, bytes], read: Any) -> list[dict[str, Any]]:
    """Each attachment read (`read(entry)`: its checked bytes) into `files`; the manifest's list of them."""
    rows = []
    for position, entry in enumerate(entries, start=1):
        path = path_for(position, entry)
        files[path] = read(entry)
        rows.append(
            {
                "no": position,
                "path": path,
                "title": entry.title,
                "filename": entry.filename,
                "kind": entry.kind,
                "content_type": entry.content_type,
                "size": int(entry.size),
                "sha256": entry.sha256,
                "uploaded_by": entry.uploaded_by,
                "uploaded_at": entry.uploaded_at,
            }
        )
    return rows


def check(package: zipfile.ZipFile, rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(integrity problems, usability problems) of the listed attachments, in Chinese, naming each file."""
    names = set(package.namelist())
    integrity: list[str] = []
    usability: list[str] = []
    for row in rows:
        path, label = str(row.get("path", "")), f"附件{row.get('no', '?')}（{row.get('filename', '')}）"
        if not path.startswith(FOLDER) or path not in names:
            integrity.append(f"{label}缺失")
            continue
        data = package.read(path)
        if hashlib.sha256(data).hexdigest() != row.get("sha256") or len(data) != row.get("size"):
            integrity.append(f"{label}与登记的摘要不一致")
        kind = filetypes.sniff(data)
        if kind is None or kind.key != row.get("kind"):
            usability.append(f"{label}的内容不是登记的类型")
        elif kind.key == "pdf":
            usability.extend(_pdf_problem(label, data))
    return integrity, usability


def _pdf_problem(label: str, data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        PdfReader(io.BytesIO(data)).pages[0]
    except (PyPdfError, ValueError, KeyError, IndexError, OSError) as exc:
        return [f"{label}无法打开（{type(exc).__name__}）"]
    return []


def rows_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    rows = manifest.get("attachments") or []
    return [row for row in rows if isinstance(row, dict)]


def total_size(manifest: dict[str, Any]) -> int:
    return sum(int(row.get("size") or 0) for row in rows_of(manifest))
