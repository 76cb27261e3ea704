"""收文处理笺 as a PDF through IncomingFlow (DrawSheet before 归档), in the archive package, and the received
file answered as the type it is."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import boto3
import pytest
from pypdf import PdfReader

from infra.local.stack import LocalStack
from oa_core.platform import audit_trail
from oa_core.records.package import verify_package
from tests.integration.incoming.flow_kit import (
    OFFICE_HEAD,
    decide,
    instructed,
    leader,
    plan,
    stack,
    view,
    wait_incoming,
)
from tests.integration.kit import Api, office_clerk, users_with
from tests.integration.outgoing.attachment_kit import post_to_s3
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser
from tests.support.sample_files import png

pytestmark = pytest.mark.integration
__all__ = ["stack"]
LEAD, ASSIST = "liuyang", "xuhui"  # 政策法规科's 负责人 and 综合科's 文书 (flow_kit.plan)


def _to_check(api: Api, stack: LocalStack) -> str:
    """A 收文 whose 承办 and 传阅 are done and whose 办结 waits for the 文书's check."""
    incoming_id = instructed(api, stack)
    decide(api, ASSIST, incoming_id, "handle", opinion="已提供综合科意见。")
    decide(api, users_with("signer")[1], incoming_id, "read", opinion="已阅<b>&amp;</b>")
    decide(api, LEAD, incoming_id, "handle", opinion="已按要求报送统计数据。")
    return incoming_id


def _get(stack: LocalStack, path: str, user: str) -> tuple[int, dict[str, str], bytes]:
    answer = stack.invoke_http("GET", path, user_id=user)
    return answer.status, {k.lower(): v for k, v in dict(answer.headers).items()}, answer.body


def _text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_checked_incoming_gets_its_sheet_drawn_and_archived_with_a_verifying_digest(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = _to_check(api, stack)
    status, _headers, body = _get(stack, f"/api/incoming/{incoming_id}/sheet", clerk)
    assert status == 409 and "尚未生成" in json.loads(body)["error"]["message"]
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    done = wait_incoming(api, incoming_id, "archived")
    status, headers, sheet = _get(stack, f"/api/incoming/{incoming_id}/sheet", clerk)
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert "attachment" in headers["content-disposition"]
    assert hashlib.sha256(sheet).hexdigest() == done["sheet_sha256"]
    text = _text(sheet)
    for part in (
        done["number"],
        "王芳",
        "拟请政策法规科主办",
        "办结审核通过",
        "同意。请按时办理。",
        "已按要求报送统计数据。",
        "已阅<b>&amp;</b>",
    ):
        assert part in text, part
    assert any(
        row["action"] == "download_sheet" and row["actor"] == clerk for row in audit_trail.of_subject(incoming_id)
    )
    browser = Browser(stack)
    browser.sign_in(clerk)
    page = browser.get(f"/incoming/{incoming_id}")
    assert "下载收文处理笺（PDF）" in page.text and f"/incoming/{incoming_id}/sheet" in page.text
    org = visible(page.text).split(" · 办公自动化系统")[0].split()[-1]
    assert f"{org}收文处理笺" in visible(page.text)  # the printed form's heading (shown only in print)
    assert "已阅&lt;b&gt;&amp;amp;&lt;/b&gt;" in page.text  # the reader's 阅示 as typed, escaped
    assert not problems(f"/incoming/{incoming_id}", visible(page.text).replace("<b>&amp;</b>", ""), {incoming_id})
    downloaded = browser.get(f"/incoming/{incoming_id}/sheet")
    assert downloaded.status == 200 and downloaded.body == sheet
    assert dict(downloaded.headers)["Content-Type"] == "application/pdf"

    item_key = next(k for k in _archive_keys(stack) if k.endswith(f"{incoming_id}.zip"))
    package = boto3.client("s3").get_object(Bucket=stack.env["ARCHIVE_BUCKET"], Key=item_key)["Body"].read()
    assert verify_package(package) == []
    with zipfile.ZipFile(io.BytesIO(package)) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        packed = opened.read("handling-sheet.pdf")
    entry = next(f for f in manifest["files"] if f["path"] == "handling-sheet.pdf")
    assert packed == sheet and entry["sha256"] == hashlib.sha256(packed).hexdigest()
    report = json.loads(
        boto3.client("s3")
        .get_object(Bucket=stack.env["ARCHIVE_BUCKET"], Key=item_key.replace(".zip", ".report.json"))["Body"]
        .read()
    )
    assert report["usability"]["passed"] and "收文处理笺可打开" in report["usability"]["detail"]
    tampered = _replace_member(package, "handling-sheet.pdf", packed + b"%")
    assert "digest mismatch: handling-sheet.pdf" in verify_package(tampered)


def test_a_sheet_that_cannot_be_drawn_marks_the_incoming_failed_and_keeps_everything(stack: LocalStack) -> None:
    api, clerk = Api(stack), office_clerk()
    incoming_id = _to_check(api, stack)
    before = view(api, incoming_id)
    stack.inject_invoke_faults("SheetFunction", 4, "ServiceException", only_for={"incoming_id": incoming_id})
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    failed = wait_incoming(api, incoming_id, "failed")
    assert failed["current_step"] == "draw_sheet" and not failed["sheet_sha256"]
    assert failed["handling"]["proposal"] == before["handling"]["proposal"]
    assert failed["handling"]["instruction"] == "同意。请按时办理。"
    assert [h["result"] for h in failed["handling"]["handlers"]] == ["已按要求报送统计数据。", "已提供综合科意见。"]
    assert any(h["step_name"] == "收文处理笺" and h["decision"] == "failed" for h in failed["history"])
    status, _headers, data = _get(stack, f"/api/incoming/{incoming_id}/file", clerk)
    assert status == 200 and data.startswith(b"%PDF-")
    assert not any(k.endswith(f"{incoming_id}.zip") for k in _archive_keys(stack))


def test_a_registered_png_scan_is_answered_as_image_png_with_a_png_name(stack: LocalStack) -> None:
    api, clerk, scan = Api(stack), office_clerk(), png()
    status, ticket = api.call("POST", "/api/incoming/uploads", clerk, {"filename": "来文扫描件.png", "size": len(scan)})
    assert status == 201, ticket
    assert post_to_s3(stack, ticket, "来文扫描件.png", scan) == 204
    body = {
        "incoming_id": ticket["incoming_id"],
        "upload": ticket["upload"],
        "sender": "示例市财政局",
        "sender_number": "示财〔2026〕5号",
        "title": "关于做好年终决算工作的通知",
        "received_on": "2026-12-01",
    }
    status, created = api.call("POST", "/api/incoming", clerk, body)
    assert status == 201, created
    status, headers, data = _get(stack, f"/api/incoming/{created['incoming_id']}/file", clerk)
    assert status == 200 and data == scan
    assert headers["content-type"] == "image/png"
    assert "inline" in headers["content-disposition"] and ".png" in headers["content-disposition"]
    browser = Browser(stack)
    browser.sign_in(clerk)
    shown = browser.get(f"/incoming/{created['incoming_id']}/file")
    assert shown.status == 200 and shown.body == scan
    assert dict(shown.headers)["Content-Type"] == "image/png"


def test_a_registered_png_scan_is_archived_as_received_png_and_passes_the_four_checks(stack: LocalStack) -> None:
    api, clerk, scan = Api(stack), office_clerk(), png()
    status, ticket = api.call("POST", "/api/incoming/uploads", clerk, {"filename": "来文扫描件.png", "size": len(scan)})
    assert status == 201, ticket
    assert post_to_s3(stack, ticket, "来文扫描件.png", scan) == 204
    body = {
        "incoming_id": ticket["incoming_id"],
        "upload": ticket["upload"],
        "sender": "示例市财政局",
        "sender_number": "示财〔2026〕6号",
        "title": "关于做好年终结算工作的通知",
        "received_on": "2026-12-01",
        "deadline": "2099-12-30",
    }
    status, created = api.call("POST", "/api/incoming", clerk, body)
    assert status == 201, created
    incoming_id = created["incoming_id"]
    decide(api, clerk, incoming_id, "receive", opinion="已签收")
    decide(api, clerk, incoming_id, "register")
    decide(api, OFFICE_HEAD, incoming_id, "propose", opinion="拟请政策法规科主办。", plan=plan(assist=[], readers=[]))
    decide(api, leader(), incoming_id, "instruct", opinion="同意。")
    decide(api, LEAD, incoming_id, "handle", opinion="已办理。")
    decide(api, clerk, incoming_id, "check", opinion="同意归档")
    wait_incoming(api, incoming_id, "archived")
    key = next(k for k in _archive_keys(stack) if k.endswith(f"{incoming_id}.zip"))
    bucket = stack.env["ARCHIVE_BUCKET"]
    package = stack.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(package)) as opened:
        names = opened.namelist()
        assert "received.png" in names and "received.pdf" not in names, names
        assert opened.read("received.png") == scan, "the scan is archived as it was registered"
    assert verify_package(package) == []
    report = json.loads(stack.s3.get_object(Bucket=bucket, Key=key.replace(".zip", ".report.json"))["Body"].read())
    assert report["security"]["passed"] is True, report["security"]
    assert report["usability"]["passed"] is True, report["usability"]
    assert report["integrity"]["passed"] is True, report["integrity"]


def _archive_keys(stack: LocalStack) -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=stack.env["ARCHIVE_BUCKET"], Prefix="archive/")
    return [o["Key"] for o in listed.get("Contents", [])]


def _replace_member(package: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    return out.getvalue()


def test_the_sheet_route_is_in_the_openapi_document(stack: LocalStack) -> None:
    status, described = Api(stack).call("GET", "/openapi.json", office_clerk())
    assert status == 200, described
    sheet = described["paths"]["/api/incoming/{incoming_id}/sheet"]["get"]
    assert "application/pdf" in sheet["responses"]["200"]["content"]
    assert {"403", "404", "409"} <= set(sheet["responses"])
    served = described["paths"]["/api/incoming/{incoming_id}/file"]["get"]["responses"]["200"]["content"]
    assert {"application/pdf", "image/png"} <= set(served)
