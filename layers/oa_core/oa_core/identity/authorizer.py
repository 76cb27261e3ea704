"""The API's Lambda authorizer (API Gateway REST, TOKEN type): a bearer ID token in, a policy out.

API Gateway calls it with ``{"type": "TOKEN", "authorizationToken": <the Authorization header>,
"methodArn": ...}`` and caches the answer per token for ``ReauthorizeEvery`` seconds, for every route
of the API: so the policy allows the whole stage, not only the method first asked for. The user name
(``cognito:username`` or the configured ``OidcUsernameClaim``) goes into the context, which API
Gateway hands the integration as ``requestContext.authorizer`` (``platform.http.caller_id`` reads
it). A token issued longer ago than the idle limit (SESSION_IDLE_MINUTES) is refused too, so an API
token ends after the idle limit as a web session does. A bad token is ``NotAuthorized``, whose
message ``Unauthorized`` is what API Gateway answers 401 for; any other failure (an unreachable
provider) becomes its 500 ``AUTHORIZER_FAILURE``, which the template's gateway responses turn into a JSON 503.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from oa_core.identity import tokens
from oa_core.platform.config import settings
from oa_core.platform.errors import Unauthorized


class NotAuthorized(Exception):
    """The one error API Gateway answers 401 for: its message must be exactly ``Unauthorized``."""

    def __init__(self, reason: str) -> None:
        super().__init__("Unauthorized")
        self.reason = reason


def bearer_token(header: str | None) -> str:
    """The token of ``Authorization: Bearer <token>`` (a bare token, as Cognito's authorizer took, too)."""
    value = (header or "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    if not token:
        raise NotAuthorized("no bearer token")
    return token


def stage_arn(method_arn: str) -> str:
    """``arn:…:execute-api:region:account:api/stage/*``: every method and path of the stage."""
    api, _, rest = method_arn.partition("/")
    stage = rest.partition("/")[0]
    if not api or not stage:
        raise NotAuthorized(f"not a method ARN: {method_arn!r}")
    return f"{api}/{stage}/*"


def _within_idle_limit(identity: tokens.Identity) -> None:
    """身份鉴别: an API token ends after the idle limit, as a web session does.

    A client keeps working by refreshing its token (a refresh is activity); a token issued longer than
    SESSION_IDLE_MINUTES ago is refused even if its provider gave it a longer ``exp`` (an OIDC provider
    the stack does not configure). Cognito's ID tokens are pinned to the same lifetime in the template.
    """
    issued = identity.claims.get("iat")
    limit = settings().session_idle_minutes * 60 + tokens.LEEWAY_SECONDS
    if isinstance(issued, int | float) and time.time() - issued > limit:
        raise NotAuthorized("登录凭证已超过空闲时限，请重新登录或刷新令牌 (the token is older than the idle limit)")


def authorize(event: Mapping[str, Any]) -> dict[str, Any]:
    """The IAM policy (and context) API Gateway expects, or ``NotAuthorized``."""
    token = bearer_token(event.get("authorizationToken"))
    try:
        identity = tokens.verify(token)
    except Unauthorized as exc:
        raise NotAuthorized(exc.message) from None
    _within_idle_limit(identity)
    return {
        "principalId": identity.username,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": stage_arn(str(event.get("methodArn") or "")),
                }
            ],
        },
        # Values must be strings, numbers or booleans.
        "context": {"username": identity.username, "sub": identity.subject, "email": identity.email},
    }
