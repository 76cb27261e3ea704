"""The local API Gateway's routes: one REST method of a function's ``Api`` event, matched against requests.

Owns `Route` (path, method, function, whether an authorizer guards it, binary media types) and the
path pattern a route matches with (``{name}`` one segment, ``{proxy+}`` the rest); `Template.routes`
derives them from template.yaml, the gateway serves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    """One API Gateway (REST) method from a function's ``Api`` event."""

    path: str
    method: str
    function_id: str
    authorized: bool
    binary_media_types: tuple[str, ...]
    pattern: re.Pattern[str] = field(compare=False, repr=False)

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
