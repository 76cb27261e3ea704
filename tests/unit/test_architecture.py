"""The shape of the code: packages layered one way, no import cycle, thin handlers, no module over 500 lines.

The import rules are import-linter's contracts in pyproject.toml, judged by import-linter itself (its
own import graph, grimp); the tests here run it on the real tree and, so that a contract cannot be
silently vacuous, on small trees that break each rule on purpose. What import-linter cannot see
(the functions are not packages) is checked from their source.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from infra.local.polling import scaled

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "layers" / "oa_core" / "oa_core"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 500
PACKAGES = (
    "platform",
    "identity",
    "workflow",
    "publishing",
    "outgoing",
    "incoming",
    "bookings",
    "records",
    "search",
    "worklist",
    "web",
)


def lint_imports(config: Path, *python_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in python_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        env=env,
        cwd=config.parent,
        timeout=scaled(300),
        check=False,
    )


def test_every_import_contract_holds_for_the_code_as_it_is() -> None:
    result = lint_imports(ROOT / "pyproject.toml", ROOT / "layers" / "oa_core", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_package_of_oa_core_is_in_the_layers_contract() -> None:
    found = sorted(p.name for p in CORE.iterdir() if (p / "__init__.py").is_file())
    assert found == sorted(PACKAGES)
    for package in PACKAGES:
        docstring = ast.get_docstring(ast.parse((CORE / package / "__init__.py").read_text()))
        assert docstring and "import" in docstring.lower(), f"{package}/__init__.py says what it owns and may import"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _fake_tree(tmp_path: Path, imports: dict[str, str]) -> Path:
    """A tree with the project's package names and contracts, where ``imports`` adds the given imports."""
    for package in PACKAGES:
        (tmp_path / "oa_core" / package).mkdir(parents=True)
        (tmp_path / "oa_core" / package / "__init__.py").write_text("")
    (tmp_path / "oa_core" / "__init__.py").write_text("")
    (tmp_path / "infra" / "local").mkdir(parents=True)
    (tmp_path / "infra" / "__init__.py").write_text("")
    (tmp_path / "infra" / "local" / "__init__.py").write_text("")
    for module, source in imports.items():
        path = tmp_path / (module.replace(".", "/") + ".py")
        path.write_text(source + "\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = project["tool"]["importlinter"]["contracts"]
    lines = ['[tool.importlinter]\nroot_packages = ["oa_core", "infra"]\n']
    for contract in contracts:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {_toml(value)}" for key, value in contract.items()]
        lines.append("")
    config = tmp_path / "pyproject.toml"
    config.write_text("\n".join(lines))
    return config


@pytest.mark.parametrize(
    ("imports", "broken"),
    [
        pytest.param(
            {"oa_core.platform.mail": "from oa_core.web import pages", "oa_core.web.pages": ""},
            "oa_core's packages are layered",
            id="a lower package imports a higher one",
        ),
        pytest.param(
            {
                "oa_core.workflow.tasks": "def f():\n    from oa_core.outgoing import steps",
                "oa_core.outgoing.steps": "",
            },
            "oa_core's packages are layered",
            id="a lazy import inside a function counts too",
        ),
        pytest.param(
            {"oa_core.bookings.meetings": "from oa_core.outgoing import documents", "oa_core.outgoing.documents": ""},
            "bookings stands beside",
            id="bookings imports outgoing",
        ),
        pytest.param(
            {"oa_core.records.search": "from oa_core.bookings import rooms", "oa_core.bookings.rooms": ""},
            "oa_core's packages are layered",
            id="two domains on one layer import each other",
        ),
        pytest.param(
            {"oa_core.platform.config": "import infra.local.stack", "infra.local.stack": ""},
            "oa_core never imports the local stack",
            id="oa_core imports infra",
        ),
        pytest.param(
            {
                "oa_core.records.archive": "from oa_core.records import filing",
                "oa_core.records.filing": "from oa_core.records import archive",
            },
            "no import cycles",
            id="two modules import each other",
        ),
        pytest.param(
            {
                "infra.local.gateway": "from infra.local import cognito",
                "infra.local.cognito": "from infra.local import lambda_dispatch",
                "infra.local.lambda_dispatch": "from infra.local import gateway",
            },
            "no import cycles",
            id="a longer cycle in infra",
        ),
    ],
)
def test_import_linter_refuses_a_tree_that_breaks_a_rule(tmp_path: Path, imports: dict[str, str], broken: str) -> None:
    result = lint_imports(_fake_tree(tmp_path, imports), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert any(broken in line and "BROKEN" in line for line in result.stdout.splitlines()), result.stdout


def test_the_fake_tree_without_a_broken_rule_passes(tmp_path: Path) -> None:
    result = lint_imports(
        _fake_tree(
            tmp_path, {"oa_core.web.pages": "from oa_core.platform import config", "oa_core.platform.config": ""}
        ),
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_functions_import_oa_core_and_libraries_but_never_each_other_or_the_local_stack() -> None:
    modules = sorted((ROOT / "functions").rglob("*.py"))
    assert [m for m in modules if m.name == "app.py"]
    for path in modules:
        for module in _imported_modules(path):
            top = module.split(".")[0]
            assert top not in {"infra", "functions", "tests", "app"}, f"{path.relative_to(ROOT)} imports {module}"


def _own_modules(function: Path) -> set[str]:
    """A function's top-level modules and packages beside app.py (what Lambda finds in /var/task)."""
    return {
        entry.stem if entry.suffix == ".py" else entry.name
        for entry in function.iterdir()
        if (entry.suffix == ".py" and entry.name != "app.py") or (entry / "__init__.py").is_file()
    }


def _imports_own(node: ast.Import | ast.ImportFrom, own: set[str]) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] in own
    return any(alias.name.split(".")[0] in own for alias in node.names)


def test_a_functions_own_modules_are_imported_at_the_top_of_a_module() -> None:
    """The local stack imports them once per execution environment and then takes their names away
    (infra/local/lambda_dispatch.py), so a request must not import them again from inside a function."""
    late = []
    for function in sorted(path.parent for path in (ROOT / "functions").glob("*/app.py")):
        own = _own_modules(function)
        for path in sorted(function.rglob("*.py")):
            functions = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)]
            imports = [i for f in functions for i in ast.walk(f) if isinstance(i, ast.Import | ast.ImportFrom)]
            late += [f"{path.relative_to(ROOT)}:{i.lineno}" for i in imports if _imports_own(i, own)]
    assert late == [], "imports of a function's own modules inside a function: " + ", ".join(late)


def test_the_local_stack_reaches_functions_only_through_the_template() -> None:
    for path in sorted((ROOT / "infra").rglob("*.py")):
        for module in _imported_modules(path):
            assert module.split(".")[0] not in {"functions", "app", "tests"}, (
                f"{path.relative_to(ROOT)} imports {module}"
            )


def test_no_module_is_over_500_lines() -> None:
    too_long = []
    for base in ("layers", "functions", "infra", "tests"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if ".aws-sam" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_MODULE_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert too_long == [], "modules over 500 lines (split them by what they do): " + ", ".join(too_long)
