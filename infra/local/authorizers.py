"""The local API Gateway's Lambda authorizers: the template's authorizer function, run as API Gateway runs it.

For a route the template guards with a Lambda authorizer (``Auth.Authorizers`` of its API):

- TOKEN type: an absent or empty identity header (``Authorization``) is 401 ``UNAUTHORIZED`` at once,
  the function is not called (API Gateway does the same). Otherwise the function gets ``{"type":
  "TOKEN", "authorizationToken", "methodArn"}``; REQUEST type gets the request's headers, query and
  path parameters instead.
- An error whose message is ``Unauthorized`` is 401 ``UNAUTHORIZED``; any other error, or an answer
  that is not a policy, is ``AUTHORIZER_FAILURE``; a policy that does not allow this method (or denies
  it) is 403 ``ACCESS_DENIED``. Each answers with the API's gateway response of that type (its status,
  body and headers from the template), or the contract's error shape where the template has none.
- An allowing policy's ``context`` with its ``principalId`` becomes ``requestContext.authorizer``.
  The policy is cached per identity value for ``ReauthorizeEvery`` seconds and every later request
  is judged against it, as API Gateway does (so a policy that allows only the first method asked
  for fails here as it would there).
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from werkzeug.datastructures import Headers

from infra.local import lambda_dispatch
from infra.local.lambda_dispatch import FunctionSpec
from infra.local.messages import HttpRequest, HttpResponse, error_response
from infra.local.routes import Authorizer, Route
from infra.local.template import LOCAL_ACCOUNT_ID, partition_of

_FALLBACK = {
    "UNAUTHORIZED": (401, "unauthorized", "请先登录，或重新登录后再试"),
    "ACCESS_DENIED": (403, "forbidden", "您没有权限进行此操作，如需权限请联系系统管理员"),
    "AUTHORIZER_FAILURE": (500, "authorizer_failure", "身份认证服务暂时无法访问，请稍后再试"),
    "AUTHORIZER_CONFIGURATION_ERROR": (
        500,
        "authorizer_configuration_error",
        "身份认证服务暂时无法访问，请稍后再试",
    ),
}


class Authorizers:
    """Runs the authorizers of the routes; keeps their cached policies."""

    def __init__(self, functions: Mapping[str, FunctionSpec], region: str) -> None:
        self._by_name = {spec.name: spec for spec in functions.values()}
        self._region = region
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}

    def check(
        self, request: HttpRequest, route: Route, path_params: Mapping[str, str]
    ) -> dict[str, Any] | HttpResponse:
        """``requestContext.authorizer`` for the integration, or the gateway's refusal."""
        authorizer = route.authorizer
        if authorizer is None:
            print(f"{route.method} {route.path}: an authorizer the local gateway cannot run", file=sys.stderr)
            return answer(None, "AUTHORIZER_CONFIGURATION_ERROR")
        spec = self._by_name.get(authorizer.function_name)
        if spec is None:
            print(f"authorizer {authorizer.name}: no function {authorizer.function_name}", file=sys.stderr)
            return answer(authorizer, "AUTHORIZER_CONFIGURATION_ERROR")
        identity = request.headers.get(authorizer.identity_header, "")
        if not identity.strip():
            return answer(authorizer, "UNAUTHORIZED")
        method_arn = self.method_arn(authorizer, request.method, request.path)
        started = time.monotonic()
        policy = self._cached(authorizer, identity)
        if policy is None:
            event = self._event(authorizer, request, route, path_params, identity, method_arn)
            try:
                result = lambda_dispatch.invoke_handler(spec, event)
            except Exception as error:
                if str(error) == "Unauthorized":
                    return answer(authorizer, "UNAUTHORIZED")
                traceback.print_exc(file=sys.stderr)
                return answer(authorizer, "AUTHORIZER_FAILURE")
            if not _is_policy(result):
                print(f"authorizer {authorizer.name} answered no policy: {result!r:.300}", file=sys.stderr)
                return answer(authorizer, "AUTHORIZER_FAILURE")
            policy = result
            self._remember(authorizer, identity, policy)
        if not allows(policy["policyDocument"], method_arn):
            return answer(authorizer, "ACCESS_DENIED")
        context = {str(k): v for k, v in (policy.get("context") or {}).items()}
        return {
            **context,
            "principalId": str(policy["principalId"]),
            "integrationLatency": int((time.monotonic() - started) * 1000),
        }

    def method_arn(self, authorizer: Authorizer, method: str, path: str) -> str:
        return (
            f"arn:{partition_of(self._region)}:execute-api:{self._region}:{LOCAL_ACCOUNT_ID}:"
            f"{authorizer.api_id}/{authorizer.stage}/{method.upper()}/{path.lstrip('/')}"
        )

    def _event(
        self,
        authorizer: Authorizer,
        request: HttpRequest,
        route: Route,
        path_params: Mapping[str, str],
        identity: str,
        method_arn: str,
    ) -> dict[str, Any]:
        if authorizer.payload_type == "TOKEN":
            return {"type": "TOKEN", "authorizationToken": identity, "methodArn": method_arn}
        return {
            "type": "REQUEST",
            "methodArn": method_arn,
            "resource": route.path,
            "path": request.path,
            "httpMethod": request.method,
            "headers": dict(request.headers.items()),
            "queryStringParameters": dict(request.query) or None,
            "pathParameters": dict(path_params) or None,
        }

    def _cached(self, authorizer: Authorizer, identity: str) -> dict[str, Any] | None:
        with self._lock:
            held = self._cache.get((authorizer.name, identity))
        if held is None or held[0] <= time.monotonic():
            return None
        return held[1]

    def _remember(self, authorizer: Authorizer, identity: str, policy: dict[str, Any]) -> None:
        if authorizer.ttl_seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            for key in [key for key, (expires, _) in self._cache.items() if expires <= now]:
                del self._cache[key]
            self._cache[(authorizer.name, identity)] = (now + authorizer.ttl_seconds, policy)


def answer(authorizer: Authorizer | None, kind: str) -> HttpResponse:
    """API Gateway's own answer of this type: the template's gateway response, else the contract's shape."""
    response = authorizer.responses.get(kind) if authorizer is not None else None
    status, code, message = _FALLBACK[kind]
    if response is None or not response.body:
        return error_response(response.status if response and response.status else status, code, message)
    headers = Headers([("Content-Type", "application/json"), *response.headers])
    return HttpResponse(response.status or status, headers, response.body.encode("utf-8"))


def _is_policy(result: Any) -> bool:
    if not isinstance(result, dict) or not result.get("principalId"):
        return False
    document = result.get("policyDocument")
    return isinstance(document, dict) and bool(document.get("Statement"))


def allows(document: Mapping[str, Any], method_arn: str) -> bool:
    """IAM's reading of an authorizer policy for ``execute-api:Invoke`` on the method: an explicit
    Deny wins, else an Allow is needed."""
    statements = document.get("Statement")
    allowed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(fnmatchcase("execute-api:Invoke", action) for action in actions):
            continue
        if not any(fnmatchcase(method_arn, resource) for resource in resources):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or statement.get("Effect") == "Allow"
    return allowed


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []
