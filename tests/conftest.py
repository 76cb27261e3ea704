"""What every test shares: the pytest-timeout guard scaled to the machine, and how xdist groups tests.

pytest-timeout's guard (``timeout`` in pyproject.toml, or ``--timeout``/``PYTEST_TIMEOUT``) and any
``@pytest.mark.timeout(s)`` are base figures for a loaded two-core machine; ``OA_TEST_TIME_SCALE``
multiplies them, as it does every wait's deadline (infra/local/polling.py). The guard is there for
hangs only: each wait in a test has its own, smaller deadline and says what it waited for, so a
slow test fails by its wait's message.

Under pytest-xdist with ``--dist loadfile`` (the Makefile's) a module's tests stay on one worker,
since each integration module starts one local stack for all its tests (tests/integration/conftest.py),
and the e2e modules are one unit: one worker, one ``python -m infra.local`` server, one browser.
(``--dist loadgroup`` with ``xdist_group`` marks would say the same, but xdist 3.8 tags the group
onto ``item._nodeid``, which pytest 9.2 no longer reads: the marks are ignored.)
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from infra.local.polling import scaled


def guard_seconds(config: pytest.Config) -> float:
    """pytest-timeout's own order: ``--timeout``, then ``PYTEST_TIMEOUT``, then the ini file (0: none)."""
    for value in (config.getoption("timeout", None), os.environ.get("PYTEST_TIMEOUT"), config.getini("timeout")):
        if value not in (None, ""):
            return float(value)
    return 0.0


def _unit_of_work(nodeid: str) -> str:
    """The test's file, or ``tests/e2e`` for every e2e test."""
    path = nodeid.split("::", 1)[0]
    return "tests/e2e" if path.startswith("tests/e2e/") else path


@pytest.hookimpl(tryfirst=True)  # before xdist's own LoadFileScheduling
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByModuleWithE2eTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit_of_work(nodeid)

    return ByModuleWithE2eTogether(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    guard = guard_seconds(config)
    for item in items:
        marker = item.get_closest_marker("timeout")
        base = float(marker.args[0]) if marker is not None and marker.args else guard
        if base > 0:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            item.add_marker(pytest.mark.timeout(scaled(base), **kwargs), append=False)
