"""办结回执: once a 收文 that came by exchange is archived, tell its sender it was concluded, and how.

IncomingFlow's step after 归档 calls ``send``; it POSTs to the sending 外部单位's ``receipt_url`` (its
``/exchange/receipts``) ``{delivery_id, kind: "concluded", incoming_number, concluded_at, unit}``, signed
as our exchange is signed (platform.webhooks) with the key the sender's deliveries are checked with (the
template secret ExchangeInboundSecret: the one key the two units share). The delivery id is the sender's
own ``X-OA-Delivery`` (what names the delivery there); no id of ours, no link and no token goes with it.

A failed attempt says how long to wait (DeliveryRetrySeconds × 2ⁿ, as for 对外发送) and the flow waits
and calls again, up to DeliveryMaxAttempts; a refusal that retrying cannot change (a 4xx) is final at
once. Whatever happens, the 收文 stays archived: the last failure is recorded on it as 「办结回执未送达」
(``undelivered``), with its history entry and audit record, and the flow succeeds.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from oa_core.identity import directory
from oa_core.incoming.storage import IncomingItem, incoming_key
from oa_core.platform import audit, clock, webhooks
from oa_core.platform.config import settings
from oa_core.workflow.tasks import history_item

ACTION = "send_concluded_receipt"
STEP = "concluded_receipt"
MAX_ERROR_CHARS = 300


class ReceiptEvent(BaseModel):
    """What IncomingFlow passes after 归档."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)
    action: Literal["send_concluded_receipt", "concluded_receipt_undelivered"]
    incoming_id: str = Field(min_length=1, max_length=64)
    attempt: int = Field(default=0, ge=0, le=100)


class _Failed(Exception):
    def __init__(self, message: str, *, final: bool) -> None:
        super().__init__(message)
        self.final = final


def handle(event: ReceiptEvent) -> dict[str, Any]:
    if event.action == "concluded_receipt_undelivered":
        return undelivered(event.incoming_id)
    return send(event.incoming_id, event.attempt)


def send(incoming_id: str, attempt: int) -> dict[str, Any]:
    """One attempt: {"done": bool, "attempt": n, "wait_seconds": s, "final": bool}."""
    number = attempt + 1
    item = IncomingItem.get(*incoming_key(incoming_id), consistent_read=True)
    if item.source != "exchange" or not item.delivery_id or item.concluded_receipt == "sent":
        return {"done": True, "attempt": number, "wait_seconds": 0, "final": True}
    unit = _unit(item)
    url = unit.get("receipt_url", "")
    if not url:
        item.update(actions=[IncomingItem.concluded_receipt.set("unregistered")])
        audit.record("system", ACTION, incoming_id, "skipped", f"{item.sender}: no receipt_url")
        return {"done": True, "attempt": number, "wait_seconds": 0, "final": True}
    try:
        _post(item, url, number)
    except _Failed as exc:
        config = settings()
        final = exc.final or number >= config.delivery_max_attempts
        wait = 0 if final else min(config.delivery_retry_seconds * (1 << (number - 1)), 24 * 3600)
        error = str(exc)[:MAX_ERROR_CHARS]
        item.update(
            actions=[
                IncomingItem.concluded_receipt.set("retrying"),
                IncomingItem.concluded_receipt_attempts.set(number),
                IncomingItem.concluded_receipt_error.set(error),
                IncomingItem.concluded_receipt_at.set(clock.now_iso()),
            ],
            condition=IncomingItem.concluded_receipt != "sent",
        )
        audit.record("system", ACTION, incoming_id, "error", f"{item.sender} attempt {number}: {error}")
        return {"done": False, "attempt": number, "wait_seconds": wait, "final": final}
    now = clock.now_iso()
    item.update(
        actions=[
            IncomingItem.concluded_receipt.set("sent"),
            IncomingItem.concluded_receipt_attempts.set(number),
            IncomingItem.concluded_receipt_error.set(""),
            IncomingItem.concluded_receipt_at.set(now),
        ]
    )
    history_item(incoming_id, STEP, "system", "sent", f"已向{item.sender}发送办结回执").save()
    audit.record("system", ACTION, incoming_id, "ok", f"{item.sender} attempt {number}, 收文编号 {item.number}")
    return {"done": True, "attempt": number, "wait_seconds": 0, "final": True}


def undelivered(incoming_id: str) -> dict[str, Any]:
    """After the last failed attempt (or a fault): 「办结回执未送达」 on the 收文; it stays archived."""
    item = IncomingItem.get(*incoming_key(incoming_id), consistent_read=True)
    if item.concluded_receipt == "sent":
        return {"status": "sent"}
    reason = item.concluded_receipt_error or "发送办结回执时系统出错"
    item.update(
        actions=[IncomingItem.concluded_receipt.set("failed"), IncomingItem.concluded_receipt_error.set(reason)],
        condition=IncomingItem.concluded_receipt != "sent",
    )
    history_item(incoming_id, STEP, "system", "undelivered", f"办结回执未能送达{item.sender}：{reason}").save()
    audit.record("system", ACTION, incoming_id, "failed", f"{item.sender}: {reason}")
    return {"status": "failed"}


def payload(item: IncomingItem) -> dict[str, Any]:
    """What the sender's /exchange/receipts takes: its delivery id, our 收文编号, when and who concluded."""
    return {
        "delivery_id": item.delivery_id,
        "kind": "concluded",
        "incoming_number": item.number or "",
        "concluded_at": item.checked_at or item.archived_at or clock.now_iso(),
        "unit": settings().org_name,
    }


def _unit(item: IncomingItem) -> dict[str, str]:
    for unit in directory.list_external_units():
        if (item.sender_unit_id and unit["unit_id"] == item.sender_unit_id) or unit["name"] == item.sender:
            return unit
    return {}


def _key() -> str:
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(settings().exchange_secret_name, max_age=300))


def _post(item: IncomingItem, url: str, number: int) -> None:
    problem = webhooks.url_problem(url)
    if problem:
        raise _Failed(f"来文单位的办结回执地址不可用：{problem}", final=True)
    try:
        reply = webhooks.post_signed(url, _key(), item.delivery_id, number, payload(item))
    except webhooks.Unreachable as exc:
        raise _Failed("无法连接来文单位的系统（连接被拒绝或超时）", final=False) from exc
    if reply.ok:
        return
    error = reply.body.get("error")
    said = str(error.get("message", "")) if isinstance(error, dict) else ""
    said = f"：{said[:200]}" if said else ""
    raise _Failed(f"来文单位的系统未接收（状态码 {reply.status}）{said}", final=not reply.retryable)
