"""What the API's routers share: file downloads, and the `from`/`to` window of a query."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import Response

from oa_core.platform.errors import InvalidInput
from oa_core.platform.fields import time_problem
from oa_core.platform.http import SECURITY_HEADERS, content_disposition

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_responses(media_type: str, what: str, **errors: str) -> dict[int, Any]:
    """The OpenAPI answers of a download route: 200 with the file's media type (bytes, not JSON), and what each
    error status means for it (``conflict=``, ``forbidden=``, ``not_found=``; openapi.complete gives the body)."""
    statuses = {"conflict": 409, "forbidden": 403, "not_found": 404}
    answers: dict[int, Any] = {
        200: {"description": what, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}
    }
    answers.update({statuses[name]: {"description": text} for name, text in errors.items()})
    return answers


def file_response(data: bytes, content_type: str, filename: str, *, inline: bool = False) -> Response[str]:
    """A file download: base64 text marked as such, so API Gateway (binary media types */*) sends bytes."""
    response: Response[str] = Response(
        status_code=200,
        content_type=content_type,
        body=base64.b64encode(data).decode("ascii"),
        headers={**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=inline)},
    )
    response.base64_encoded = True
    return response


def window(event: APIGatewayProxyEvent) -> tuple[str, str]:
    """The `from` and `to` query parameters (Python names cannot be `from`), each empty or an ISO 8601 time
    the calendar holds (refused here, 422, rather than overflowing a conversion later)."""
    query = event.query_string_parameters or {}
    start, end = str(query.get("from", "")), str(query.get("to", ""))
    for name, value in (("from", start), ("to", end)):
        problem = time_problem(value) if value else None
        if problem:
            raise InvalidInput(f"查询参数 {name}：{problem}")
    return start, end
