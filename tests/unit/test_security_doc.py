"""docs/security.md maps each 等保 2.0 control to code and tests: every file and test it cites exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
PREFIXES = {"u/": "tests/unit/", "i/": "tests/integration/", "e2e/": "tests/e2e/", "tests/": "tests/"}
CODE_ROOTS = ("", "layers/oa_core/")
CITED = re.compile(r"`([^`\s]+\.py)((?:::[A-Za-z_][A-Za-z0-9_]*)?)`|`::([A-Za-z_][A-Za-z0-9_]*)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _resolve(cited: str) -> Path | None:
    for prefix, real in PREFIXES.items():
        if cited.startswith(prefix):
            path = ROOT / (real + cited[len(prefix) :])
            return path if path.is_file() else None
    for base in CODE_ROOTS:
        if (ROOT / base / cited).is_file():
            return ROOT / base / cited
    matches = [p for p in (ROOT / "layers" / "oa_core" / "oa_core").rglob(cited) if p.is_file()]
    return matches[0] if len(matches) == 1 else None


def test_every_file_and_test_security_md_cites_exists() -> None:
    problems: list[str] = []
    last_test_file: Path | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        for cited, test, continued in CITED.findall(line):
            if continued:
                if last_test_file is None or continued not in _test_names(last_test_file):
                    problems.append(f"::{continued} (after {last_test_file})")
                continue
            path = _resolve(cited)
            if path is None:
                problems.append(cited)
                continue
            if path.name.startswith("test_"):
                last_test_file = path
                if test and test[2:] not in _test_names(path):
                    problems.append(cited + test)
    assert not problems, f"docs/security.md cites what does not exist: {problems}"
