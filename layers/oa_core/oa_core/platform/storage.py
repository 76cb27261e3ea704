"""The records table (single-table design): the base model, the items every package shares, and helpers.

Every item has PK/SK and a `kind` discriminator, so one Query over a document's partition
returns its metadata, versions, opinions, tasks and deliveries as typed objects (its audit trail is in
the audit table: platform.audit).
Each package declares its own items (a subclass of RecordItem) in its ``storage`` module; the
table as a whole:

item        PK                       SK                      sparse index keys                 declared in
document    DOC#<id>                 META                    GSI1 DRAFTER#<user>; GSI2 STATUS#  outgoing
version     DOC#<id>                 VER#<0001>                                                outgoing
history     DOC#<id>                 HIST#<at>#<rand>                                          workflow
task        <subject>                TASK#<task_id>          GSI1 ASSIGNEE#<user>; GSI2 OPEN#  workflow
                                                             (decided: GSI1 DECIDED#<user>, 已办)
finished    DOC#<id>                 FINISHED#<user>         GSI1 FINISHED#<user> (办结)       outgoing
delivery    DOC#<id>                 DELIVERY#<recipient>                                      outgoing
link        LINK#<sha256(link id)>   LINK                                                      workflow
counter     COUNTER#<代字>#<year>    COUNTER                                                   platform
inbox       INBOX#<department>       <at>#<document id>                                        outgoing
archive     ARCHIVE#<year>           <signed>#<doc id>       GSI1 ARCHIVE#<doc_type>           records
user        ORG                      USER#<user id>          GSI1 DEPT#<department>            identity
department  ORG                      DEPT#<department id>                                      identity
session     SESSION#<sha256(cookie)> SESSION                                                   identity
draft       USER#<user id>           DRAFT#<draft id>                                          outgoing
meeting     MTG#<meeting id>         META                    GSI1 ORGANIZER#<user> by start    bookings
attendee    ATTENDEE#<user id>       <start>#<meeting id>                                      bookings
dispatch    DISPATCH#<dispatch id>   META                    GSI1 REQUESTER#; GSI2 DISPATCH#   bookings
incoming    IN#<incoming id>         META                    GSI2 INCOMING#<status>            incoming
exchange_receipt EXCHANGE#<sha256(X-OA-Delivery)> RECEIPT (送达回执, one per delivery)           incoming
form_submission FORMSUBMIT#<sha256(user, form token)> FORMSUBMIT (TTL 24 h)           web.once

A subject (a document, a meeting, a 收文) owns a partition: ``DOC#<id>``, ``MTG#<id>`` or ``IN#<id>``
(subject_pk), where
its tasks (GSI2 ``OPEN#<step>`` sorted by due time) live beside its own items.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from oa_core.platform.config import settings


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class RecordItem(Model):
    """Any item of the records table."""

    class Meta:
        table_name = settings().records_table
        region = settings().region

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2 = Gsi2()


class CounterItem(RecordItem, discriminator="counter"):
    """计数器: a gap-free counter, moved on (move_counter) in the transaction that uses its value: 发文字号 per 机关代字
    and year (outgoing, ``COUNTER#<代字>#<year>``), 收文编号 per year (incoming), 份号 per document (outgoing.copies),
    件号 per year and 保管期限 (records)."""

    value = NumberAttribute(default=0)


def counter_value(key: tuple[str, str]) -> int:
    """A counter's value now, read consistently (0 before its first use)."""
    try:
        return int(CounterItem.get(*key, consistent_read=True).value)
    except CounterItem.DoesNotExist:
        return 0


def move_counter(tx: TransactWrite, key: tuple[str, str], current: int, new: int) -> None:
    """In ``tx``: the counter from ``current`` (as read by counter_value) to ``new``, on the condition that it still
    holds ``current`` (made on its first use), so of two transactions that read the same value one loses and reads
    again: the values it gives are gap-free."""
    if current == 0:
        tx.save(CounterItem(*key, value=new), condition=CounterItem.PK.does_not_exist())
    else:
        tx.update(CounterItem(*key), actions=[CounterItem.value.set(new)], condition=CounterItem.value == current)


def subject_pk(subject_id: str) -> str:
    """The partition of what a task decides: a meeting (ids start with M), a 收文 (I) or a document."""
    if subject_id.startswith("M"):
        return f"MTG#{subject_id}"
    if subject_id.startswith("I"):
        return f"IN#{subject_id}"
    return doc_pk(subject_id)


def lost_on_condition(error: TransactWriteError) -> bool:
    """Whether a transaction was refused by one of its conditions (a lost race), not by a fault."""
    return any(
        reason is not None and reason.code == "ConditionalCheckFailed" for reason in error.cancellation_reasons or []
    )


def refused_parts(error: TransactWriteError) -> str:
    """Which parts of a cancelled transaction were refused and why, for the audit trail and logs."""
    reasons = error.cancellation_reasons or []
    return "; ".join(
        f"part {index}: {reason.code}" for index, reason in enumerate(reasons) if reason is not None
    ) or str(error.cause_response_message or error)


def strs(values: Any) -> list[str]:
    """A list attribute's values as the strings they are (pynamodb types them as attributes)."""
    return [str(value) for value in values or []]


@cache
def connection() -> Connection:
    """One pynamodb connection (one botocore client) per process, for transactions."""
    return Connection(region=settings().region)


def doc_pk(document_id: str) -> str:
    return f"DOC#{document_id}"
