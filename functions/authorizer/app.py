"""The API's authorizer: API Gateway asks it whether a bearer ID token may call the JSON API.

The verification (signature against the issuer's JWKS, issuer, audience, times, token use) is
oa_core.identity.tokens; the answer API Gateway expects is oa_core.identity.authorizer. A bad token
raises ``Unauthorized`` (401); the reason is logged, never the token.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.identity.authorizer import NotAuthorized, authorize

logger = Logger(service="oa")


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        policy = authorize(event)
    except NotAuthorized as refused:
        logger.info("token refused", extra={"reason": refused.reason})
        raise
    logger.append_keys(user=policy["principalId"])
    return policy
