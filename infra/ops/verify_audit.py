"""``python -m infra.ops.verify_audit EXPORT [ANCHOR ...]`` (``make verify-audit``): is an audit trail intact?

Checks, offline (no AWS access needed), an export of the audit trail (JSON lines, from GET
/api/audit/export?format=jsonl) and the anchors (审计锚定: ``audit-anchors/…json`` from the Object Lock
bucket, files or directories of them):

- every record against its own hash (an altered record);
- every chain from its first record (``seq`` 0, ``prev_hash`` of zeros) without a gap, each record's
  ``prev_hash`` the hash of the one before (a deleted record, a record put in between);
- every anchor's signature (by the algorithm it names, with the public key given by ``--public-key`` or
  else the one it carries) over the digest of its body, and every chain head it names present in the
  export with that hash (a truncated tail, a rewritten chain, a chain deleted whole).

The first problem found names the record (chain and seq). Exit status 0 when intact, 1 when not, 2 when a
file cannot be read. ``--partial`` accepts an export that starts inside chains (a time range): a chain's
first record there is then taken as given, and anchored chains absent from the export are skipped.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "layers" / "oa_core"))

from oa_core.platform.audit import GENESIS, record_hash
from oa_core.platform.audit_trail import anchor_body
from oa_core.publishing.signatures import check, der_from_pem


def _name(row: dict[str, Any]) -> str:
    return f"链 {row.get('chain')} 第 {row.get('seq')} 条 ({row.get('at')} {row.get('actor')} {row.get('action')})"


def check_records(rows: Iterable[dict[str, Any]], *, partial: bool = False) -> tuple[list[str], dict[str, list]]:
    """Problems of the records themselves and of their chains (first problem first), and the chains."""
    problems: list[str] = []
    chains: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if record_hash(row) != row.get("hash"):
            problems.append(f"记录被篡改 (altered): {_name(row)}")
        chains.setdefault(str(row.get("chain")), []).append(row)
    for chain, records in sorted(chains.items()):
        records.sort(key=lambda r: int(r.get("seq", 0)))
        first = records[0]
        if int(first["seq"]) != 0 and not partial:
            gap = f"第 0–{int(first['seq']) - 1} 条"
            problems.append(f"链首缺失 (deleted): 链 {chain} {gap}不在导出中，首条为 {_name(first)}")
        elif int(first["seq"]) == 0 and first.get("prev_hash") != GENESIS:
            problems.append(f"链首不是起点 (forged start): {_name(first)}")
        for before, after in pairwise(records):
            if int(after["seq"]) != int(before["seq"]) + 1:
                missing = f"{int(before['seq']) + 1}" + (
                    f"–{int(after['seq']) - 1}" if int(after["seq"]) - 1 > int(before["seq"]) + 1 else ""
                )
                problems.append(f"记录缺失 (deleted): 链 {chain} 第 {missing} 条，其后为 {_name(after)}")
            elif after.get("prev_hash") != before.get("hash"):
                problems.append(f"前一条哈希不符 (chain broken): {_name(after)}")
    return problems, chains


def check_anchor(
    anchor: dict[str, Any], chains: dict[str, list[dict[str, Any]]], *, public_key: bytes | None, partial: bool
) -> list[str]:
    """Problems of one anchor: its signature, and each chain head it names against the export."""
    body = anchor.get("body") or {}
    where = f"锚定 {body.get('at', '?')}"
    digest = hashlib.sha256(anchor_body(body.get("chains") or {}, str(body.get("at")), str(body.get("since")))).digest()
    if digest.hex() != anchor.get("digest"):
        return [f"{where}: 摘要与内容不符 (anchor altered)"]
    try:
        key = public_key or base64.b64decode(str(anchor["public_key_der"]), validate=True)
        signature = base64.b64decode(str(anchor["signature"]), validate=True)
    except (KeyError, ValueError):
        return [f"{where}: 公钥或签名无法读取 (unreadable signature)"]
    failure = check(key, signature, digest, str(anchor.get("algorithm") or "") or None)
    if failure:
        return [f"{where}: 签名无效 (bad signature): {failure}"]
    problems = []
    for chain, head in sorted((body.get("chains") or {}).items()):
        records = {int(r["seq"]): r for r in chains.get(chain, [])}
        if not records:
            if not partial:
                problems.append(f"{where}: 链 {chain} 整条不在导出中 (chain deleted), 应至第 {head['seq']} 条")
            continue
        found = records.get(int(head["seq"]))
        if found is None:
            problems.append(
                f"{where}: 链 {chain} 尾部被截断 (truncated): 导出止于第 {max(records)} 条，锚定为第 {head['seq']} 条"
            )
        elif found.get("hash") != head.get("hash"):
            problems.append(f"{where}: 与锚定的链头不符 (chain rewritten): {_name(found)}")
    return problems


def verify(
    rows: list[dict[str, Any]],
    anchors: list[dict[str, Any]],
    *,
    public_key: bytes | None = None,
    partial: bool = False,
) -> list[str]:
    """Every problem of an export and its anchors, the first bad record first ([] when intact)."""
    problems, chains = check_records(rows, partial=partial)
    for anchor in anchors:
        problems += check_anchor(anchor, chains, public_key=public_key, partial=partial)
    return problems


def _anchor_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.json")) if path.is_dir() else [path]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.ops.verify_audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path, help="the audit export, JSON lines")
    parser.add_argument("anchors", type=Path, nargs="*", help="anchor files or directories of them")
    parser.add_argument("--public-key", type=Path, help="the anchor key's public key (PEM), to pin it")
    parser.add_argument("--partial", action="store_true", help="the export starts inside chains (a time range)")
    args = parser.parse_args(argv)
    try:
        rows = [json.loads(line) for line in args.export.read_text(encoding="utf-8").splitlines() if line.strip()]
        anchors = [json.loads(p.read_text(encoding="utf-8")) for p in _anchor_files(args.anchors)]
        key = der_from_pem(args.public_key.read_text(encoding="ascii")) if args.public_key else None
    except (OSError, ValueError) as exc:
        print(f"无法读取: {exc}", file=sys.stderr)
        return 2
    problems = verify(rows, anchors, public_key=key, partial=args.partial)
    for problem in problems:
        print(problem)
    if problems:
        print(f"审计记录不完整：{len(problems)} 处问题，第一处见上 (NOT intact)")
        return 1
    print(f"审计记录完整：{len(rows)} 条记录，{len(anchors)} 个锚定 (intact)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
