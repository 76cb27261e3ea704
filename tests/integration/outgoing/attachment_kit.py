"""Uploading an attachment as the browser does: sign, POST the file to (local) S3, attach."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from infra.local.stack import LocalStack
from tests.integration.kit import Api
from tests.support.sample_files import multipart


def reserve_id() -> str:
    from oa_core.outgoing.documents import new_document_id

    return new_document_id()


def sign(api: Api, document_id: str, user: str, filename: str, size: int | None = None) -> tuple[int, Any]:
    body: dict[str, Any] = {"filename": filename}
    if size is not None:
        body["size"] = size
    return api.call("POST", f"/api/documents/{document_id}/attachments/uploads", user, body)


def post_to_s3(stack: LocalStack, ticket: dict[str, Any], filename: str, data: bytes) -> int:
    body, content_type = multipart(ticket["fields"], filename, data)
    url = urlsplit(ticket["url"])
    assert url.path.startswith("/_local/s3/"), ticket["url"]
    return stack.invoke_http("POST", url.path, body=body, headers={"Content-Type": content_type}).status


def upload(
    api: Api, stack: LocalStack, document_id: str, user: str, filename: str, data: bytes, title: str | None = None
) -> tuple[int, Any]:
    """The whole upload: returns the attach call's status and body."""
    status, ticket = sign(api, document_id, user, filename, len(data))
    assert status == 201, ticket
    assert post_to_s3(stack, ticket, filename, data) == 204
    body: dict[str, Any] = {"upload": ticket["upload"]}
    if title:
        body["title"] = title
    return api.call("POST", f"/api/documents/{document_id}/attachments", user, body)
