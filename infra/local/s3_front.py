"""The local stand-in for S3's browser endpoints: presigned POST uploads and presigned GETs.

A browser is sent to S3 itself for 附件 (outgoing.uploads): a form POST with the policy the function
signed, and short-lived GET links. Locally the functions sign for ``ATTACHMENT_S3_ENDPOINT``, which the
stack points at ``<its own origin>/_local/s3`` (path style: ``/_local/s3/<bucket>[/<key>]``); this module
serves those requests from the same in-process moto backend the functions use, after the checks S3 makes
that moto does not: the POST policy's expiry, ``content-length-range``, exact-match conditions (the
Content-Type, the key) and a GET link's ``X-Amz-Expires``. Signatures are not verified (moto does not
either). The same origin as the pages, so no CORS is needed locally.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import boto3
from werkzeug.datastructures import Headers
from werkzeug.formparser import parse_form_data
from werkzeug.test import EnvironBuilder

from infra.local.messages import HttpRequest, HttpResponse

PREFIX = "/_local/s3/"


def _error(status: int, code: str, message: str) -> HttpResponse:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return HttpResponse(status, Headers([("Content-Type", "application/xml")]), body.encode("utf-8"))


def _form(request: HttpRequest) -> tuple[dict[str, str], bytes | None]:
    builder = EnvironBuilder(
        method="POST",
        path="/",
        data=request.body,
        headers=Headers(
            [("Content-Type", request.headers.get("Content-Type", "")), ("Content-Length", str(len(request.body)))]
        ),
    )
    _stream, form, files = parse_form_data(builder.get_environ())
    upload = files.get("file")
    return {k: form[k] for k in form}, (upload.read() if upload is not None else None)


def _policy_problem(fields: dict[str, str], size: int, bucket: str) -> str | None:
    try:
        policy = json.loads(base64.b64decode(fields.get("Policy") or fields.get("policy") or ""))
    except (ValueError, TypeError):
        return "Invalid Policy: the form has no readable policy"
    expiration = datetime.fromisoformat(str(policy.get("expiration", "")).replace("Z", "+00:00"))
    if expiration <= datetime.now(UTC):
        return "Invalid according to Policy: Policy expired."
    for condition in policy.get("conditions") or []:
        if isinstance(condition, dict):
            for name, value in condition.items():
                actual = bucket if name == "bucket" else fields.get(name, "")
                if actual != value:
                    return f'Invalid according to Policy: Policy Condition failed: ["eq", "${name}", "{value}"]'
        elif isinstance(condition, list) and condition and condition[0] == "content-length-range":
            if not int(condition[1]) <= size <= int(condition[2]):
                return "Your proposed upload exceeds the maximum allowed size"
        elif isinstance(condition, list) and len(condition) == 3 and condition[0] == "eq":
            name = str(condition[1]).lstrip("$")
            if fields.get(name, "") != condition[2]:
                return f"Invalid according to Policy: Policy Condition failed: {condition}"
    return None


def _post(request: HttpRequest, bucket: str) -> HttpResponse:
    fields, data = _form(request)
    if data is None:
        return _error(400, "InvalidArgument", "POST requires exactly one file upload per request.")
    problem = _policy_problem(fields, len(data), bucket)
    if problem is not None:
        code = "EntityTooLarge" if "size" in problem else "AccessDenied"
        return _error(400 if code == "EntityTooLarge" else 403, code, problem)
    extra: dict[str, Any] = {}
    if fields.get("Content-Type"):
        extra["ContentType"] = fields["Content-Type"]
    boto3.client("s3").put_object(Bucket=bucket, Key=fields["key"], Body=data, **extra)
    return HttpResponse(204, Headers(), b"")


def _get(request: HttpRequest, bucket: str, key: str) -> HttpResponse:
    query = dict(request.query)
    try:
        signed = datetime.strptime(query.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        lifetime = int(query.get("X-Amz-Expires", ""))
    except ValueError:
        return _error(403, "AccessDenied", "Query-string authentication requires X-Amz-Date and X-Amz-Expires")
    if signed + timedelta(seconds=lifetime) < datetime.now(UTC):
        return _error(403, "AccessDenied", "Request has expired")
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if query.get("versionId"):
        params["VersionId"] = query["versionId"]
    s3 = boto3.client("s3")
    try:
        found = s3.get_object(**params)
    except s3.exceptions.NoSuchKey:
        return _error(404, "NoSuchKey", "The specified key does not exist.")
    headers = Headers(
        [
            ("Content-Type", query.get("response-content-type") or found.get("ContentType") or "binary/octet-stream"),
            ("Content-Disposition", query.get("response-content-disposition") or "attachment"),
            ("Cache-Control", "private, no-store"),
        ]
    )
    return HttpResponse(200, headers, found["Body"].read())


def handle(request: HttpRequest) -> HttpResponse:
    """``POST /_local/s3/<bucket>`` (a presigned POST) or ``GET /_local/s3/<bucket>/<key>`` (a presigned GET)."""
    bucket, _sep, key = request.path[len(PREFIX) :].partition("/")
    if request.method == "POST" and bucket and not key:
        return _post(request, bucket)
    if request.method == "GET" and bucket and key:
        return _get(request, bucket, unquote(key))
    return _error(405, "MethodNotAllowed", "Only presigned POST uploads and presigned GETs are served locally.")
