"""办理结果 with 附件: the 主办 and a 协办 each report a result with files uploaded as 附件 are (presigned
POST, then checked by bytes), shown on the 收文, opened by its readers only (audited), archived with digests."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from oa_core.identity import directory
from oa_core.incoming.storage import ResultFileItem
from oa_core.outgoing.storage import UploadItem
from oa_core.platform.audit import AuditItem
from oa_core.platform.storage import RecordItem
from oa_core.records.storage import ArchiveIndexItem
from tests.integration.incoming.flow_kit import decide, instructed, stack, task_of, view, wait_incoming
from tests.integration.kit import Api, office_clerk, users_with
from tests.support import sample_files as files
from tests.support.sample_files import multipart

pytestmark = pytest.mark.integration
__all__ = ["stack"]
LEAD, ASSIST = "liuyang", "xuhui"
"""政策法规科's 负责人 承办s as 主办, 综合科's 文书 as 协办 (flow_kit.plan)."""


def uploaded(api: Api, stack: LocalStack, task_id: str, user: str, filename: str, data: bytes) -> str:
    """One file signed for the 承办 task and posted to (local) S3 as the browser does: its upload token."""
    status, ticket = api.call("POST", f"/api/tasks/{task_id}/uploads", user, {"filename": filename, "size": len(data)})
    assert status == 201, ticket
    body, content_type = multipart(ticket["fields"], filename, data)
    url = urlsplit(ticket["url"])
    posted = stack.invoke_http("POST", url.path, body=body, headers={"Content-Type": content_type})
    assert posted.status == 204, posted.text
    return str(ticket["upload"])


def report(api: Api, stack: LocalStack, incoming_id: str, user: str, opinion: str, *named: tuple[str, bytes]) -> Any:
    task = task_of(api, user, incoming_id, "handle")
    tokens = [uploaded(api, stack, task["task_id"], user, name, data) for name, data in named]
    return api.decide(task["task_id"], user, "approve", opinion, files=tokens)


def downloads(incoming_id: str) -> list[tuple[str, str, str]]:
    return [
        (str(a.action), str(a.outcome), str(a.actor))
        for a in AuditItem.by_subject.query(f"SUBJECT#{incoming_id}")
        if str(a.action) == "download_result_file"
    ]


def kept(incoming_id: str) -> list[ResultFileItem]:
    return [i for i in RecordItem.scan() if isinstance(i, ResultFileItem) and i.task_id.startswith(incoming_id)]


def test_the_lead_and_an_assisting_department_each_report_a_result_with_files_that_are_archived_with_digests(
    stack: LocalStack,
) -> None:
    api, clerk, reader = Api(stack), office_clerk(), users_with("signer")[1]
    incoming_id = instructed(api, stack)
    pdf, xlsx = files.pdf("综合科意见"), files.xlsx("统计表")
    assist_files = [("综合科意见.pdf", pdf), ("统计表.xlsx", xlsx)]
    status, body = report(api, stack, incoming_id, ASSIST, "已提供综合科意见。", *assist_files)
    assert status == 200, body
    lead_files = [("报送情况.pdf", files.pdf("报送情况")), ("报送数据.xlsx", files.xlsx("报送数据"))]
    status, body = report(api, stack, incoming_id, LEAD, "已按要求报送统计数据。", *lead_files)
    assert status == 200, body
    handlers = view(api, incoming_id)["handling"]["handlers"]
    assert [[f["filename"] for f in h["files"]] for h in handlers] == [
        ["报送情况.pdf", "报送数据.xlsx"],
        ["综合科意见.pdf", "统计表.xlsx"],
    ]
    assert handlers[1]["files"][0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert not [u for u in UploadItem.scan() if u.document_id == incoming_id], "the uploads are used up"
    opened = stack.invoke_http("GET", handlers[0]["files"][0]["path"], user_id=reader)
    assert opened.status == 302, opened.text
    assert "X-Amz-Signature" in opened.headers["Location"]
    assert ("download_result_file", "ok", reader) in downloads(incoming_id)
    decide(api, reader, incoming_id, "read", opinion="已阅。")
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    done = wait_incoming(api, incoming_id, "archived")
    entry = next(i for i in ArchiveIndexItem.scan() if isinstance(i, ArchiveIndexItem) and i.document_id == incoming_id)
    bucket = stack.provisioned.buckets["ArchiveBucket"] if stack.provisioned else ""
    data = stack.s3.get_object(Bucket=bucket, Key=entry.archive_key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        manifest = json.loads(package.read("manifest.json"))
        rows = manifest["attachments"]
        assert sorted(r["filename"] for r in rows) == ["报送情况.pdf", "报送数据.xlsx", "统计表.xlsx", "综合科意见.pdf"]
        for row in rows:
            assert hashlib.sha256(package.read(row["path"])).hexdigest() == row["sha256"]
        assert {r["title"] for r in rows} == {"主办政策法规科办理结果附件", "协办综合科办理结果附件"}
        final = package.read("final.txt").decode()
        assert "附件：报送情况.pdf、报送数据.xlsx" in final, "the text 处理笺 names the files"
        sheet_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(package.read("handling-sheet.pdf"))).pages)
        assert "综合科意见.pdf" in sheet_text.replace("\n", ""), "the 收文处理笺 PDF names the files"
    checks = json.loads(stack.s3.get_object(Bucket=bucket, Key=entry.report_key)["Body"].read())
    assert checks["integrity"]["passed"] is True and "含附件 4 个" in checks["integrity"]["detail"]
    assert done["handling"]["archive_code"]


def test_a_renamed_program_is_refused_in_chinese_and_nothing_is_kept_and_a_strangers_download_is_403(
    stack: LocalStack,
) -> None:
    api, reader = Api(stack), users_with("signer")[1]
    incoming_id = instructed(api, stack)
    good = ("说明.pdf", files.pdf("说明"))
    status, body = report(api, stack, incoming_id, ASSIST, "已办理。", good, ("统计表.pdf", files.exe()))
    assert status == 422 and body["error"]["code"] == "attachment_type_refused", body
    assert "统计表.pdf" in body["error"]["message"] and "只接受" in body["error"]["message"]
    assert view(api, incoming_id)["handling"]["handlers"][1]["status"] == "pending", "the decision is not taken"
    assert kept(incoming_id) == [], "no file of a refused report is kept"
    bucket = stack.provisioned.buckets["AttachmentsBucket"] if stack.provisioned else ""
    copies = stack.s3.list_object_versions(Bucket=bucket, Prefix=f"attachments/{incoming_id}/")
    assert not copies.get("Versions"), "the good file's checked copy is removed with the refused report"
    assert len([u for u in UploadItem.scan() if u.document_id == incoming_id]) == 2, "the uploads wait for a retry"
    status, body = report(api, stack, incoming_id, ASSIST, "已办理。", good)
    assert status == 200, body
    path = view(api, incoming_id)["handling"]["handlers"][1]["files"][0]["path"]
    stranger = next(
        u["user_id"]
        for u in directory.list_users()
        if u.get("department") not in ("zcfgk", "zhk", "bgs") and "signer" not in u["roles"]
    )
    answer = stack.invoke_http("GET", path, user_id=stranger)
    assert answer.status == 403, answer.text
    assert "权限" in json.loads(answer.text)["error"]["message"]
    assert ("download_result_file", "denied", stranger) in downloads(incoming_id)
    assert stack.invoke_http("GET", path, user_id=reader).status == 302


def test_the_openapi_document_describes_the_result_file_routes(stack: LocalStack) -> None:
    status, spec = Api(stack).call("GET", "/openapi.json", office_clerk())
    assert status == 200
    assert {"/api/tasks/{task_id}/uploads", "/api/incoming/{incoming_id}/results/{task_id}/{no}"} <= set(spec["paths"])
    assert "files" in spec["components"]["schemas"]["TaskDecision"]["properties"]
