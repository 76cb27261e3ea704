"""签收: a receiving department confirms it has the distributed document; the clerk sees who has not.

Anyone of a receiving department may sign for it, once for the department: the delivery record and
the department's inbox entry change in one transaction, on the condition that nobody signed first.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.outgoing.models import DeliveryView
from oa_core.outgoing.storage import DeliveryItem, InboxItem
from oa_core.platform import audit, clock
from oa_core.platform.errors import Forbidden, NotFound
from oa_core.platform.storage import connection, doc_pk, lost_on_condition


def confirm(document_id: str, user: dict[str, Any]) -> DeliveryView:
    """签收 for the user's department (idempotent: a second 签收 shows who signed first)."""
    department = user["department"]
    try:
        delivery = DeliveryItem.get(doc_pk(document_id), f"DELIVERY#{department}", consistent_read=True)
    except DeliveryItem.DoesNotExist:
        audit.record(user["user_id"], "receipt", document_id, "denied", department, document_id=document_id)
        raise Forbidden("该文件没有分发给您所在的部门，无需签收 (not distributed to your department)") from None
    if delivery.channel != "internal":
        raise NotFound("外部收件单位不在本系统签收 (external recipients confirm elsewhere)")
    if delivery.status == "received":
        return _view(delivery)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.update(
                delivery,
                actions=[
                    DeliveryItem.status.set("received"),
                    DeliveryItem.received_by.set(user["user_id"]),
                    DeliveryItem.received_at.set(now),
                ],
                condition=DeliveryItem.status == "delivered",
            )
            if delivery.inbox_sk:
                tx.update(
                    InboxItem(f"INBOX#{department}", delivery.inbox_sk),
                    actions=[InboxItem.status.set("received"), InboxItem.received_by.set(user["user_id"])],
                )
            tx.save(
                audit.audit_item(user["user_id"], "receipt", document_id, "ok", department, document_id=document_id)
            )
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
    delivery.refresh(consistent_read=True)
    return _view(delivery)


def _view(delivery: DeliveryItem) -> DeliveryView:
    return DeliveryView(
        recipient=delivery.recipient,
        channel="internal",
        status=delivery.status,
        at=delivery.at,
        received_by=delivery.received_by or "",
        received_at=delivery.received_at or "",
    )
