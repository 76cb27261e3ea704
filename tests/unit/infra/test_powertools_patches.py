"""The local stack keeps Powertools' current event per thread, and restores Powertools afterwards."""

from __future__ import annotations

import threading
from abc import ABCMeta
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from infra.local.polling import STEP_SECONDS, join_all, scaled
from infra.local.powertools_patches import per_thread_events


def event(path: str) -> dict[str, Any]:
    return {"httpMethod": "GET", "path": path, "headers": {}, "requestContext": {"stage": "", "requestId": "r"}}


def test_concurrent_invocations_each_see_their_own_event() -> None:
    app = APIGatewayRestResolver()
    inside = threading.Barrier(2)
    seen: dict[str, str] = {}

    @app.get("/items/<item>")
    def item(item: str) -> dict[str, str]:
        inside.wait(scaled(STEP_SECONDS))  # both requests are being resolved at the same time
        seen[item] = app.current_event.path
        return {"item": item}

    with per_thread_events():
        threads = [threading.Thread(target=app.resolve, args=(event(f"/items/{n}"), None)) for n in ("a", "b")]
        for thread in threads:
            thread.start()
        join_all(threads, "both requests to be resolved")
    assert seen == {"a": "/items/a", "b": "/items/b"}


def test_powertools_is_as_before_once_the_stack_stops() -> None:
    with per_thread_events():
        assert type(BaseRouter) is not ABCMeta
    assert type(BaseRouter) is ABCMeta
    assert "current_event" not in vars(BaseRouter)
