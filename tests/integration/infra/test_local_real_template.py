"""The local stack provisions moto from template.yaml as it is: every resource of the real template,
beside placeholder functions and a placeholder ASL, so that the test is of the provisioning alone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.stack import TEMPLATE_PATH, LocalStack
from oa_core.publishing.fonts import FONT_FILES, SERIF
from tests.integration.infra.throwaway import fake_directory, write

pytestmark = pytest.mark.integration


# ---------------------------------------------------------------- the real template


# moto's mock is process-wide, so each stack lives for one test class only.
@pytest.fixture(scope="class")
def real_template_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """template.yaml as it is, beside placeholder functions and a placeholder ASL."""
    root = tmp_path_factory.mktemp("real")
    shutil.copy(TEMPLATE_PATH, root / "template.yaml")
    for python_layer in ("oa_core", "pdf", "search"):  # their requirements files say what the functions may import
        (root / "layers" / python_layer).mkdir(parents=True)
        shutil.copy(TEMPLATE_PATH.parent / "layers" / python_layer / "requirements.txt", root / "layers" / python_layer)
    shutil.copytree(TEMPLATE_PATH.parent / "layers" / "fonts", root / "layers" / "fonts")  # a makefile layer
    # The fonts layer's build prepares its faces with oa_core.publishing's own code (faceprep, words).
    (root / "layers" / "oa_core" / "oa_core").symlink_to(TEMPLATE_PATH.parent / "layers" / "oa_core" / "oa_core")
    (cache := TEMPLATE_PATH.parent / ".aws-sam" / "fonts-cache").mkdir(parents=True, exist_ok=True)
    (root / ".aws-sam").mkdir()  # its faces take minutes of CPU to extract: the copy shares the checkout's cache
    (root / ".aws-sam" / "fonts-cache").symlink_to(cache, target_is_directory=True)
    # One placeholder definition per state machine of the template, invoking one of its functions.
    machines = (
        ("document", "DraftFunctionArn"),
        ("meeting", "MeetingFunctionArn"),
        ("delivery", "DeliverFunctionArn"),
        ("copies", "TypesetFunctionArn"),
        ("incoming", "IncomingFunctionArn"),
    )
    for machine, function_arn in machines:
        write(
            root / "statemachines" / f"{machine}.asl.json",
            json.dumps(
                {
                    "StartAt": "Step",
                    "States": {
                        "Step": {
                            "Type": "Task",
                            "Resource": "arn:${Partition}:states:::lambda:invoke",
                            "Parameters": {"FunctionName": f"${{{function_arn}}}", "Payload.$": "$"},
                            "End": True,
                        }
                    },
                }
            ),
        )
    with LocalStack(template_path=root / "template.yaml", org_file=None, directory=fake_directory) as stack:
        yield stack


class TestRealTemplate:
    def test_records_table_comes_from_the_template(self, real_template_stack: LocalStack) -> None:
        table = real_template_stack.ddb.describe_table(TableName="RecordsTable")["Table"]
        assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
            "PK": "HASH",
            "SK": "RANGE",
        }
        assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == ["GSI1", "GSI2"]
        ttl = real_template_stack.ddb.describe_time_to_live(TableName="RecordsTable")
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at_epoch"

    def test_archive_bucket_has_object_lock(self, real_template_stack: LocalStack) -> None:
        bucket = real_template_stack.env["ARCHIVE_BUCKET"]
        lock = real_template_stack.s3.get_object_lock_configuration(Bucket=bucket)
        rule = lock["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
        assert (rule["Mode"], rule["Years"]) == ("GOVERNANCE", 10)
        versioning = real_template_stack.s3.get_bucket_versioning(Bucket=bucket)
        assert versioning["Status"] == "Enabled"

    def test_environment_and_state_machine(self, real_template_stack: LocalStack) -> None:
        env = real_template_stack.env
        assert env["RECORDS_TABLE"] == "RecordsTable"
        assert env["ISSUER_CODE"] == "示例办发"
        assert env["LINK_TTL_HOURS"] == "168"
        assert env["PUBLIC_BASE_URL"] == "http://127.0.0.1:3000"
        assert env["DOCUMENT_FLOW_ARN"] == real_template_stack.state_machine_arn
        described = real_template_stack.sfn.describe_state_machine(
            stateMachineArn=real_template_stack.state_machine_arn
        )
        assert "function:DraftFunction" in described["definition"]
        assert "${" not in described["definition"]

    def test_a_makefile_layer_is_built_and_opt_paths_point_at_it(self, real_template_stack: LocalStack) -> None:
        font_dir = Path(real_template_stack.env["FONT_DIR"])
        assert font_dir.parts[-3:] == ("local-layers", "FontsLayer", "fonts")
        assert {path.name for path in font_dir.iterdir()} == {
            *FONT_FILES.values(),
            *(f"{face}.prepared" for face in FONT_FILES.values()),  # each face's prepared state (decision 118)
            "jieba-words.json",  # the index of jieba's dictionary for the 标题 breaks
            "LICENSE-NotoCJK.txt",
            "LICENSE-LXGWWenKai.txt",
        }
        assert (font_dir / FONT_FILES[SERIF]).stat().st_size > 1_000_000

    def test_python_layers_are_not_built_and_say_what_each_function_may_import(
        self, real_template_stack: LocalStack
    ) -> None:
        provisioned = real_template_stack.provisioned
        assert provisioned is not None
        assert [path.parts[-2:] for path in provisioned.layer_paths] == [
            ("layers", "oa_core"),
            ("layers", "pdf"),
            ("layers", "search"),
        ]
        assert not (real_template_stack.template_path.parent / ".aws-sam" / "local-layers" / "PdfLayer").exists()
        pdf_stack = {"fpdf", "PIL", "fontTools", "defusedxml", "cryptography"}  # pypdf: the search layer has it too
        for logical_id, function in provisioned.functions.items():
            importable = function.importable
            assert importable is not None
            assert {"pydantic", "pynamodb", "aws_lambda_powertools", "boto3"} <= importable.modules
            carries_pdf, carries_search = "PdfLayer" in importable.layers, "SearchLayer" in importable.layers
            assert (pdf_stack <= importable.modules) is carries_pdf, logical_id
            assert bool(pdf_stack & importable.modules) is carries_pdf, logical_id
            assert ("jieba" in importable.modules) is carries_search, logical_id
            assert ("pypdf" in importable.modules) is (carries_pdf or carries_search), logical_id
        carried = {f: spec.importable.layers for f, spec in provisioned.functions.items() if spec.importable}
        assert carried["TypesetFunction"] == ("OaCoreLayer", "PdfLayer", "FontsLayer", "SearchLayer")  # jieba: titles
        assert carried["ArchiveFunction"] == ("OaCoreLayer", "PdfLayer", "SearchLayer")
        assert carried["SheetFunction"] == ("OaCoreLayer", "PdfLayer", "FontsLayer")
        assert carried["ApiFunction"] == ("OaCoreLayer", "SearchLayer")
        assert "PdfLayer" not in carried["ApiFunction"] and "FontsLayer" not in carried["ArchiveFunction"]

    def test_queues_and_secrets_come_from_the_template(self, real_template_stack: LocalStack) -> None:
        import boto3

        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.get_queue_url(QueueName="oa-local-delivery-dlq")["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["MessageRetentionPeriod"] == "1209600"
        described = real_template_stack.sfn.describe_state_machine(
            stateMachineArn=real_template_stack.state_machine_arn.replace("DocumentFlow", "DeliveryFlow")
        )
        assert "function:DeliverFunction" in described["definition"]
        secret = boto3.client("secretsmanager", region_name="us-east-1").get_secret_value(
            SecretId=real_template_stack.env["DELIVERY_SECRET_NAME"]
        )
        assert len(secret["SecretString"]) == 48

    def test_routes_and_auth_follow_the_template(self, real_template_stack: LocalStack) -> None:
        routes = {(r.path, r.method): r for r in real_template_stack._provisioned.routes}
        assert not routes[("/health", "GET")].authorized
        assert not routes[("/approvals/{link_id}", "POST")].authorized
        assert routes[("/api/{proxy+}", "ANY")].authorized
        status, _, body = real_template_stack.invoke_http("GET", "/api/documents")
        assert status == 401
        assert json.loads(body)["error"]["code"] == "unauthorized"
        # Every address no other route holds goes to the web function (its Chinese 404 page); /api/ keeps the API's.
        gateway = real_template_stack._gateway()
        assert not routes[("/{proxy+}", "ANY")].authorized
        assert [found[0].function_id for found in map(gateway.find_route, ["GET"] * 3, ["/nowhere", "/a/b", "/api/x"])
                if found] == ["WebFunction", "WebFunction", "ApiFunction"]  # fmt: skip

    def test_sender_identity_is_verified(self, real_template_stack: LocalStack) -> None:
        import boto3

        ses = boto3.client("ses", region_name="us-east-1")
        assert "oa@example.gov.cn" in ses.list_identities()["Identities"]
