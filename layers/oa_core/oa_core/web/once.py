"""一次提交 (a form submits once): 拟稿, 会议申请 and 用车申请 forms carry a per-form token (a hidden
field made when the form is shown); the first POST with it claims the token by a DynamoDB condition
and creates, a second POST of the same form (Back, then 提交 again; a double click; a retry) lands on
what the first created, with a notice, and creates nothing.

item            PK                                        SK
form_submission FORMSUBMIT#<sha256(user id, token)>       FORMSUBMIT   (expires after 24 h, TTL)

The claim is ``in_progress`` while the first submission runs; a successful one (a redirect) records
where it went (``done``); one refused with the form shown again (a 4xx with the same token) releases
the claim, so the corrected form can be sent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from oa_core.platform import audit, clock
from oa_core.platform.storage import RecordItem
from oa_core.web.pages import FORM_TOKEN, Reply, form_value, message, redirect, root

FIELD = "form_token"
"""The hidden field that carries the token (every page gets a fresh one as ``form_token``: web.pages)."""
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KEEP_SECONDS = 24 * 3600


class FormSubmissionItem(RecordItem, discriminator="form_submission"):
    """一次提交: who claimed a form's token, whether the submission finished, and where it went."""

    user_id = UnicodeAttribute()
    form = UnicodeAttribute()
    status = UnicodeAttribute()
    location = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    expires_at_epoch = NumberAttribute()


def _key(user_id: str, token: str) -> str:
    return "FORMSUBMIT#" + hashlib.sha256(f"{user_id}\n{token}".encode()).hexdigest()


def _lost(error: PutError | UpdateError | DeleteError) -> bool:
    return getattr(error, "cause_response_code", "") == "ConditionalCheckFailedException"


def _with_notice(location: str, notice: str) -> str:
    """The path the first submission went to (site prefix dropped), its notice replaced by ``notice``."""
    path = urlsplit(location).path
    prefix = root()
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    return f"{path}?done={quote(notice)}"


def submit(
    user: dict[str, Any],
    session: Any,
    form: dict[str, list[str]],
    name: str,
    duplicate_notice: str,
    create: Callable[[], Reply],
) -> Reply:
    """Run ``create`` once per form token: the first POST creates; a repeat goes where the first went,
    with ``duplicate_notice``; a repeat while the first still runs is told to wait (409)."""
    token = form_value(form, FIELD, strip=True)
    if not TOKEN.match(token):
        return create()  # a form from before tokens (or a hand-made POST): no token to hold it to
    key = _key(user["user_id"], token)
    now = clock.now()
    claim = FormSubmissionItem(
        PK=key,
        SK="FORMSUBMIT",
        user_id=user["user_id"],
        form=name,
        status="in_progress",
        created_at=clock.iso(now),
        expires_at_epoch=int(now.timestamp()) + KEEP_SECONDS,
    )
    for _attempt in range(2):
        try:
            claim.save(condition=FormSubmissionItem.PK.does_not_exist())
            break
        except PutError as exc:
            if not _lost(exc):
                raise
        try:
            return _repeat(user, session, key, name, duplicate_notice)
        except FormSubmissionItem.DoesNotExist:
            continue  # the first was refused and released its token meanwhile: this one may try
    else:
        return message(user, session, 409, "正在提交", f"该{name}正在提交，请稍后刷新页面查看，不会重复提交。")
    shown_again = FORM_TOKEN.set(token)  # a form shown again to be corrected keeps its token
    try:
        reply = create()
    except BaseException:
        _release(claim)
        raise
    finally:
        FORM_TOKEN.reset(shown_again)
    location = str(reply.headers.get("Location", ""))
    if reply.status in (302, 303) and location:
        claim.update(
            actions=[FormSubmissionItem.status.set("done"), FormSubmissionItem.location.set(location)],
            condition=FormSubmissionItem.status == "in_progress",
        )
    else:
        _release(claim)
    return reply


def _release(claim: FormSubmissionItem) -> None:
    """The submission created nothing (the form is shown again to be corrected): free its token."""
    try:
        claim.delete(condition=FormSubmissionItem.status == "in_progress")
    except DeleteError as exc:
        if not _lost(exc):
            raise


def _repeat(user: dict[str, Any], session: Any, key: str, name: str, duplicate_notice: str) -> Reply:
    first = FormSubmissionItem.get(key, "FORMSUBMIT", consistent_read=True)
    audit.record(user["user_id"], "repeat_submission", name, "refused", first.status)
    if first.status == "done" and first.location:
        return redirect(_with_notice(first.location, duplicate_notice))
    return message(user, session, 409, "正在提交", f"该{name}正在提交，请稍后刷新页面查看，不会重复提交。")
