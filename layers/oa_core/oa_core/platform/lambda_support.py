"""What every step handler shares: one logger, event parsing, and naming transient failures.

Errors leave a handler with a class name the ASL can Retry or Catch: botocore throttling and
transaction conflicts become TransientError (retried); anything else fails the step (caught).
Events are never logged whole: a waitForTaskToken event carries a task token.
"""

from __future__ import annotations

import builtins
import socket
import sys
from collections.abc import Callable
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from oa_core.platform.errors import TransientError

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

TRANSIENT_CODES = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "InternalServerError",
    "ServiceUnavailable",
    "SlowDown",
    "TooManyRequestsException",
}

E = TypeVar("E", bound=BaseModel)


@cache
def logger() -> Logger:
    from aws_lambda_powertools import Logger

    return Logger(service="oa")


def _is_transient(exc: Exception) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError
    from pynamodb.exceptions import PynamoDBException

    if isinstance(exc, (ConnectionError, ReadTimeoutError)):
        return True
    if isinstance(exc, (builtins.ConnectionError, TimeoutError, socket.gaierror)):
        return True  # sockets: an SMTP relay or endpoint that did not answer (in time)
    smtplib = sys.modules.get("smtplib")
    if smtplib is not None and isinstance(exc, smtplib.SMTPResponseException):
        return bool(400 <= exc.smtp_code < 500)  # 4xx: try again later
    if smtplib is not None and isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code", "") in TRANSIENT_CODES
    if isinstance(exc, PynamoDBException):
        return exc.cause_response_code in TRANSIENT_CODES if exc.cause_response_code else False
    return False


def step_handler[E: BaseModel](
    model: type[E],
) -> Callable[[Callable[[E], Any]], Callable[[dict[str, Any], Any], Any]]:
    """Wrap a step function: parse the event into `model`, name transient errors for Retry."""

    def decorate(step: Callable[[E], Any]) -> Callable[[dict[str, Any], Any], Any]:
        @wraps(step)
        def handler(event: dict[str, Any], context: Any) -> Any:
            parsed = model.model_validate(event)
            log = logger()
            log.append_keys(document_id=parsed.model_dump().get("document_id"))
            try:
                result = step(parsed)
            except TransientError:
                log.warning("transient failure, the state machine will retry", exc_info=True)
                raise
            except Exception as exc:
                if _is_transient(exc):
                    log.warning("transient failure, the state machine will retry", exc_info=True)
                    raise TransientError(str(exc)) from exc
                log.exception("step failed")
                raise
            log.info("step done")
            return result

        return handler

    return decorate
