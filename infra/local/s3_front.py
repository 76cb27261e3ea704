"""The local stand-in for S3's browser endpoints: presigned POST uploads and presigned GETs.

A browser is sent to S3 itself for 附件 (outgoing.uploads): a form POST with the policy the function
signed, and short-lived GET links. Locally the functions sign for ``ATTACHMENT_S3_ENDPOINT``, which the
stack points at ``<its own origin>/_local/s3`` (path style: ``/_local/s3/<bucket>[/<key>]``); this module
serves those requests from the same in-process moto backend the functions use, after the checks S3 makes
that moto does not: the POST policy's expiry, ``content-length-range``, exact-match conditions (the
Content-Type, the key), a GET link's ``X-Amz-Expires``, and CORS. Signatures are not verified (moto does
not either).

CORS as S3 does it: the stack sends the browser to another origin than its pages (``localhost`` for a
stack on ``127.0.0.1``, and back), as S3 is on AWS, so the upload's preflight (an XHR with upload
progress always sends one) is answered here from the bucket's CORS rules, which the local stack takes
from template.yaml (provision.cors_rule; ``PublicBaseUrl`` follows the served port): a request from an
origin, method or header no rule allows is refused, 403, as S3 refuses it.
"""

from __future__ import annotations

import base64
import fnmatch
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


def _rules(bucket: str) -> list[dict[str, Any]]:
    s3: Any = boto3.client("s3")  # rules as plain dicts, not the stubs' TypedDicts
    try:
        return list(s3.get_bucket_cors(Bucket=bucket).get("CORSRules") or [])
    except s3.exceptions.ClientError:
        return []


def _matches(patterns: list[str], value: str) -> bool:
    """S3's matching: exact, or one ``*`` wildcard (origins and headers; header names case-blind)."""
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in patterns)


def _allowing(bucket: str, origin: str, method: str, headers: list[str]) -> dict[str, Any] | None:
    """The first CORS rule of the bucket that allows this origin, method and request headers."""
    for rule in _rules(bucket):
        if (
            _matches(rule.get("AllowedOrigins") or [], origin)
            and method in (rule.get("AllowedMethods") or [])
            and all(_matches(rule.get("AllowedHeaders") or [], h) for h in headers)
        ):
            return rule
    return None


def _preflight(request: HttpRequest, bucket: str) -> HttpResponse:
    origin = request.headers.get("Origin", "")
    method = request.headers.get("Access-Control-Request-Method", "")
    asked = [h.strip() for h in request.headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
    rule = _allowing(bucket, origin, method, asked) if origin and method else None
    if rule is None:
        return _error(403, "AccessForbidden", "CORSResponse: This CORS request is not allowed.")
    headers = Headers(
        [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", ", ".join(rule.get("AllowedMethods") or [])),
            ("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"),
        ]
    )
    if asked:
        headers.add("Access-Control-Allow-Headers", ", ".join(asked))
    if rule.get("MaxAgeSeconds"):
        headers.add("Access-Control-Max-Age", str(rule["MaxAgeSeconds"]))
    return HttpResponse(200, headers, b"")


def _with_cors(request: HttpRequest, bucket: str, response: HttpResponse) -> HttpResponse:
    """An actual cross-origin request's answer carries the allowing rule's headers (else the browser
    hides it from the page, as with S3)."""
    origin = request.headers.get("Origin", "")
    if origin and _allowing(bucket, origin, request.method, []) is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")
    return response


def follow_origin(old: str, new: str) -> None:
    """The stack's origin moved (``serve`` on a port the system picked): so does every CORS rule's
    ``PublicBaseUrl`` origin, as a deployed stack's would with its PublicBaseUrl."""
    s3: Any = boto3.client("s3")  # rules as plain dicts, not the stubs' TypedDicts
    for bucket in s3.list_buckets().get("Buckets") or []:
        rules = _rules(bucket["Name"])
        if any(old in (r.get("AllowedOrigins") or []) for r in rules):
            for rule in rules:
                rule["AllowedOrigins"] = [new if o == old else o for o in rule.get("AllowedOrigins") or []]
            s3.put_bucket_cors(Bucket=bucket["Name"], CORSConfiguration={"CORSRules": rules})


def handle(request: HttpRequest) -> HttpResponse:
    """``POST /_local/s3/<bucket>`` (a presigned POST), ``GET /_local/s3/<bucket>/<key>`` (a presigned GET),
    and the browser's CORS preflight (``OPTIONS``) for either."""
    bucket, _sep, key = request.path[len(PREFIX) :].partition("/")
    if request.method == "OPTIONS" and bucket:
        return _preflight(request, bucket)
    if request.method == "POST" and bucket and not key:
        return _with_cors(request, bucket, _post(request, bucket))
    if request.method == "GET" and bucket and key:
        return _with_cors(request, bucket, _get(request, bucket, unquote(key)))
    return _error(405, "MethodNotAllowed", "Only presigned POST uploads and presigned GETs are served locally.")
