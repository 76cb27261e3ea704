"""拒绝审计 at the edge: every 403 a signed-in person gets from the JSON API or the staff pages is in the trail.

One rule for every route, not one call per route (等保 2.0 安全审计): the resolver's middleware (``audited``)
sees each answer, and where a route refused a signed-in person (a ``Forbidden`` raised or a 403 page) and the
domain recorded no refusal of its own in this request (``audit.refusal_recorded``), it records one: who, the
route as an action (``GET /api/incoming/{incoming_id}/sheet``), its target (the route's first id), outcome
``denied``, the 文件/收文 it concerns (so the refusal shows on that document's trail) and, from the request, the
source IP and user agent. A domain's own record (``view`` denied, ``download_result_file`` denied…) stays the
one record: never two for one refusal.

Each refusal of a signed-in person is recorded, not counted per window as anonymous guesses are
(``audit.refused``): the person is known and the API's throttling bounds how often they can ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from oa_core.platform import audit
from oa_core.platform.errors import DomainError

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

PERSON: ContextVar[str] = ContextVar("refusals_person", default="")
"""Who the staff pages' gate found signed in for the current request (set by ``signed_in``)."""

SUBJECT_ARGUMENTS = ("document_id", "incoming_id", "meeting_id")
"""Route arguments that name a subject of the trail (GSI3: a 发文, a 收文, a meeting)."""


def action_of(method: str, route: str) -> str:
    """The refused action as the route's template: ``GET /api/documents/{document_id}/copies/{run}``."""
    return f"{method.upper()} {re.sub(r'<([^>]+)>', r'{\1}', route)}"[:200]


def record_refusal(actor: str, method: str, route: str, arguments: Mapping[str, str], reason: str = "") -> bool:
    """Record a refused request of a signed-in person unless this request recorded a refusal already."""
    if not actor or audit.refusal_recorded():
        return False
    values = [str(v) for v in arguments.values()]
    subject = next((str(arguments[name]) for name in SUBJECT_ARGUMENTS if arguments.get(name)), None)
    detail = "; ".join(filter(None, [reason, ", ".join(f"{k}={v}" for k, v in arguments.items())]))
    audit.record(actor, action_of(method, route), values[0] if values else route, "denied", detail, document_id=subject)
    return True


def signed_in(user_id: str) -> None:
    """The staff pages' gate found this person signed in (their refusals in this request name them)."""
    PERSON.set(user_id)


def authorizer_user(event: Mapping[str, Any]) -> str:
    """The JSON API's caller: the authorizer's ``username`` in the request context ("" if none)."""
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    return str(context.get("username") or "")


def audited(actor_of: Callable[[Mapping[str, Any]], str]) -> Callable[..., Response[Any]]:
    """A Powertools middleware (``app.use``) recording every 403 of a signed-in person; the person is who
    the gate found (``signed_in``) or else ``actor_of(event)`` (the authorizer's username for the API)."""

    def middleware(app: ApiGatewayResolver, next_middleware: Callable[..., Response[Any]]) -> Response[Any]:
        event = app.current_event
        route = app.context.get("_route")
        template = str(getattr(route, "path", "") or event.path)
        arguments = {str(k): str(v) for k, v in (app.context.get("_route_args") or {}).items()}
        token = PERSON.set("")
        try:
            try:
                response = next_middleware(app)
            except DomainError as exc:
                if exc.status == 403:
                    actor = PERSON.get() or actor_of(event.raw_event)
                    record_refusal(actor, event.http_method, template, arguments, exc.hint)
                raise
            if response.status_code == 403:
                record_refusal(PERSON.get() or actor_of(event.raw_event), event.http_method, template, arguments)
            return response
        finally:
            PERSON.reset(token)

    return middleware
