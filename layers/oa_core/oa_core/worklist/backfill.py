"""Backfill of 已办 and 办结 for records written before those lists existed (an ops migration, run once
per deployed stack by ``make backfill-worklist``; running it again changes nothing).

Before the lists, a decision closed its task by removing the task's GSI1 keys, and a document that
ended wrote no FinishedItem. This puts decided tasks under ``DECIDED#<user>`` (with the title and 文种
the lists show) and writes the 办结 entries of every archived or rejected document. It scans: a
one-off migration reads the table once; the lists themselves never scan. Every write is conditional,
so a decision or an archive racing the migration keeps what it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from oa_core.outgoing.storage import DocumentItem, FinishedItem, finished_entries
from oa_core.platform import audit
from oa_core.workflow.storage import TaskItem
from oa_core.workflow.tasks import history_of

ENDED = ("archived", "rejected")


@dataclass
class Backfilled:
    """What one run wrote: tasks moved into 已办, 办结 entries written, and writes that found their
    item already done (by an earlier run or by the flow itself)."""

    decided: int = 0
    finished: int = 0
    already: int = 0


def _lost(error: UpdateError | PutError) -> bool:
    cause = getattr(error, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


def _documents() -> dict[str, DocumentItem]:
    return {doc.document_id: doc for doc in DocumentItem.scan()}


def backfill_decided(documents: dict[str, DocumentItem], counts: Backfilled) -> None:
    """Decided tasks without GSI1 keys enter their assignee's 已办, keyed by when they were decided."""
    for task in TaskItem.scan(TaskItem.status == "decided"):
        if task.GSI1PK or not task.decided_at:
            continue
        doc = documents.get(task.document_id)
        actions: list[Action] = [
            TaskItem.GSI1PK.set(f"DECIDED#{task.assignee}"),
            TaskItem.GSI1SK.set(f"{task.decided_at}#{task.task_id}"),
        ]
        if doc is not None and not task.title:
            actions += [TaskItem.title.set(doc.title), TaskItem.doc_type.set(doc.doc_type)]
        try:
            task.update(actions=actions, condition=(TaskItem.status == "decided") & TaskItem.GSI1PK.does_not_exist())
        except UpdateError as error:
            if not _lost(error):
                raise
            counts.already += 1
            continue
        counts.decided += 1


def backfill_finished(documents: dict[str, DocumentItem], counts: Backfilled) -> None:
    """Every archived or rejected document gets the 办结 entries its end would have written."""
    for doc in documents.values():
        if doc.status not in ENDED:
            continue
        at = (doc.archived_at if doc.status == "archived" else None) or doc.updated_at
        deciders = [item.actor for item in history_of(doc.document_id)]
        for entry in finished_entries(doc, doc.status, at, deciders):
            try:
                entry.save(condition=FinishedItem.PK.does_not_exist())
            except PutError as error:
                if not _lost(error):
                    raise
                counts.already += 1
                continue
            counts.finished += 1


def backfill() -> Backfilled:
    """Run the whole migration once and audit what it did."""
    counts = Backfilled()
    documents = _documents()
    backfill_decided(documents, counts)
    backfill_finished(documents, counts)
    audit.record(
        "system",
        "backfill_worklist",
        "worklist",
        "ok",
        f"已办 {counts.decided}，办结 {counts.finished}，已有 {counts.already}",
    )
    return counts
