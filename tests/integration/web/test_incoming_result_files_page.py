"""办理结果's 附件 on the 收文 page over HTTP: the 承办 person's form signs an upload (as its script does), the
file goes to (local) S3, the form reports the result with it; a renamed program is refused on the page in
Chinese with the task still open; the 收文处理笺 lists the file by name and its link opens it for a reader."""

from __future__ import annotations

import json
import re

import pytest

from infra.local.stack import LocalStack
from tests.integration.incoming.flow_kit import instructed, stack
from tests.integration.kit import Api
from tests.integration.outgoing.attachment_kit import post_to_s3
from tests.integration.web.test_incoming_step_pages import (
    ASSIST,
    READER,
    decided,
    form_page,
    hidden_fields,
    signed_in,
)
from tests.integration.web.webkit import Browser
from tests.support import sample_files as files

pytestmark = pytest.mark.integration
__all__ = ["stack"]


def uploaded(browser: Browser, stack: LocalStack, path: str, page: str, filename: str, data: bytes) -> str:
    """What the 承办 form's script does for one chosen file: a ticket from the page's origin, the POST to S3."""
    box = re.search(r'id="result-files" data-base="[^"]*(/incoming/[^"]+)" data-task="([^"]+)"', page)
    assert box, "the 承办 form offers 附件"
    body = json.dumps({"task_id": box.group(2), "filename": filename, "size": len(data)})
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    headers = {"Cookie": cookies, "X-CSRF-Token": browser.csrf(browser.get(path))}
    signed = stack.invoke_http("POST", box.group(1), body=body, headers=headers)
    assert signed.status == 201, signed.text
    ticket = json.loads(signed.text)
    assert post_to_s3(stack, ticket, filename, data) == 204
    return str(ticket["upload"])


def test_the_assisting_department_reports_its_result_with_a_file_from_the_page_and_a_reader_opens_it(
    stack: LocalStack,
) -> None:
    incoming_id = instructed(Api(stack), stack)
    path = f"/incoming/{incoming_id}"
    assist = signed_in(stack, ASSIST)
    page = form_page(assist, path, "handle-form")
    assert 'id="result-file"' in page and "最多 20 个" in page
    bad = uploaded(assist, stack, path, page, "统计表.pdf", files.exe())
    fields = {"decision": "approve", "opinion": "已提供综合科数据。"}
    refused = assist.post(f"{path}/decision", {**hidden_fields(page, "handle-form"), **fields, "files": [bad]})
    assert refused.status == 422 and "统计表.pdf" in refused.text and "只接受" in refused.text
    page = form_page(assist, path, "handle-form")
    good = uploaded(assist, stack, path, page, "综合科数据.xlsx", files.xlsx("数据"))
    decided(assist.post(f"{path}/decision", {**hidden_fields(page, "handle-form"), **fields, "files": [good]}), path)
    reader = signed_in(stack, READER)
    shown = reader.get(path).text
    link = re.search(r'<a class="result-file" href="([^"]+)">综合科数据.xlsx</a>', shown)
    assert link, "the 收文处理笺 lists the 附件 by name with its link"
    opened = reader.get(link.group(1))
    assert opened.status == 303 and "X-Amz-Signature" in opened.headers["Location"]
