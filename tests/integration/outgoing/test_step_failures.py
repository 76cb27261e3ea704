"""Failing steps: a transient failure is retried; a permanent one marks the document failed and loses nothing."""

from __future__ import annotations

import boto3
import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import (
    Api,
    approve,
    execution_history,
    office_clerk,
    outbox_seen,
    pending_task,
    submit,
    users_with,
    wait_for,
    wait_status,
)

pytestmark = pytest.mark.integration


def test_a_step_throttled_twice_is_retried_and_the_document_is_archived(stack: LocalStack) -> None:
    api = Api(stack)
    drafter, reviewer, signer = (
        users_with("drafter")[0],
        users_with("reviewer")[0],
        users_with("signer")[0],
    )
    doc_id = submit(api, drafter)
    approve(api, reviewer, doc_id, "review")
    stack.inject_invoke_faults("NumberFunction", 2)
    approve(api, signer, doc_id, "sign")
    doc = wait_status(api, doc_id, "archived", drafter)
    assert doc["number"]
    history = execution_history(stack, doc_id)
    failed = [e for e in history if e["type"] == "TaskFailed"]
    assert len(failed) == 2 and all("TooManyRequests" in e["taskFailedEventDetails"]["error"] for e in failed)


def test_a_step_failing_for_good_marks_failed_keeps_everything_and_can_resume(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    drafter, reviewer, signer = (
        users_with("drafter")[0],
        users_with("reviewer")[0],
        users_with("signer")[0],
    )
    clerk = office_clerk()
    s3 = boto3.client("s3")
    bucket = stack.env["ARCHIVE_BUCKET"]
    for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
        s3.delete_object(
            Bucket=bucket,
            Key=version["Key"],
            VersionId=version["VersionId"],
            BypassGovernanceRetention=True,
        )
    s3.delete_bucket(Bucket=bucket)  # 印制, the first step storing into it, now fails on every attempt

    doc_id = submit(api, drafter, countersigners=users_with("countersigner")[:1])
    approve(api, reviewer, doc_id, "review", "核稿意见要保留")
    approve(api, users_with("countersigner")[0], doc_id, "countersign")
    approve(api, signer, doc_id, "sign", "签发意见要保留")
    doc = wait_status(api, doc_id, "failed", drafter)
    assert doc["failed_step"] == "typeset"
    assert doc["number"], "the number taken before the failure is kept"
    opinions = {h["opinion"] for h in doc["history"]}
    assert {"核稿意见要保留", "签发意见要保留"} <= opinions
    # The status is written first, then the drafter is told: wait for the email as a person would.
    wait_for(
        lambda: any("处理失败" in m["subject"] for m in stack.outbox() if doc["title"] in m["subject"]),
        "the drafter's failure notice",
        saw=outbox_seen(stack),
    )

    status, body = Api(stack).call("POST", f"/api/documents/{doc_id}/resume", drafter)
    assert status == 403, body
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    status, body = api.call("POST", f"/api/documents/{doc_id}/resume", clerk)
    assert status == 200, body
    resumed = wait_status(api, doc_id, "archived", drafter)
    assert resumed["number"] == doc["number"]
    assert resumed["archive_key"] and resumed["pdf_sha256"], "resumed at 印制, then on to 归档"


def test_a_decision_the_workflow_service_cannot_receive_is_kept_and_delivered_on_resume(stack: LocalStack) -> None:
    from botocore.exceptions import EndpointConnectionError

    from oa_core.workflow import flow

    api = Api(stack)
    drafter, reviewer, clerk = users_with("drafter")[0], users_with("reviewer")[0], office_clerk()
    doc_id = submit(api, drafter, title="关于流程服务中断测试的通知")
    task = pending_task(api, reviewer, doc_id, "review")

    def outage(**_: object) -> None:
        raise EndpointConnectionError(endpoint_url="https://states.us-east-1.amazonaws.com")

    events = flow.stepfunctions().meta.events  # the deployed code's own client: the fault is at its network edge
    events.register("before-call.states.SendTaskSuccess", outage, unique_id="outage")
    try:
        status, body = api.decide(task["task_id"], reviewer, "approve", "同意，请会签")
    finally:
        events.unregister("before-call.states.SendTaskSuccess", unique_id="outage")
    assert status == 503, body
    assert "已保存" in body["error"]["message"]
    doc = api.document(doc_id, drafter)
    assert doc["status"] == "in_review" and doc["pending"] == []
    assert any(h["opinion"] == "同意，请会签" for h in doc["history"]), "the decision is not lost"
    assert api.decide(task["task_id"], reviewer, "approve")[0] == 409, "nobody has to decide twice"

    status, body = api.call("POST", f"/api/documents/{doc_id}/resume", clerk)
    assert status == 200 and body["redelivered"] == task["task_id"], body
    wait_status(api, doc_id, "signing", drafter)
