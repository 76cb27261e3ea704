"""附件 in S3: the presigned POST a browser uploads with, the check of what arrived (real type from the
bytes, SHA-256, size), the move to its final key, and the short-lived links that open an attachment.

The attachments bucket has two prefixes: ``pending/<document>/<token>`` (what a browser may write, for
a day: the bucket's lifecycle removes uploads never attached) and ``attachments/<document>/<sha256>``
(attached files, written only by the function after its check). Only the function signs, so the
browser never holds a credential; the POST policy bounds the size and fixes the Content-Type.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from typing import Any

from oa_core.outgoing.attachments import UploadTicket, clean_filename
from oa_core.outgoing.diffing import size_text
from oa_core.outgoing.storage import AttachmentEntry, UploadItem
from oa_core.platform import clock, filetypes
from oa_core.platform.config import client, settings
from oa_core.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from oa_core.platform.http import content_disposition
from oa_core.platform.storage import doc_pk

UPLOAD_SECONDS = 15 * 60
"""How long a presigned POST may be used."""
OPEN_SECONDS = 5 * 60
"""How long a link that opens an attachment works."""
PENDING_DAYS = 1


def refuse_type(filename: str) -> InvalidInput:
    return InvalidInput(f"不能上传“{filename}”：只接受 {filetypes.ACCEPTED_TEXT}。", code="attachment_type_refused")


def too_large(size: int) -> InvalidInput:
    limit = settings().attachment_max_bytes
    return InvalidInput(
        f"文件大小 {size_text(size)} 超过了每个附件 {size_text(limit)} 的上限，请压缩或拆分后再上传。",
        code="attachment_too_large",
    )


@cache
def _signer(endpoint: str) -> Any:
    """The client that signs what a browser is sent to (its endpoint: ``attachment_endpoint`` if set)."""
    import boto3
    from botocore.config import Config

    config = Config(signature_version="s3v4", s3={"addressing_style": "path" if endpoint else "auto"})
    return boto3.client("s3", region_name=settings().region, endpoint_url=endpoint or None, config=config)


def signer() -> Any:
    return _signer(settings().attachment_endpoint)


def new_upload(document_id: str, owner: str, filename: str, size: int | None) -> tuple[UploadItem, UploadTicket]:
    """A presigned POST for one file under ``pending/``, and the record that says who may attach it."""
    name = clean_filename(filename)
    if filetypes.kind_for_name(name) is None:
        raise refuse_type(name)
    limit = settings().attachment_max_bytes
    if size is not None and size > limit:
        raise too_large(size)
    if size == 0:
        raise InvalidInput(f"“{name}”是空文件，不能作为附件。", code="attachment_empty")
    token = secrets.token_hex(16)
    key = f"pending/{document_id}/{token}"
    content_type = filetypes.content_type_for(name)
    expires = clock.now() + timedelta(seconds=UPLOAD_SECONDS)
    post = signer().generate_presigned_post(
        Bucket=settings().attachment_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[["content-length-range", 1, limit], {"Content-Type": content_type}],
        ExpiresIn=UPLOAD_SECONDS,
    )
    item = UploadItem(
        doc_pk(document_id),
        f"UPLOAD#{token}",
        document_id=document_id,
        token=token,
        owner=owner,
        filename=name,
        content_type=content_type,
        key=key,
        created_at=clock.now_iso(),
        expires_at_epoch=int((expires + timedelta(days=PENDING_DAYS)).timestamp()),
    )
    item.save()
    ticket = UploadTicket(
        upload=token,
        url=post["url"],
        fields={str(k): str(v) for k, v in post["fields"].items()},
        content_type=content_type,
        max_bytes=limit,
        expires_at=clock.iso(expires),
    )
    return item, ticket


def load_upload(document_id: str, token: str, owner: str) -> UploadItem:
    try:
        item = UploadItem.get(doc_pk(document_id), f"UPLOAD#{token}", consistent_read=True)
    except UploadItem.DoesNotExist:
        raise NotFound("没有这次上传，或它已添加为附件。请重新选择文件上传。", code="upload_unknown") from None
    if item.owner != owner:
        raise Forbidden("这次上传不是您发起的，不能添加为附件。")
    return item


def received(upload: UploadItem, owner: str, no: int) -> AttachmentEntry:
    """What arrived for an upload, checked: it is there (the browser finished), within the limit, of a
    kind we accept judged from its bytes, and that kind is the one its name claims; then it is copied to
    its final key. Returns the entry (not yet in any list)."""
    from botocore.exceptions import ClientError

    s3 = client("s3")
    bucket = settings().attachment_bucket
    try:
        head = s3.head_object(Bucket=bucket, Key=upload.key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise InvalidInput(
                f"“{upload.filename}”尚未上传完成（可能网络中断或已取消），请重新上传。", code="upload_incomplete"
            ) from None
        raise
    size = int(head["ContentLength"])
    if size > settings().attachment_max_bytes:
        raise too_large(size)
    if size == 0:
        raise InvalidInput(f"“{upload.filename}”是空文件，不能作为附件。", code="attachment_empty")
    data = s3.get_object(Bucket=bucket, Key=upload.key)["Body"].read()
    kind = filetypes.sniff(data)
    if kind is None:
        raise refuse_type(upload.filename)
    if not filetypes.matches_name(kind, upload.filename):
        raise InvalidInput(
            f"“{upload.filename}”的内容是{kind.label}，与文件扩展名不符。请确认文件后按正确的扩展名重新上传。",
            code="attachment_name_mismatch",
        )
    digest = hashlib.sha256(data).hexdigest()
    key = f"attachments/{upload.document_id}/{digest}"
    content_type = filetypes.content_type_for(upload.filename)
    put = s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType=content_type,
        ChecksumAlgorithm="SHA256",
        Metadata={"sha256": digest},
    )
    return AttachmentEntry(
        no=no,
        title="",
        filename=upload.filename,
        kind=kind.key,
        content_type=content_type,
        size=size,
        sha256=digest,
        key=key,
        s3_version=str(put.get("VersionId") or ""),
        uploaded_by=owner,
        uploaded_at=clock.now_iso(),
    )


def stored_bytes(entry: AttachmentEntry) -> bytes:
    """The attached file, exactly the object version recorded, checked against its SHA-256: Conflict when the
    bytes are not the ones attached (the steps that carry attachments on fail rather than carry another file)."""
    params: dict[str, Any] = {"Bucket": settings().attachment_bucket, "Key": entry.key}
    if entry.s3_version:
        params["VersionId"] = entry.s3_version
    data = bytes(client("s3").get_object(**params)["Body"].read())
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise Conflict(f"附件“{entry.title}”的文件与登记的摘要不一致 (SHA-256 mismatch)", code="attachment_digest")
    return data


def forget_upload(upload: UploadItem) -> None:
    """The pending object, once its content is attached (the lifecycle would remove it a day later anyway)."""
    client("s3").delete_object(Bucket=settings().attachment_bucket, Key=upload.key)


def discard_copy(entry: AttachmentEntry) -> None:
    """The final object written for an attach that then lost its race (nothing half-attached stays)."""
    if entry.s3_version:
        client("s3").delete_object(Bucket=settings().attachment_bucket, Key=entry.key, VersionId=entry.s3_version)


def open_url(entry: AttachmentEntry, seconds: int = OPEN_SECONDS) -> str:
    """A presigned GET of exactly this attachment's object version: PDF and images shown in the browser,
    anything else downloaded, under its own name (RFC 5987 ``filename*``, Chinese kept)."""
    kind = next((k for k in filetypes.KINDS if k.key == entry.kind), None)
    inline = bool(kind and kind.inline)
    params: dict[str, Any] = {
        "Bucket": settings().attachment_bucket,
        "Key": entry.key,
        "ResponseContentDisposition": content_disposition(entry.filename, inline=inline),
        "ResponseContentType": entry.content_type,
    }
    if entry.s3_version:
        params["VersionId"] = entry.s3_version
    url: str = signer().generate_presigned_url("get_object", Params=params, ExpiresIn=max(1, seconds))
    return url
