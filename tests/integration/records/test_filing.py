"""归档 per DA/T 22: 件号 without gaps per year and 保管期限, 档号, 归档章, retention, 四性检测."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime

import pytest

from infra.local.stack import LocalStack
from oa_core.platform.audit import AuditItem
from tests.integration.kit import Api, approve, submit, users_with, wait_status

pytestmark = pytest.mark.integration


def archive_one(api: Api, **fields: object) -> dict[str, object]:
    drafter = users_with("drafter")[0]
    doc_id = submit(api, drafter, distribute_to=[], **fields)
    approve(api, users_with("reviewer")[0], doc_id, "review")
    approve(api, users_with("signer")[0], doc_id, "sign")
    return wait_status(api, doc_id, "archived", drafter)


def test_each_document_is_a_piece_with_an_archive_code_numbered_without_gaps(stack: LocalStack) -> None:
    api = Api(stack)
    notices = [archive_one(api, title=f"关于第{n}项工作的通知") for n in (1, 2)]
    decision = archive_one(api, doc_type="决定", title="关于表彰先进集体的决定")
    letter = archive_one(api, doc_type="函", title="关于商请协助的函", main_recipients=["市档案馆"])
    department = str(notices[0]["drafter_department"]).upper()
    year = str(notices[0]["sign_date"])[:4]
    archivist = users_with("archivist")[0]
    status, found = api.call("GET", f"/api/archive?year={year}", archivist)
    assert status == 200, found
    codes = {hit["document_id"]: (hit["archive_code"], hit["retention"]) for hit in found["items"]}
    assert sorted(codes[str(n["document_id"])] for n in notices) == [
        (f"X001-WS·{year}-D30-{department}-0001", "定期30年"),
        (f"X001-WS·{year}-D30-{department}-0002", "定期30年"),
    ]
    assert codes[str(decision["document_id"])] == (f"X001-WS·{year}-Y-{department}-0001", "永久")
    assert codes[str(letter["document_id"])] == (f"X001-WS·{year}-D10-{department}-0001", "定期10年")


def test_the_package_carries_the_stamp_is_locked_for_its_period_and_passes_the_four_checks(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    doc = archive_one(api, title="关于四性检测的通知")
    bucket = stack.provisioned.buckets["ArchiveBucket"] if stack.provisioned else ""
    key = str(doc["archive_key"])
    data = stack.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        stamp = json.loads(package.read("filing.json"))
    assert re.fullmatch(r"X001-WS·\d{4}-D30-[A-Z]+-\d{4}", stamp["档号"])
    assert stamp["保管期限"] == "定期30年" and stamp["全宗号"] == "X001" and len(stamp["件号"]) == 4
    head = stack.s3.head_object(Bucket=bucket, Key=key)  # (moto's GetObjectRetention answers 500)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert head["ObjectLockRetainUntilDate"].year >= datetime.now().year + 29
    report = json.loads(stack.s3.get_object(Bucket=bucket, Key=key.replace(".zip", ".report.json"))["Body"].read())
    assert report["passed"] is True
    assert [report[k]["passed"] for k in ("authenticity", "integrity", "usability", "security")] == [True] * 4
    assert report["档号"] == stamp["档号"]


def test_archivists_and_the_drafting_department_download_packages_and_every_access_is_audited(
    stack: LocalStack,
) -> None:
    api = Api(stack)
    doc = archive_one(api, title="关于档案包下载的通知")
    doc_id = str(doc["document_id"])
    archivist, drafter = users_with("archivist")[0], users_with("drafter")[0]
    response = stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=archivist)
    assert response.status == 200 and response.headers["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.body)).testzip() is None
    status, report = api.call("GET", f"/api/archive/{doc_id}/report", drafter)
    assert status == 200 and report["passed"] is True
    outsider = next(u for u in users_with("countersigner") if u not in (drafter,))
    assert stack.invoke_http("GET", f"/api/archive/{doc_id}/package", user_id=outsider).status == 403
    day = str(doc["sign_date"])[:10]
    status, found = api.call("GET", f"/api/archive?from={day}&to={day}", archivist)
    assert status == 200 and doc_id in {hit["document_id"] for hit in found["items"]}
    status, found = api.call("GET", f"/api/archive?from={int(day[:4])}-01-01&to={int(day[:4])}-01-01", archivist)
    if day[5:] != "01-01":
        assert doc_id not in {hit["document_id"] for hit in found["items"]}
    assert api.call("GET", "/api/archive?from=2026-03-01&to=2026-02-01", archivist)[0] == 422
    trail = [(a.actor, a.action, a.outcome) for a in AuditItem.by_subject.query(f"SUBJECT#{doc_id}")]
    assert (archivist, "download", "ok") in trail
    assert (outsider, "download", "denied") in trail
    assert (drafter, "view_report", "ok") in trail
    assert (drafter, "view_archived", "ok") in trail
