"""Run the real Lambda handlers in-process when moto's Lambda is invoked.

There is no Docker here, so moto cannot run a function the way it normally does. Step
Functions in moto calls Lambda through the ordinary ``lambda:Invoke`` API (for
``lambda:invoke`` and ``lambda:invoke.waitForTaskToken`` tasks alike); this module
replaces moto's container runner, ``LambdaFunction._invoke_lambda``, with one that
imports ``functions/<dir>/app.py`` and calls its handler. The handler's result goes
back as the invocation payload; an exception becomes the ``{"errorType", ...}``
payload with a function error, exactly what the Lambda service returns, so the ASL's
``Retry``/``Catch`` on error names behave as on AWS.

While dispatching, a function imports only what its layers carry (``layer_imports``): a library of
a layer it does not carry, or of none, raises ``ModuleNotFoundError`` as it would in Lambda; and its
DynamoDB requests are allowed only as its template policies allow (``iam``).

``inject_invoke_faults`` lets tests make the Lambda *service* refuse invocations
(HTTP 429 ``TooManyRequestsException`` by default), which Step Functions reports as
``Lambda.TooManyRequestsException`` — the transient error the ASL retries — to every invocation,
or only to those whose event has given values (``only_for``), so that another flow's call to the
same function cannot take a fault meant for one step.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

from moto.awslambda.models import LambdaBackend, LambdaFunction
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.exceptions import JsonRESTError

from infra.local import iam, layer_imports


@dataclass(frozen=True)
class FunctionSpec:
    """What the local stack needs to run one function of the template."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    timeout_seconds: int = 30
    memory_mb: int = 512
    environment: Mapping[str, str] = field(default_factory=dict)
    importable: layer_imports.Importable | None = None
    """What the function's layers let it import; None checks nothing."""
    policy: iam.Policy | None = None
    """What the function's role allows (its template Policies); None checks nothing."""

    @property
    def handler_file(self) -> Path:
        module_path, _, _ = self.handler.rpartition(".")
        return self.code_dir / (module_path.replace(".", "/") + ".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


class LambdaServiceFault(JsonRESTError):
    """An error of the Lambda service itself (not of the function), e.g. throttling."""

    def __init__(self, error_code: str, message: str, status: int) -> None:
        super().__init__(error_code, message)
        self.code = status


class HandlerNotFound(Exception):
    """The template names a handler that the function's code does not define."""


@dataclass
class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


_FAULT_STATUS = {
    "TooManyRequestsException": 429,
    "ServiceException": 500,
    "ResourceNotReadyException": 502,
    "EC2ThrottledException": 502,
}

_lock = threading.RLock()
_functions_by_id: dict[str, FunctionSpec] = {}
_functions_by_name: dict[str, FunctionSpec] = {}
_modules: dict[str, list[ModuleType]] = {}
"""Idle execution environments (handler modules) per function."""
_environments: dict[str, int] = {}
_environment_ready = threading.Condition(_lock)
MAX_ENVIRONMENTS = int(os.environ.get("OA_LOCAL_MAX_ENVIRONMENTS", "4"))
"""Execution environments per function at most (see ``_environment``)."""
_faults: dict[str, list[tuple[str, dict[str, Any]]]] = {}
"""Pending faults per function: (error code, the event values an invocation must have to get it)."""


def register_functions(specs: Mapping[str, FunctionSpec]) -> None:
    """Make these functions invocable (replaces any earlier registration)."""
    with _lock:
        _functions_by_id.clear()
        _functions_by_name.clear()
        _faults.clear()
        _modules.clear()
        _environments.clear()
        for spec in specs.values():
            _functions_by_id[spec.logical_id] = spec
            _functions_by_name[spec.name] = spec


def function(logical_id: str) -> FunctionSpec:
    with _lock:
        return _functions_by_id[logical_id]


def inject_invoke_faults(
    function_logical_id: str,
    count: int,
    error_code: str = "TooManyRequestsException",
    only_for: Mapping[str, Any] | None = None,
) -> None:
    """Make the next ``count`` invocations of a function (whose event has the ``only_for`` values,
    if given) fail in the Lambda service."""
    with _lock:
        if function_logical_id not in _functions_by_id:
            raise KeyError(f"no function {function_logical_id} in the template")
        _faults.setdefault(function_logical_id, []).extend([(error_code, dict(only_for or {}))] * count)


def clear_invoke_faults() -> None:
    with _lock:
        _faults.clear()


def _take_fault(logical_id: str, event: Any) -> str | None:
    with _lock:
        pending = _faults.get(logical_id) or []
        for index, (error_code, only_for) in enumerate(pending):
            if all(isinstance(event, dict) and event.get(k) == v for k, v in only_for.items()):
                del pending[index]
                return error_code
        return None


def _own_module_names(spec: FunctionSpec) -> frozenset[str]:
    """The top-level modules and packages of a function's code directory besides its handler file.

    On Lambda the code directory (``CodeUri``) is ``/var/task``, first on ``sys.path``, so app.py
    imports them by these names (``from routes import documents``).
    """
    return layer_imports.own_modules(spec.code_dir) - {spec.handler_file.stem}


class _OwnModulesFinder(importlib.abc.MetaPathFinder):
    """Finds a function's own top-level modules in its code directory, for the thread loading it.

    It stands for ``/var/task`` at the head of ``sys.path`` without changing ``sys.path``, which
    threads importing at the same time iterate. It is first in ``sys.meta_path`` while the local
    stack dispatches (``dispatching``, or from the first such load outside it) and idle on every
    thread but the one loading.
    """

    def __init__(self) -> None:
        self._loading = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        code_dir: str | None = getattr(self._loading, "code_dir", None)
        if code_dir is None or path is not None or fullname not in self._loading.names:
            return None  # not loading a handler here, or not one of its own top-level names
        return importlib.machinery.PathFinder.find_spec(fullname, [code_dir])

    @contextmanager
    def loading(self, code_dir: Path, names: frozenset[str]) -> Iterator[None]:
        self._loading.code_dir, self._loading.names = str(code_dir), names
        try:
            yield
        finally:
            self._loading.code_dir = None

    def install(self) -> None:
        with _lock:
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)


def _take_modules(names: frozenset[str]) -> dict[str, ModuleType]:
    """Remove from ``sys.modules`` every module under these top-level names, and return them."""
    return {name: sys.modules.pop(name) for name in list(sys.modules) if name.partition(".")[0] in names}


_own_modules = _OwnModulesFinder()
_own_modules_lock = threading.Lock()
"""Held while a handler module that imports modules of its own code directory is loaded (see
``_load_module``): those names are global in ``sys.modules`` for the length of the import."""


def _load_module(spec: FunctionSpec, environment: int) -> ModuleType:
    """Import the handler file for one execution environment, by file path.

    Every function's module is called ``app``; each environment gets its own module (a unique name
    in ``sys.modules``), so module-level state such as a Powertools resolver's ``current_event``
    belongs to one invocation at a time, as in Lambda. The layer (oa_core) is shared, as the
    read-only /opt of every environment is.

    So are the function's own modules beside app.py (e.g. ``routes``, the API's Powertools Routers):
    each environment imports them afresh, by their Lambda names, found in the code directory by
    ``_OwnModulesFinder``; then they leave ``sys.modules`` under those names (they stay reachable
    from their app module, and in ``sys.modules`` as ``<module name>.routes...``). Two environments
    never share a Router, whose ``include_router`` ties it to one resolver and its request context,
    nor do two functions with a ``routes`` package of the same name. Such loads take turns (the names
    are global while one runs); other functions load as before. A function's own modules are
    therefore imported at the top of its modules, never inside a function at request time (checked
    by tests/unit/test_architecture.py): by then the names are gone.
    """
    module_name = f"{layer_imports.HANDLER_MODULE_PREFIX}{spec.logical_id}_{environment}"
    own = _own_module_names(spec)
    if not own:
        return _exec_handler_file(spec, module_name)
    _own_modules.install()
    with _own_modules_lock:
        unrelated = _take_modules(own)  # modules of the same names that are not this function's
        try:
            with _own_modules.loading(spec.code_dir, own):
                module = _exec_handler_file(spec, module_name)
        finally:
            loaded = _take_modules(own)
            sys.modules.update(unrelated)
        sys.modules.update({f"{module_name}.{name}": own_module for name, own_module in loaded.items()})
    return module


def _exec_handler_file(spec: FunctionSpec, module_name: str) -> ModuleType:
    file_spec = importlib.util.spec_from_file_location(module_name, spec.handler_file)
    if file_spec is None or file_spec.loader is None:
        raise HandlerNotFound(f"cannot load {spec.handler_file}")
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[module_name] = module
    try:
        file_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


@contextmanager
def _environment(spec: FunctionSpec) -> Iterator[ModuleType]:
    """An idle execution environment of the function, or a new one (a cold start), held for one call.

    Lambda runs one invocation per environment at a time and starts more environments for
    concurrent invocations; so does this, up to ``MAX_ENVIRONMENTS`` per function. Beyond that an
    invocation waits for an environment to be free (Lambda would start more, on other machines;
    here every cold start costs the same two cores, so unbounded scaling only makes bursts slower).
    Two requests at once never share a handler module.
    """
    with _environment_ready:
        while True:
            idle = _modules.setdefault(spec.logical_id, [])
            if idle:
                module: ModuleType | None = idle.pop()
                break
            if _environments.get(spec.logical_id, 0) < MAX_ENVIRONMENTS:
                _environments[spec.logical_id] = _environments.get(spec.logical_id, 0) + 1
                number = _environments[spec.logical_id]
                module = None
                break
            _environment_ready.wait()
    if module is None:
        try:
            module = _load_module(spec, number)
        except BaseException:
            with _environment_ready:
                _environments[spec.logical_id] -= 1
                _environment_ready.notify()
            raise
    try:
        yield module
    finally:
        with _environment_ready:
            if spec.logical_id in _modules:
                _modules[spec.logical_id].append(module)
            _environment_ready.notify()


def environments(logical_id: str) -> int:
    """How many execution environments a function has had (its cold starts)."""
    with _lock:
        return _environments.get(logical_id, 0)


def invoke_handler(spec: FunctionSpec, event: Any) -> Any:
    """Call the function's handler in an environment of its own, with a fresh context."""
    context = LambdaContext(
        function_name=spec.name,
        invoked_function_arn=spec.arn,
        memory_limit_in_mb=spec.memory_mb,
        timeout_seconds=spec.timeout_seconds,
    )
    with layer_imports.as_function(spec.importable), iam.acting_as(spec.policy), _environment(spec) as module:
        handler = getattr(module, spec.handler_name, None)
        if not callable(handler):
            raise HandlerNotFound(f"{spec.handler_file} defines no {spec.handler_name}()")
        # A JSON round trip, as on the wire: the handler gets only what JSON can carry.
        return handler(json.loads(json.dumps(event)), context)


def error_payload(error: BaseException) -> dict[str, Any]:
    """The payload the Lambda Python runtime returns for an unhandled exception."""
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_tb(error.__traceback__),
    }


def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    """Replacement for ``LambdaFunction._invoke_lambda``: (payload, errored, logs)."""
    with _lock:
        spec = _functions_by_name.get(self.function_name)
    if spec is None:
        message = f"{self.function_name} is not a function of template.yaml"
        return json.dumps({"errorType": "HandlerNotFound", "errorMessage": message}), True, ""
    if isinstance(event, str | bytes):
        event = json.loads(event) if event else {}
    elif event is None:
        event = {}
    fault = _take_fault(spec.logical_id, event)
    if fault is not None:
        raise LambdaServiceFault(
            fault,
            f"Injected local fault for {spec.logical_id}: {fault}",
            _FAULT_STATUS.get(fault, 429),
        )
    try:
        result = invoke_handler(spec, event)
        return json.dumps(result, ensure_ascii=False, default=str), False, ""
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return json.dumps(error_payload(error), ensure_ascii=False), True, ""


@contextmanager
def dispatching() -> Iterator[None]:
    """While active, moto's Lambda runs the registered handlers in-process.

    With ``{"lambda": {"use_docker": False}}`` moto serves Lambda from
    ``LambdaSimpleBackend``, whose ``invoke`` echoes the payload without running
    anything; it is pointed back at the full backend's ``invoke``, which calls
    ``LambdaFunction.invoke`` and so the replaced ``_invoke_lambda``. Imports go through
    ``layer_imports.checked_import``, which checks those of an invocation only; a function's own
    modules are found by ``_OwnModulesFinder`` meanwhile.
    """
    _own_modules.install()
    try:
        with (
            mock.patch.object(LambdaFunction, "_invoke_lambda", _invoke_lambda),
            mock.patch.object(LambdaSimpleBackend, "invoke", LambdaBackend.invoke),
            mock.patch.object(builtins, "__import__", layer_imports.checked_import),
        ):
            yield
    finally:
        _own_modules.uninstall()
