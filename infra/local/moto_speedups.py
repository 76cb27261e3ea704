"""Make moto's Step Functions emulator cheap enough to run many executions on two cores, and its
DynamoDB Query read one partition, as DynamoDB does.

Why: moto builds a new boto3 client for every Lambda call a state machine makes (about half a
second each here) and parses the whole ASL with ANTLR on every StartExecution (about 0.7 s for
our definition). Neither changes behaviour when reused: boto3 clients are thread-safe, and the
parsed program is a tree of declarations whose per-run state lives in the execution's
Environment. Reusing both makes a document's flow several times faster locally; nothing here
touches business code or the ASL itself.

moto 5.2 answers a Query on a table's primary key by sorting every item of the table and keeping those
of the partition asked for: a Query's time grows with the table, which DynamoDB's does not (it reads
the partition). ``partition_queries`` hands moto's own Query the one partition instead of the table,
so that the same items come back in the same order, and a large table (the search bench's 100,000
documents) costs a Query what its partition holds. Queries on an index are left as they are.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils
import moto.stepfunctions.parser.asl.utils.boto_client as boto_client_module
from moto.dynamodb.models.table import Table
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

# Imported above so its `boto_client_for` binding exists before we patch it: the Lambda
# integration is the one this project's state machines use.
_LAMBDA_INTEGRATION = moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils

_original_client_for = boto_client_module.boto_client_for
_original_parse = AmazonStateLanguageParser.parse
_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def _cached_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    with _clients_lock:
        key = (region, service)
        if key not in _clients:
            _clients[key] = _original_client_for(region=region, service=service, state_credentials=state_credentials)
        return _clients[key]


@functools.lru_cache(maxsize=16)
def _cached_parse(definition: str) -> Any:
    return _original_parse(definition)


@contextmanager
def fast_stepfunctions() -> Iterator[None]:
    """While active, moto's Step Functions reuses its boto3 clients and parsed definitions."""
    _clients.clear()
    with ExitStack() as stack:
        # Modules bind `boto_client_for` at import; patch every binding that exists.
        for name, module in list(sys.modules.items()):
            if (
                name.startswith("moto.stepfunctions")
                and getattr(module, "boto_client_for", None) is _original_client_for
            ):
                stack.enter_context(mock.patch.object(module, "boto_client_for", _cached_client_for))
        stack.enter_context(mock.patch.object(AmazonStateLanguageParser, "parse", staticmethod(_cached_parse)))
        yield
    _clients.clear()
    _cached_parse.cache_clear()


_original_query = Table.query


class _Partition:
    """A table seen as one of its partitions: every item moto's Query looks through."""

    def __init__(self, table: Table, hash_key: Any) -> None:
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        held = self._table.items.get(self._hash_key)
        if held is None:
            return []
        if not self._table.range_key_attr:
            return [held]
        return sorted(held.values(), key=lambda item: item.range_key)


def _partition_query(self: Table, *args: Any, **kwargs: Any) -> Any:
    hash_key = args[0] if args else kwargs.get("hash_key")
    index_name = args[7] if len(args) > 7 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _original_query(self, *args, **kwargs)
    return _original_query(_Partition(self, hash_key), *args, **kwargs)  # type: ignore[arg-type]


@contextmanager
def partition_queries() -> Iterator[None]:
    """While active, a Query on a table's primary key looks through its partition only."""
    with mock.patch.object(Table, "query", _partition_query):
        yield
