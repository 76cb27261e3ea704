"""A function imports only what its layers carry, locally as in Lambda.

In-process every package of requirements-dev.txt is importable, so a function could use a library
that a layer it does not carry ships (or that no layer ships) and fail only once deployed. While the
local stack dispatches an invocation, an import made by our own code (the handler module, or a
package of a python layer's own directory: oa_core) must name the standard library, the function's
own code, the AWS SDK that every Lambda Python runtime has, or a distribution that the requirements
file of one of the function's python layers lists; anything else raises ``ModuleNotFoundError``, as
in Lambda.

Imports made by third-party packages are not checked (a layer's pip install brings their
dependencies along), nor imports outside an invocation (tests and seeding call oa_core directly).
A lazy import, how the PDF stack is imported, is checked on every call; a module-level import only
when its module is first loaded, so that is left to tests/unit/test_layers.py (a fresh interpreter).
"""

from __future__ import annotations

import builtins
import importlib.metadata
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

RUNTIME_DISTRIBUTIONS = ("boto3", "botocore", "jmespath", "s3transfer", "python-dateutil", "six", "urllib3")
"""What the Lambda Python runtime itself provides besides the standard library: the AWS SDK."""


HANDLER_MODULE_PREFIX = "_oa_local_fn_"
"""Handler modules are loaded under names that start with this (lambda_dispatch): their imports are checked."""


@dataclass(frozen=True)
class Importable:
    """What one function may import (top-level module names), and whose imports are checked."""

    function: str
    layers: tuple[str, ...]
    modules: frozenset[str]
    checked: frozenset[str]
    """Top-level packages that are our code besides the handler: the python layers' own (oa_core)."""

    def denies(self, name: str, importer: str) -> bool:
        """Is ``import name``, run by module ``importer``, one Lambda could not do for this function?"""
        top = name.partition(".")[0]
        if top in self.modules or top in sys.stdlib_module_names:
            return False
        return importer.startswith(HANDLER_MODULE_PREFIX) or importer.partition(".")[0] in self.checked


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@cache
def _modules_by_distribution() -> Mapping[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            found.setdefault(_normalise(distribution), set()).add(module)
    return {name: frozenset(modules) for name, modules in found.items()}


def modules_of(distributions: Iterable[str]) -> frozenset[str]:
    """Top-level import names of installed distributions (PIL for pillow, fpdf for fpdf2)."""
    by_distribution = _modules_by_distribution()
    return frozenset(m for d in distributions for m in by_distribution.get(_normalise(d), ()))


def required_distributions(requirements: Path) -> list[str]:
    """The distributions a requirements file names (comments, options and includes skipped)."""
    if not requirements.is_file():
        return []
    names = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line) if line and not line.startswith("-") else None
        if match:
            names.append(match.group(0))
    return names


def own_modules(directory: Path) -> frozenset[str]:
    """Top-level modules and packages in a directory, as SAM copies it into a function or a layer."""
    if not directory.is_dir():
        return frozenset()
    return frozenset(
        p.stem if p.suffix == ".py" else p.name
        for p in directory.iterdir()
        if (p.suffix == ".py" and p.is_file()) or (p / "__init__.py").is_file()
    )


def importable(function: str, code_dir: Path, layers: Sequence[tuple[str, Path | None]]) -> Importable:
    """What a function with this code and these layers may import: (logical id, content directory) for a
    python layer, whose directory and requirements file SAM builds into /opt/python; (logical id, None)
    for a layer that brings no Python (a makefile layer such as the fonts)."""
    modules = set(own_modules(code_dir)) | modules_of(required_distributions(code_dir / "requirements.txt"))
    modules |= modules_of(RUNTIME_DISTRIBUTIONS)
    checked: set[str] = set(own_modules(code_dir))  # app.py's own modules (e.g. routes) are our code too
    for _, content in layers:
        if content is None:
            continue
        checked |= own_modules(content)
        modules |= own_modules(content) | modules_of(required_distributions(content / "requirements.txt"))
    return Importable(
        function=function,
        layers=tuple(layer for layer, _ in layers),
        modules=frozenset(modules),
        checked=frozenset(checked),
    )


_current: ContextVar[Importable | None] = ContextVar("oa_local_importable", default=None)
_builtin_import = builtins.__import__


def checked_import(
    name: str,
    globals: Mapping[str, object] | None = None,  # the signature of builtins.__import__
    locals: Mapping[str, object] | None = None,
    fromlist: Sequence[str] = (),
    level: int = 0,
) -> ModuleType:
    """``builtins.__import__`` while the local stack dispatches: refuses what the invocation's function
    could not import in Lambda (see ``as_function``), else imports as usual."""
    allowed = _current.get()
    if allowed is not None and level == 0 and allowed.denies(name, str((globals or {}).get("__name__", ""))):
        top = name.partition(".")[0]
        raise ModuleNotFoundError(
            f"No module named {top!r} (local stack: no layer of {allowed.function} carries it: "
            f"{', '.join(allowed.layers) or 'it has none'})",
            name=top,
        )
    return _builtin_import(name, globals, locals, fromlist, level)


@contextmanager
def as_function(allowed: Importable | None) -> Iterator[None]:
    """Imports in this context (one invocation, in its thread) are checked against ``allowed``; None
    checks nothing. Threads the handler starts are not checked (a new thread has a context of its own)."""
    token = _current.set(allowed)
    try:
        yield
    finally:
        _current.reset(token)
