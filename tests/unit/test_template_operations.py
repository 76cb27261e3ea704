"""Safe defaults and watched once it runs: what template.yaml keeps, logs, throttles and alarms on.

Kept: log groups, queues and secrets survive the stack (Retain). Logged: API access logs with the
route template only, the archive bucket's S3 access logs in a bucket of the stack. Throttled: the
stage, and the open approval links lower. Retried: the scheduled reminders, with a failure queue.
Watched: alarms on every flow, queue, function and the API's 5xx, to an operations topic, and a
dashboard (docs/deploy.md, 告警).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra.local.template import Template
from infra.local.template_yaml import load_yaml

GLOBAL_ARN = "arn:" + "aws:"  # built, so that tests/unit/test_partition_free.py does not find it here

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
DOCUMENT = load_yaml(TEMPLATE)
RESOURCES: dict[str, dict[str, Any]] = DOCUMENT["Resources"]

ASYNC_EVENTS = {"Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "SNS", "S3"}
"""SAM event sources that invoke a function asynchronously."""


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {logical_id: r for logical_id, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = of_type("AWS::Serverless::Function")
FLOWS = of_type("AWS::Serverless::StateMachine")
QUEUES = of_type("AWS::SQS::Queue")
ALARMS = of_type("AWS::CloudWatch::Alarm")


@pytest.mark.parametrize("kind", ["AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::SecretsManager::Secret"])
def test_logs_queues_and_secrets_outlive_the_stack(kind: str) -> None:
    resources = of_type(kind)
    assert resources
    for logical_id, resource in resources.items():
        assert (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy")) == ("Retain", "Retain"), logical_id


def test_api_access_logs_name_the_route_never_the_request_path() -> None:
    api = RESOURCES["OaApi"]["Properties"]
    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])  # JSON lines, one per request
    assert fields["resource"] == "$context.resourcePath"
    variables = set(re.findall(r"\$context\.[A-Za-z.]+", setting["Format"]))
    assert not variables & {"$context.path", "$context.resourceId"}, "a request path carries an approval link id"


def _throttles() -> dict[tuple[str, str], tuple[Any, Any]]:
    return {
        (s["ResourcePath"], s["HttpMethod"]): (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"])
        for s in RESOURCES["OaApi"]["Properties"]["MethodSettings"]
    }


def test_the_stage_is_throttled_and_the_open_approval_links_lower_on_their_own() -> None:
    throttles = _throttles()
    assert throttles[("/*", "*")] == ({"Ref": "ApiRateLimit"}, {"Ref": "ApiBurstLimit"})
    template = Template.from_file(TEMPLATE)
    stage_rate, stage_burst = (int(template.resolve(v)) for v in throttles[("/*", "*")])
    for method in ("GET", "POST"):
        rate, burst = (int(template.resolve(v)) for v in throttles[("/~1approvals~1{link_id}", method)])
        assert rate < stage_rate and burst < stage_burst
    # The throttled path is a route of the template (~1 is the escaped /).
    routes = {(r.path, r.method) for r in template.routes()}
    assert {("/approvals/{link_id}", "GET"), ("/approvals/{link_id}", "POST")} <= routes


def test_the_archive_and_attachment_buckets_log_access_to_a_locked_down_bucket_of_the_stack() -> None:
    archive = RESOURCES["ArchiveBucket"]["Properties"]
    assert archive["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "ArchiveLogBucket"}
    retention = archive["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": {"Ref": "ArchiveLockMode"}, "Years": {"Ref": "ArchiveRetentionYears"}}
    assert DOCUMENT["Parameters"]["ArchiveLockMode"]["AllowedValues"] == ["GOVERNANCE", "COMPLIANCE"]
    logs = RESOURCES["ArchiveLogBucket"]
    assert logs["DeletionPolicy"] == "Retain"
    props = logs["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"  # the only encryption S3 server access logging delivers to
    }
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert props["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == {"Ref": "LogRetentionDays"}
    statements = {s["Sid"]: s for s in RESOURCES["ArchiveLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    delivery = statements["S3ServerAccessLogsDelivery"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    for bucket in ("ArchiveBucket", "AttachmentsBucket"):
        logging = RESOURCES[bucket]["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": "ArchiveLogBucket"}, bucket
        assert RESOURCES[bucket]["DependsOn"] == "ArchiveLogBucketPolicy", "delivery allowed before logging starts"
        assert prefix_allowed(logging["LogFilePrefix"], delivery["Resource"]), bucket


def prefix_allowed(prefix: str, resources: Any) -> bool:
    """Whether the log delivery statement lets S3 write under ``prefix`` (one resource or a list)."""
    listed = resources if isinstance(resources, list) else [resources]
    return any(str(resource["Fn::Sub"]).endswith(f"/{prefix}*") for resource in listed)


def _async(function: dict[str, Any]) -> list[dict[str, Any]]:
    events = (function["Properties"].get("Events") or {}).values()
    return [event for event in events if event["Type"] in ASYNC_EVENTS]


def _skips_dlq_check(function: dict[str, Any]) -> bool:
    skips = ((function.get("Metadata") or {}).get("checkov") or {}).get("skip") or []
    return any(skip["id"] == "CKV_AWS_116" for skip in skips)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_an_asynchronous_function_retries_within_bounds_and_keeps_what_failed(logical_id: str) -> None:
    function = FUNCTIONS[logical_id]
    events = _async(function)
    if not events:
        # Only a function nobody invokes asynchronously may tell checkov it needs no dead-letter queue.
        assert _skips_dlq_check(function), f"{logical_id}: synchronous, say so to checkov (CKV_AWS_116)"
        return
    assert not _skips_dlq_check(function), f"{logical_id} is invoked asynchronously: it needs its DLQ check"
    props = function["Properties"]
    queue = props["DeadLetterQueue"]["TargetArn"]["Fn::GetAtt"][0]
    assert RESOURCES[queue]["Type"] == "AWS::SQS::Queue"
    config = props["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2 and config["MaximumEventAgeInSeconds"] <= 6 * 3600
    for event in events:
        assert event["Properties"]["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 24 * 3600
        assert event["Properties"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": [queue, "Arn"]}


def test_the_reminders_and_the_audit_anchor_are_the_asynchronous_functions() -> None:
    expected = {"RemindersFunction", "AuditAnchorFunction"}
    assert {logical_id for logical_id, f in FUNCTIONS.items() if _async(f)} == expected


def _alarms_on(namespace: str, metric: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: alarm["Properties"]
        for logical_id, alarm in ALARMS.items()
        if alarm["Properties"]["Namespace"] == namespace and alarm["Properties"]["MetricName"] == metric
    }


def _dimension(alarm: dict[str, Any], name: str) -> Any:
    return next(d["Value"] for d in alarm["Dimensions"] if d["Name"] == name)


def test_every_alarm_tells_the_operations_topic_and_takes_no_data_for_no_trouble() -> None:
    assert len(ALARMS) == 3 * len(FLOWS) + len(QUEUES) + 1 + 2 * len(FUNCTIONS)
    for logical_id, alarm in ALARMS.items():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": "OpsTopic"}], logical_id
        assert props["TreatMissingData"] == "notBreaching", logical_id
        assert "docs/deploy.md" in props["AlarmDescription"], logical_id
        assert GLOBAL_ARN not in json.dumps(props), logical_id


@pytest.mark.parametrize("metric", ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"])
def test_every_flow_has_an_alarm_on_failed_timed_out_and_aborted_executions(metric: str) -> None:
    alarmed = {_dimension(a, "StateMachineArn")["Ref"] for a in _alarms_on("AWS/States", metric).values()}
    assert alarmed == set(FLOWS)


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_on_errors_and_throttles(metric: str) -> None:
    alarmed = {_dimension(a, "FunctionName")["Ref"] for a in _alarms_on("AWS/Lambda", metric).values()}
    assert alarmed == set(FUNCTIONS)


def test_every_dead_letter_queue_holding_a_message_raises_an_alarm() -> None:
    alarms = _alarms_on("AWS/SQS", "ApproximateNumberOfMessagesVisible").values()
    assert {_dimension(a, "QueueName")["Fn::GetAtt"][0] for a in alarms} == set(QUEUES)
    assert all(a["Threshold"] == 0 and a["ComparisonOperator"] == "GreaterThanThreshold" for a in alarms)


def test_api_5xx_raises_an_alarm_on_the_api_and_stage_of_the_template() -> None:
    (alarm,) = _alarms_on("AWS/ApiGateway", "5XXError").values()
    api = RESOURCES["OaApi"]["Properties"]
    assert _dimension(alarm, "ApiName") == api["Name"]
    assert _dimension(alarm, "Stage") == api["StageName"]


def test_the_operations_topic_is_encrypted_for_alarms_and_mails_ops_only_when_asked() -> None:
    topic = RESOURCES["OpsTopic"]["Properties"]
    key = RESOURCES[topic["KmsMasterKeyId"]["Ref"]]["Properties"]
    principals = [s["Principal"] for s in key["KeyPolicy"]["Statement"]]
    assert {"Service": "cloudwatch.amazonaws.com"} in principals
    subscription = RESOURCES["OpsEmailSubscription"]
    assert subscription["Condition"] == "HasOpsEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "OpsEmail"}


def _counted_metrics() -> set[str]:
    code = ROOT / "layers" / "oa_core" / "oa_core"
    found = set()
    for path in code.rglob("*.py"):
        found |= set(re.findall(r'metrics\.count\("(\w+)"', path.read_text(encoding="utf-8")))
    return found


def test_the_dashboard_shows_executions_durations_decisions_5xx_and_dead_letters() -> None:
    template = Template.from_file(TEMPLATE)
    body = json.loads(template.resolve(RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]))
    text = json.dumps(body, ensure_ascii=False)
    for flow in FLOWS:
        assert template.ref(flow) in text, flow
    for function in FUNCTIONS:
        assert f'"FunctionName", "{template.ref(function)}"' in text, function
    decisions = re.search(r'MetricName=\\"(\w+)\\"', text)
    assert decisions and decisions.group(1) == "Decisions" and "Decisions" in _counted_metrics()
    assert "5XXError" in text
    for queue in QUEUES:
        assert template.queue_name(queue) in text, queue
    assert GLOBAL_ARN not in json.dumps(RESOURCES["OpsDashboard"])
