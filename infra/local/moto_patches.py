"""Make moto's DynamoDB atomic per request, as real DynamoDB is.

Why: in the local stack several threads touch DynamoDB at once — Step Functions
executions run in moto's own threads (one per execution, more inside Parallel and
Map states), and the HTTP front is threaded too. moto's DynamoDB backend evaluates a
``ConditionExpression`` and then writes, with nothing in between to stop another
thread; two concurrent conditional writes can therefore both succeed, which real
DynamoDB never allows. Our correctness rests on those conditions (single-use
decisions, booking conflicts, document counters), so every item-level request is run
under one process-wide re-entrant lock: each request becomes atomic and isolated,
which is the guarantee DynamoDB gives (transactions included). The lock is held only
for the in-memory work of one request, so it costs little.

Both layers are wrapped: the request handlers (so a whole ``BatchWriteItem`` or
``TransactWriteItems`` is one step) and the backend methods (for callers that reach
the backend directly).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler

DYNAMODB_LOCK = threading.RLock()

_ITEM_OPERATIONS = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_write_item",
    "batch_get_item",
    "transact_write_items",
    "transact_get_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with DYNAMODB_LOCK:
            return method(*args, **kwargs)

    return wrapper


@contextmanager
def atomic_dynamodb() -> Iterator[None]:
    """While active, each DynamoDB item request runs under ``DYNAMODB_LOCK``."""
    with ExitStack() as stack:
        for owner in (DynamoHandler, DynamoDBBackend):
            for name in _ITEM_OPERATIONS:
                original = getattr(owner, name, None)
                if callable(original):
                    stack.enter_context(mock.patch.object(owner, name, _serialised(original)))
        yield
