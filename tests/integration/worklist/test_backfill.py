"""The 已办/办结 backfill (worklist.backfill): records from before the lists existed enter them once,
two runs at once write each entry once, and a run changes nothing the flow already wrote."""

from __future__ import annotations

import pytest

from infra.local.stack import LocalStack
from oa_core.outgoing.storage import FinishedItem
from oa_core.platform.storage import RecordItem, doc_pk
from oa_core.workflow.storage import TaskItem
from oa_core.worklist import backfill
from tests.integration.kit import Api, approve, at_once, submit, users_with, wait_status
from tests.integration.web.test_list_pages import rows, signed_in

pytestmark = pytest.mark.integration


def as_before_the_lists(document_id: str) -> int:
    """Put one document's records back as they were written before 已办/办结: decided tasks without
    GSI1 keys or title, no 办结 entries. Returns how many decided tasks it stripped."""
    stripped = 0
    for item in RecordItem.query(doc_pk(document_id)):
        if isinstance(item, TaskItem) and item.status == "decided":
            item.update(actions=[TaskItem.GSI1PK.remove(), TaskItem.GSI1SK.remove(), TaskItem.title.set("")])
            stripped += 1
        elif isinstance(item, FinishedItem):
            item.delete()
    return stripped


def test_old_decisions_and_ended_documents_enter_the_lists_once_even_when_two_runs_race(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    drafter_id, reviewer, signer = users_with("drafter")[0], users_with("reviewer")[0], users_with("signer")[0]
    document_id = submit(api, drafter_id, title="关于迁移前已归档文件的通知", distribute_to=[])
    approve(api, reviewer, document_id, "review", "迁移前核稿")
    approve(api, signer, document_id, "sign")
    wait_status(api, document_id, "archived", drafter_id)
    stripped = as_before_the_lists(document_id)
    assert stripped >= 2, "the review and the sign tasks were decided"
    assert "关于迁移前已归档文件的通知" not in rows(signed_in(stack, reviewer).get("/done"))
    assert "关于迁移前已归档文件的通知" not in rows(signed_in(stack, drafter_id).get("/finished"))

    first, second = at_once([backfill.backfill, backfill.backfill])
    assert first.decided + second.decided == stripped, "each old decision is moved by exactly one run"
    people = {drafter_id, reviewer, signer}
    assert first.finished + second.finished >= len(people), "办结 for the drafter and each decider"

    done = rows(signed_in(stack, reviewer).get("/done"))
    assert "关于迁移前已归档文件的通知" in done and "迁移前核稿" in done, "title and opinion shown again"
    for person in people:
        assert "关于迁移前已归档文件的通知" in rows(signed_in(stack, person).get("/finished")), person

    again = backfill.backfill()
    assert (again.decided, again.finished) == (0, 0), "a second run writes nothing"
    assert again.already >= len(people), "its 办结 entries were found already written, not written again"
