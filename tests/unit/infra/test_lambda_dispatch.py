"""Each execution environment of a function imports the function's own modules (its Routers) afresh."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from infra.local import lambda_dispatch
from infra.local.lambda_dispatch import FunctionSpec
from infra.local.powertools_patches import per_thread_events
from infra.local.template import LOCAL_PARTITION

APP = """
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from routes import items

app = APIGatewayRestResolver()
app.include_router(items.router)


def handler(event, context):
    return app.resolve(event, context)
"""
ITEMS = """
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from _lambda_dispatch_test import both_inside  # one barrier for every environment (the test's)

from .shared import seen

router = APIGatewayRouter()


@router.get("/items/<item>")
def item(item: str) -> dict[str, str]:
    both_inside.wait(5)  # two requests are being resolved at once, one per environment
    seen[item] = router.current_event.path
    return {"item": item}
"""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FunctionSpec]:
    shared = ModuleType("_lambda_dispatch_test")
    shared.both_inside = threading.Barrier(2)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, shared.__name__, shared)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "routes").mkdir()
    (tmp_path / "routes" / "__init__.py").write_text("")
    (tmp_path / "routes" / "shared.py").write_text("seen: dict[str, str] = {}\n")
    (tmp_path / "routes" / "items.py").write_text(ITEMS)
    function = FunctionSpec(
        "ItemsFunction", "items", f"arn:{LOCAL_PARTITION}:lambda:us-east-1:1:function:items", tmp_path, "app.handler"
    )
    yield function
    lambda_dispatch.register_functions({})
    lambda_dispatch._own_modules.uninstall()
    for name in [n for n in sys.modules if n.startswith("_oa_local_fn_ItemsFunction_")]:
        del sys.modules[name]


def event(path: str) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": path, "headers": {}, "requestContext": {"stage": "", "requestId": "r"}}


def test_each_environment_has_its_own_routers(spec: FunctionSpec) -> None:
    path_before = list(sys.path)
    first = lambda_dispatch._load_module(spec, 1)
    second = lambda_dispatch._load_module(spec, 2)

    assert first.items is not second.items
    assert first.items.router.api_resolver is first.app
    assert second.items.router.api_resolver is second.app
    assert sys.modules["_oa_local_fn_ItemsFunction_1.routes.items"] is first.items
    assert sys.modules["_oa_local_fn_ItemsFunction_2.routes.shared"].seen is not first.items.seen
    assert not [name for name in sys.modules if name.partition(".")[0] == "routes"]
    assert sys.path == path_before


def test_the_finder_answers_only_the_loading_thread_and_only_while_dispatching(spec: FunctionSpec) -> None:
    finder = lambda_dispatch._own_modules
    elsewhere: list[object] = []
    with lambda_dispatch.dispatching():
        assert sys.meta_path[0] is finder
        with finder.loading(spec.code_dir, frozenset({"routes"})):
            here = finder.find_spec("routes", None)
            other = threading.Thread(target=lambda: elsewhere.append(finder.find_spec("routes", None)))
            other.start()
            other.join(5)
        assert here is not None and here.origin == str(spec.code_dir / "routes" / "__init__.py")
        assert elsewhere == [None]
        assert finder.find_spec("routes", None) is None  # the load is over
    assert finder not in sys.meta_path


def test_a_module_of_the_same_name_elsewhere_is_left_alone(spec: FunctionSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    unrelated = ModuleType("routes")
    monkeypatch.setitem(sys.modules, "routes", unrelated)
    module = lambda_dispatch._load_module(spec, 1)
    assert sys.modules["routes"] is unrelated
    assert module.items.__name__ == "routes.items"


def test_concurrent_invocations_resolve_in_their_own_environment(spec: FunctionSpec) -> None:
    lambda_dispatch.register_functions({spec.logical_id: spec})
    results: dict[str, Any] = {}

    def invoke(item: str) -> None:
        results[item] = lambda_dispatch.invoke_handler(spec, event(f"/items/{item}"))

    with per_thread_events():
        threads = [threading.Thread(target=invoke, args=(item,)) for item in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

    assert lambda_dispatch.environments(spec.logical_id) == 2
    assert {item: result["statusCode"] for item, result in results.items()} == {"a": 200, "b": 200}
    seen = [sys.modules[f"_oa_local_fn_ItemsFunction_{n}.routes.shared"].seen for n in (1, 2)]
    assert sorted(seen, key=str) == [{"a": "/items/a"}, {"b": "/items/b"}]  # one request each, its own path
