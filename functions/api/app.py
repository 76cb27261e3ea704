"""The JSON API (/api/*), its OpenAPI description and /health, routed by Powertools.

The routes are Routers per domain in routes/ (documents, tasks, archive, bookings, meetings, dispatch,
organisation, incoming); this module keeps the resolver, the error handlers, /health and /openapi.json.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.platform import audit, refusals
from oa_core.platform.errors import DomainError
from oa_core.platform.http import CONTENT_JSON, SECURITY_HEADERS, error_body, humanize, path_problem, with_edge_headers

from routes import (
    archive,
    attachments,
    bookings,
    dispatch,
    documents,
    incoming,
    incoming_intake,
    meetings,
    organisation,
    search,
    tasks,
)
from routes import openapi as openapi_document

logger = Logger(service="oa")
app = APIGatewayRestResolver(enable_validation=True)
app.use([refusals.audited(refusals.authorizer_user)])  # every 403 of a signed-in person is audited
app.include_router(documents.router)
app.include_router(attachments.router)
app.include_router(tasks.router)
app.include_router(archive.router)
app.include_router(search.router)
app.include_router(bookings.router)
app.include_router(meetings.router)
app.include_router(dispatch.router)
app.include_router(organisation.router)
app.include_router(incoming.router)
app.include_router(incoming_intake.router)


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=CONTENT_JSON,
        body=error_body(code, message, details),
        headers=SECURITY_HEADERS,
    )


@app.exception_handler(DomainError)
def _domain_error(exc: DomainError) -> Response[str]:
    return _error(exc.status, exc.code, exc.message, exc.details)


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response[str]:
    return _error(422, "invalid_input", humanize(exc.errors()))


@app.exception_handler(UnicodeDecodeError)
def _not_utf8(_: UnicodeDecodeError) -> Response[str]:
    return _error(400, "invalid_encoding", "请求体不是 UTF-8 编码的文本 (the body is not UTF-8)")


@app.exception_handler(RecursionError)
def _too_deep(_: RecursionError) -> Response[str]:
    return _error(422, "invalid_input", "请求体的 JSON 嵌套过深 (the JSON is nested too deeply)")


@app.not_found
def _not_found(_: Exception) -> Response[str]:
    return _error(404, "not_found", "没有这个接口 (no such route)")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(status_code=200, content_type=CONTENT_JSON, body=_openapi_json())


@cache
def _openapi_json() -> str:
    return str(openapi_document.complete(app.get_openapi_json_schema(title="办公自动化系统 API (OA)", version="1.0.0")))


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    problem = path_problem(event)  # an id of any length never reaches a key (DynamoDB's 2 KB limit)
    if problem:
        headers = {**SECURITY_HEADERS, "Content-Type": CONTENT_JSON}
        body = error_body("not_found", problem)
        return with_edge_headers(event, {"statusCode": 404, "headers": headers, "body": body, "isBase64Encoded": False})
    with audit.from_event(event):  # every audit record of this request names its source
        return with_edge_headers(event, app.resolve(event, context))
