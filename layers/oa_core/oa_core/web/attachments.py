"""附件 on the staff pages: the draft form's script calls these (JSON, with the session's CSRF token) to
get a presigned POST, attach what the browser uploaded, retitle, reorder and remove; the document page and
the 发文稿纸 list the attachments and open them. The rules are outgoing.attaching's, as in the API."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from oa_core.outgoing import attaching
from oa_core.outgoing.attachments import AttachRequest, ChangeRequest, ReorderRequest, UploadRequest, number_of
from oa_core.platform.errors import DomainError
from oa_core.platform.http import error_body, humanize
from oa_core.web.pages import Reply, headers

JSON = "application/json; charset=utf-8"


def _reply(status: int, body: str) -> Reply:
    return Reply(status, body, JSON, {**headers(), "Cache-Control": "no-store"})


def _parse[M: BaseModel](model: type[M], body: str) -> M:
    return model.model_validate_json(body or "{}")


def call(action: str, document_id: str, user: dict[str, Any], body: str, no: str = "") -> Reply:
    """One of the form's attachment actions, answered as JSON (errors as the API's error body); ``no``: the
    route's ``{n}`` as written (a bad one is 404 like an unknown one)."""
    try:
        if action == "upload":
            request = _parse(UploadRequest, body)
            result: Any = attaching.sign_upload(document_id, user, request.filename, request.size)
            status = 201
        elif action == "attach":
            attach = _parse(AttachRequest, body)
            result, status = attaching.attach(document_id, user, attach.upload, attach.title), 201
        elif action == "order":
            result, status = attaching.reorder(document_id, user, _parse(ReorderRequest, body)), 200
        elif action == "change":
            result, status = attaching.change(document_id, user, number_of(no), _parse(ChangeRequest, body)), 200
        elif action == "delete":
            parsed = json.loads(body or "{}")
            rev = parsed.get("rev") if isinstance(parsed, dict) else None
            number = number_of(no)
            result, status = attaching.remove(document_id, user, number, rev if isinstance(rev, int) else None), 200
        else:
            return _reply(404, error_body("not_found", "没有这个操作"))
    except ValidationError as exc:
        return _reply(422, error_body("invalid_input", humanize(exc.errors())))
    except ValueError:
        return _reply(422, error_body("invalid_input", "请求内容不是有效的 JSON，请刷新页面后重试。"))
    except DomainError as exc:
        return _reply(exc.status, error_body(exc.code, exc.message, exc.details))
    if action in ("attach", "change", "delete"):
        from oa_core.search import attached

        attached.sync_quietly(document_id)  # 检索: the attachment's text, never failing the change
    return _reply(status, result.model_dump_json())


def open_attachment(document_id: str, no: int, user: dict[str, Any]) -> Reply:
    """打开附件 from a page: to a 5-minute link (audited); a refusal is the page's own message."""
    url = attaching.open_for(document_id, no, user)
    return Reply(302, "", "text/plain; charset=utf-8", {**headers(), "Location": url})
