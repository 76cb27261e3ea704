"""Give each in-process invocation its own Powertools ``current_event``, as its own Lambda process would.

Why: Powertools' event handler keeps the event being resolved on the router *class*
(``BaseRouter.current_event = ...`` in ``resolve``), which is harmless in Lambda, where a process
handles one invocation at a time. The local stack runs concurrent invocations in threads of one
process, so two requests at once would read each other's event: the path parameters, the body
and the caller of another request. While active, ``current_event`` and ``lambda_context`` of
``BaseRouter`` are per thread (each invocation runs on one thread from start to end). Nothing
changes for the handlers; nothing of this reaches the deployed functions.
"""

from __future__ import annotations

import threading
from abc import ABCMeta
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PER_THREAD = ("current_event", "lambda_context")


class _PerThread:
    """A data descriptor whose value is per thread; reads before any write give None."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        return getattr(self._local, "value", None)

    def __set__(self, instance: Any, value: Any) -> None:
        self._local.value = value


class _RouterMeta(ABCMeta):
    """Routes class-level assignments of the per-thread names to their descriptors."""

    def __setattr__(cls, name: str, value: Any) -> None:
        slot = vars(cls).get(name)
        if isinstance(slot, _PerThread):
            slot.__set__(None, value)
        else:
            super().__setattr__(name, value)


@contextmanager
def per_thread_events() -> Iterator[None]:
    """While active, Powertools' router keeps the current event and context per thread."""
    from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

    saved = {name: vars(BaseRouter).get(name) for name in PER_THREAD}
    original_meta = type(BaseRouter)
    for name in PER_THREAD:
        type.__setattr__(BaseRouter, name, _PerThread())
    BaseRouter.__class__ = _RouterMeta  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        BaseRouter.__class__ = original_meta  # type: ignore[method-assign,assignment]
        for name, value in saved.items():
            if value is None:
                type.__delattr__(BaseRouter, name)
            else:
                type.__setattr__(BaseRouter, name, value)
