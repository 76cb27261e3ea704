"""The local API Gateway's routes: one REST method of a function's ``Api`` event, matched against requests.

Owns `Route` (path, method, function, whether an authorizer guards it and which, binary media types),
the Lambda `Authorizer` of a route with its API's `GatewayResponse`s, and the path pattern a route
matches with (``{name}`` one segment, ``{proxy+}`` the rest); `Template.routes` derives them from
template.yaml, the gateway serves them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GatewayResponse:
    """A gateway response of the API (``GatewayResponses``): what API Gateway answers by itself."""

    status: int
    body: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Authorizer:
    """A Lambda authorizer of the API (``Auth.Authorizers``), with the API's gateway responses."""

    name: str
    function_name: str
    """The authorizer function's name (the last part of its ``FunctionArn``)."""
    payload_type: str
    """``TOKEN`` or ``REQUEST``."""
    identity_header: str
    ttl_seconds: int
    responses: Mapping[str, GatewayResponse] = field(default_factory=dict, compare=False)
    api_id: str = "local"
    stage: str = "local"


@dataclass(frozen=True)
class Route:
    """One API Gateway (REST) method from a function's ``Api`` event."""

    path: str
    method: str
    function_id: str
    authorized: bool
    binary_media_types: tuple[str, ...]
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    authorizer: Authorizer | None = field(default=None, compare=False)
    """The Lambda authorizer guarding it (None: none, or one the local gateway cannot run)."""

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters when this route serves ``method path``, else None."""
        if self.method not in ("ANY", method.upper()):
            return None
        found = self.pattern.fullmatch(path)
        return None if found is None else dict(found.groupdict())

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        """Sort key: static segments before parameters before greedy ``{proxy+}``."""
        greedy = self.path.count("+}")
        params = self.path.count("{")
        return (greedy, params, -len(self.path), 1 if self.method == "ANY" else 0)


def route_pattern(path: str) -> re.Pattern[str]:
    """The expression a request path must match in full: ``{name}`` is one segment, ``{name+}`` the rest."""
    parts: list[str] = []
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name.endswith("+"):
                parts.append(f"(?P<{name[:-1]}>.+)")
            else:
                parts.append(f"(?P<{name}>[^/]+)")
        else:
            parts.append(re.escape(piece))
    return re.compile("".join(parts))
