"""办结回执: the receiving unit's word that our document, delivered to it, was concluded and archived there.

``POST /exchange/receipts``, no user sign-in, signed as 对外发送 signs (platform.webhooks) with the key
we deliver with (the template secret DeliveryWebhookSecret): only the party we delivered to holds it, so
only it can speak of our delivery. The body names the delivery by the ``X-OA-Delivery`` we sent (and the
header repeats it), the receiver's 收文编号, when it concluded, and its name; an unknown delivery, or one
sent to another unit than the one naming itself, is one answer (404, nothing said of which). The receipt
is put once on the DeliveryItem, with its audit record, in one transaction on the condition that none
is there yet: the same receipt twice, even at once, is one (200 both times), a different second one 409.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, ValidationError
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.outgoing.delivery import execution_name, external_unit
from oa_core.outgoing.storage import DeliveryItem
from oa_core.platform import audit, clock, webhooks
from oa_core.platform.config import settings
from oa_core.platform.http import humanize
from oa_core.platform.storage import RecordItem, connection, doc_pk, lost_on_condition
from oa_core.platform.webhooks import Answer

ACTOR = "exchange"
ACTION = "concluded_receipt"
MAX_BODY_BYTES = 16_384
UNKNOWN = "未找到与该回执对应的对外发送记录，回执未被接收"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ConcludedReceipt(BaseModel):
    """The body of a 办结回执 (what incoming.concluded_receipt sends)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)
    delivery_id: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,200}$")]
    kind: Literal["concluded"]
    incoming_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    concluded_at: AwareDatetime
    unit: Text


def record(headers: Mapping[str, str], body: bytes) -> Answer:
    """Take one 办结回执: 401, 422, 404, 409 or 201/200 {"recorded_at"}."""
    delivery = webhooks.header(headers, "X-OA-Delivery")
    why = webhooks.untrusted(headers, body, _key(), time.time())
    if why is not None:
        return _refused(401, "unauthorized", "签名或时间戳无效，回执未被接收", delivery, why)
    try:
        receipt = parse(body, delivery)
    except ValueError as exc:
        return _refused(422, "invalid_payload", str(exc), delivery, str(exc)[:200])
    item = _delivery(receipt)
    if item is None:
        return _refused(404, "not_found", UNKNOWN, delivery, "unknown delivery or unit")
    return _put(item, receipt)


def parse(body: bytes, delivery: str) -> ConcludedReceipt:
    """The receipt; ValueError with a Chinese message when it is not what we accept."""
    if len(body) > MAX_BODY_BYTES:
        raise ValueError("请求过大")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("请求内容不是 UTF-8 编码的 JSON") from None
    try:
        receipt = ConcludedReceipt.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"回执内容不完整或格式不对：{humanize(exc.errors())}") from None
    if receipt.delivery_id != delivery:
        raise ValueError("请求头 X-OA-Delivery 与正文中的 delivery_id 不一致")
    return receipt


def _key() -> str:
    """The key we deliver with (Powertools parameters, cached for five minutes)."""
    from aws_lambda_powertools.utilities.parameters import get_secret

    return str(get_secret(settings().delivery_secret_name, max_age=300))


def _refused(status: int, code: str, message: str, delivery: str, reason: str) -> Answer:
    audit.refused(ACTOR, ACTION, delivery[:200] or "-", reason)
    return Answer(status, {"error": {"code": code, "message": message}})


def _delivery(receipt: ConcludedReceipt) -> DeliveryItem | None:
    """Our external delivery this receipt names, to the unit that names itself; None for any other."""
    document_id = receipt.delivery_id.rsplit("-", 1)[0]
    for item in RecordItem.query(doc_pk(document_id), RecordItem.SK.startswith("DELIVERY#"), consistent_read=True):
        if not isinstance(item, DeliveryItem) or item.channel != "external":
            continue
        if execution_name(document_id, item.recipient) != receipt.delivery_id:
            continue
        unit = external_unit(item.recipient)
        names = {item.recipient, unit.get("name", ""), unit.get("unit_id", ""), unit.get("platform_code", "")}
        return item if receipt.unit in names - {""} else None
    return None


def _put(item: DeliveryItem, receipt: ConcludedReceipt) -> Answer:
    now = clock.now_iso()
    concluded_at = clock.iso(receipt.concluded_at)
    detail = f"{item.recipient} 办结回执：对方收文编号 {receipt.incoming_number}，办结于 {concluded_at[:10]}"
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                item,
                actions=[
                    DeliveryItem.concluded_number.set(receipt.incoming_number),
                    DeliveryItem.concluded_at.set(concluded_at),
                    DeliveryItem.concluded_recorded_at.set(now),
                ],
                condition=DeliveryItem.concluded_at.does_not_exist() | (DeliveryItem.concluded_at == ""),
            )
            tx.save(
                audit.audit_item(
                    f"{ACTOR}:{receipt.unit}", ACTION, item.document_id, "ok", detail, document_id=item.document_id
                )
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        item.refresh(consistent_read=True)
        if (item.concluded_number, item.concluded_at) != (receipt.incoming_number, concluded_at):
            return _refused(409, "conflict", "该送达已记录另一份办结回执，本次未被接收", receipt.delivery_id, "another")
        return Answer(200, {"recorded_at": item.concluded_recorded_at})
    return Answer(201, {"recorded_at": now})
