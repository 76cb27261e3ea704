"""The JSON API (/api/*), its OpenAPI description and /health, routed by Powertools."""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.typing import LambdaContext

from oa_core.bookings.models import (
    BookingCancelled,
    BookingRequest,
    BookingView,
    DispatchAssignment,
    DispatchRequest,
    DispatchView,
    MeetingApplication,
    MeetingChange,
    MeetingView,
    ResourceInput,
    ResourceView,
)
from oa_core.identity import directory
from oa_core.identity.caller import caller
from oa_core.outgoing import documents
from oa_core.outgoing.models import DocumentCreated, DocumentDecision, DocumentView, DraftSubmission, RevisionRequest
from oa_core.platform.errors import DomainError, Forbidden, InvalidInput
from oa_core.platform.http import SECURITY_HEADERS, base_url, content_disposition, error_body, humanize
from oa_core.records.retrieval import ArchivePage
from oa_core.workflow.models import DecisionResult, TaskView
from oa_core.worklist import decisions

logger = Logger(service="oa")
app = APIGatewayRestResolver(enable_validation=True)
CONTENT_JSON = "application/json; charset=utf-8"


def _error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=CONTENT_JSON,
        body=error_body(code, message, details),
        headers=SECURITY_HEADERS,
    )


def _file(data: bytes, content_type: str, filename: str, *, inline: bool = False) -> Response[str]:
    """A file download: base64 text marked as such, so API Gateway (binary media types */*) sends bytes."""
    response: Response[str] = Response(
        status_code=200,
        content_type=content_type,
        body=base64.b64encode(data).decode("ascii"),
        headers={**SECURITY_HEADERS, "Content-Disposition": content_disposition(filename, inline=inline)},
    )
    response.base64_encoded = True
    return response


@app.exception_handler(DomainError)
def _domain_error(exc: DomainError) -> Response[str]:
    return _error(exc.status, exc.code, exc.message, exc.details)


@app.exception_handler(RequestValidationError)
def _validation_error(exc: RequestValidationError) -> Response[str]:
    return _error(422, "invalid_input", humanize(exc.errors()))


@app.not_found
def _not_found(_: Exception) -> Response[str]:
    return _error(404, "not_found", "没有这个接口 (no such route)")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[str]:
    return Response(status_code=200, content_type=CONTENT_JSON, body=_openapi_json())


@cache
def _openapi_json() -> str:
    return app.get_openapi_json_schema(title="办公自动化系统 API (OA)", version="1.0.0")


@cache
def _idempotent_submit() -> Any:
    """Powertools idempotency over the records table, built on first use to keep cold starts small."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from oa_core.platform.config import settings

    persistence = DynamoDBPersistenceLayer(
        table_name=settings().records_table,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value="IDEMPOTENCY",
        expiry_attr="expires_at_epoch",
    )
    config = IdempotencyConfig(
        event_key_jmespath="[user_id, key]",
        payload_validation_jmespath="submission",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def submit(request: dict[str, Any]) -> dict[str, Any]:
        return _submit(request["submission"], request["base_url"], request["user_id"])

    return submit, config


def _submit(submission: dict[str, Any], url: str, user_id: str) -> dict[str, Any]:
    drafter = directory.get_user(user_id) or {}
    created = documents.submit_draft(DraftSubmission.model_validate(submission), drafter, url)
    return created.model_dump()


@app.post("/api/documents", responses={201: {"description": "拟稿已提交，进入核稿"}})
def create_document(submission: DraftSubmission) -> Response[Any]:
    """拟稿: submit a new outgoing document; an Idempotency-Key header makes retries safe."""
    user = caller(app.current_event.raw_event)
    key = app.current_event.headers.get("Idempotency-Key")
    url = base_url(app.current_event.raw_event)
    if key:
        if len(key) > 128:
            raise InvalidInput("Idempotency-Key 不能超过 128 个字符")
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        submit, config = _idempotent_submit()
        if app.lambda_context is not None:
            config.register_lambda_context(app.lambda_context)
        request = {
            "user_id": user["user_id"],
            "key": key,
            "submission": submission.model_dump(),
            "base_url": url,
        }
        try:
            created = submit(request=request)
        except IdempotencyValidationError:
            raise InvalidInput(
                "同一个 Idempotency-Key 不能用于不同的内容 (the key was used for another body)"
            ) from None
        except IdempotencyAlreadyInProgressError:
            return _error(
                409,
                "in_progress",
                "相同的提交正在处理中，请稍后查看 (the same submission is in progress)",
            )
    else:
        created = documents.submit_draft(submission, user, url).model_dump()
    return Response(
        status_code=201,
        content_type=CONTENT_JSON,
        body=DocumentCreated(**created),
        headers=SECURITY_HEADERS,
    )


@app.get("/api/documents/<document_id>")
def get_document(document_id: str) -> DocumentView:
    return documents.view(document_id, caller(app.current_event.raw_event))


@app.post("/api/documents/<document_id>/revision")
def revise_document(document_id: str, revision: RevisionRequest) -> DecisionResult:
    """修改稿: the drafter's revision after a return; goes back to 核稿."""
    from oa_core.outgoing import decisions as outgoing_decisions

    user = caller(app.current_event.raw_event)
    return outgoing_decisions.revise(document_id, user["user_id"], revision)


@app.post("/api/documents/<document_id>/resume")
def resume_document(document_id: str) -> dict[str, str]:
    """Continue a failed document from the step that failed (clerks and admins)."""
    from oa_core.outgoing import resume

    return resume.resume_failed(document_id, caller(app.current_event.raw_event))


@app.get("/api/documents/<document_id>/verify")
def verify_document(document_id: str) -> dict[str, Any]:
    """电子签章: is the document as it is now the one that was signed and sealed?"""
    from oa_core.outgoing import sealing
    from oa_core.platform import audit
    from oa_core.publishing import seal

    user = caller(app.current_event.raw_event)
    doc = documents.readable(document_id, user)  # the same access rule as reading it
    result = sealing.verify(doc)
    if doc.pdf_key:
        from oa_core.outgoing import printing

        problem, block = seal.verify_pdf(printing.stored_pdf(doc), doc.seal_key or "")
        result["pdf"] = {"valid": problem is None, "sha256": block.get("sha256", ""), "reason": problem or ""}
        result["valid"] = bool(result["valid"]) and problem is None
    outcome = "valid" if result["valid"] else "invalid"
    audit.record(user["user_id"], "verify", document_id, outcome, document_id=document_id)
    return result


@app.get("/api/documents/<document_id>/pdf")
def document_pdf(document_id: str) -> Response[str]:
    """The issued document as a GB/T 9704 PDF, sealed (for whoever may read the document)."""
    from oa_core.outgoing import printing

    data, filename = printing.download(document_id, caller(app.current_event.raw_event))
    return _file(data, "application/pdf", filename, inline=True)


@app.post("/api/documents/<document_id>/receipt")
def confirm_receipt(document_id: str) -> dict[str, Any]:
    """签收: the caller's department confirms it has the distributed document."""
    from oa_core.outgoing import receipts

    return receipts.confirm(document_id, caller(app.current_event.raw_event)).model_dump()


@app.get("/api/tasks")
def list_tasks() -> list[TaskView]:
    """我的待办: the caller's pending decisions."""
    return decisions.my_tasks(caller(app.current_event.raw_event)["user_id"])


@app.post("/api/tasks/<task_id>/decision")
def decide(task_id: str, decision: DocumentDecision) -> DecisionResult:
    """Decide a task: approve (同意), return (退回修改) or reject (不同意)."""
    user = caller(app.current_event.raw_event)
    return decisions.decide(task_id, user["user_id"], decision, via="api")


@app.get("/api/archive")
def search_archive(
    q: str = "",
    number: str = "",
    doc_type: str = "",
    year: int | None = None,
    department: str = "",
    next: str | None = None,
) -> ArchivePage:
    """检索: archived documents by title words, 发文字号, 文种, year, department and 成文日期 (`from`, `to`)."""
    from oa_core.records import retrieval

    user = caller(app.current_event.raw_event)
    start, end = _window()
    return retrieval.search(
        user,
        q=q,
        number=number,
        doc_type=doc_type,
        date_from=start,
        date_to=end,
        year=year,
        department=department,
        next_cursor=next,
    )


@app.get("/api/resources")
def list_resources(kind: str = "", min_capacity: int = 0, equipment: str = "") -> list[ResourceView]:
    """会议室、车辆、驾驶员: by kind, capacity, equipment (comma-separated) and free between `from` and `to`."""
    from oa_core.bookings import reservations

    caller(app.current_event.raw_event)
    free_from, free_to = _window()
    wanted = [e.strip() for e in equipment.replace("，", ",").split(",") if e.strip()]
    return reservations.list_resources(
        kind, min_capacity=min_capacity, equipment=wanted, free_from=free_from, free_to=free_to
    )


@app.post("/api/resources", responses={201: {"description": "资源已添加"}})
def create_resource(resource: ResourceInput) -> Response[Any]:
    """Add a room, vehicle or driver (administrators)."""
    from oa_core.bookings import reservations

    created = reservations.save_resource(resource, caller(app.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@app.get("/api/resources/<resource_id>/bookings")
def resource_bookings(resource_id: str) -> list[BookingView]:
    """占用情况: a resource's live bookings overlapping [`from`, `to`), by start (one Query)."""
    from oa_core.bookings import reservations

    caller(app.current_event.raw_event)
    start, end = _window()
    if not start or not end:
        raise InvalidInput("请给出查询时段 from 和 to（ISO 8601，如 2026-12-03T00:00+08:00）")
    return reservations.bookings_of(resource_id, start, end)


def _window() -> tuple[str, str]:
    """The `from` and `to` query parameters (Python names cannot be `from`)."""
    query = app.current_event.query_string_parameters or {}
    return str(query.get("from", "")), str(query.get("to", ""))


@app.post("/api/bookings", responses={201: {"description": "已预订"}, 409: {"description": "时段冲突"}})
def create_booking(booking: BookingRequest) -> Response[Any]:
    """预订: 201 with the booking id, or 409 naming the conflicting bookings (every occurrence, or none)."""
    from oa_core.bookings import reservations

    created = reservations.book(booking, caller(app.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@app.delete("/api/bookings/<booking_id>")
def cancel_booking(booking_id: str) -> BookingCancelled:
    """取消预订: the slot is free again."""
    from oa_core.bookings import reservations

    return reservations.cancel(booking_id, caller(app.current_event.raw_event))


@app.post("/api/meetings", responses={201: {"description": "会议室已暂留或已确认"}, 409: {"description": "时段冲突"}})
def apply_meeting(application: MeetingApplication) -> Response[Any]:
    """会议申请: the room is held at once; rooms that need approval go to the office's approver."""
    from oa_core.bookings import meetings

    created = meetings.apply(application, caller(app.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@app.get("/api/meetings")
def my_meetings() -> dict[str, Any]:
    """我的会议: meetings I take part in (confirmed, from today) and applications I made."""
    from oa_core.bookings import meetings

    user = caller(app.current_event.raw_event)
    return {
        "attending": [
            {"meeting_id": a.meeting_id, "topic": a.topic, "room_name": a.room_name, "start": a.start, "end": a.end}
            for a in meetings.mine(user["user_id"])
        ],
        "organised": [meetings.view(m).model_dump() for m in meetings.organised_by(user["user_id"])],
    }


@app.get("/api/meetings/<meeting_id>")
def get_meeting(meeting_id: str) -> MeetingView:
    """One meeting, for its organizer, participants, approver and administrators."""
    from oa_core.bookings import meetings

    user = caller(app.current_event.raw_event)
    meeting = meetings.load(meeting_id)
    allowed = {meeting.organizer, meeting.approver, *meeting.participants}
    if user["user_id"] not in allowed and "admin" not in user["roles"]:
        raise Forbidden("您无权查看该会议 (not your meeting)")
    return meetings.view(meeting)


@app.post("/api/meetings/<meeting_id>/change")
def change_meeting(meeting_id: str, changes: MeetingChange) -> MeetingView:
    """会议变更: new time, room, topic or participants; everyone gets an updated invitation."""
    from oa_core.bookings import meetings

    return meetings.change(meeting_id, changes, caller(app.current_event.raw_event))


@app.post("/api/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> MeetingView:
    """取消会议: the room is free and participants get a cancellation."""
    from oa_core.bookings import meetings

    return meetings.cancel(meeting_id, caller(app.current_event.raw_event))


@app.post("/api/dispatch", responses={201: {"description": "用车申请已提交"}})
def request_vehicle(request: DispatchRequest) -> Response[Any]:
    """用车申请: goes to the office's dispatchers."""
    from oa_core.bookings import dispatch

    created = dispatch.request(request, caller(app.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@app.get("/api/dispatch")
def list_dispatch() -> dict[str, Any]:
    """My vehicle requests, and for dispatchers the pending ones."""
    from oa_core.bookings import dispatch

    user = caller(app.current_event.raw_event)
    return {
        "mine": [dispatch.view(d).model_dump() for d in dispatch.mine(user["user_id"])],
        "pending": [dispatch.view(d).model_dump() for d in dispatch.pending()] if dispatch.is_dispatcher(user) else [],
    }


@app.post("/api/dispatch/<dispatch_id>/decision")
def decide_dispatch(dispatch_id: str, assignment: DispatchAssignment) -> DispatchView:
    """派车: assign a free vehicle and driver, or refuse with a reason (dispatchers)."""
    from oa_core.bookings import dispatch

    return dispatch.decide(dispatch_id, assignment, caller(app.current_event.raw_event))


@app.get("/api/archive/<document_id>/package")
def download_package(document_id: str) -> Response[str]:
    """档案包 (ZIP) for archivists and the drafting department; every download is audited."""
    from oa_core.platform import audit
    from oa_core.records import archive, retrieval

    user = caller(app.current_event.raw_event)
    doc = retrieval.readable_package(document_id, user)
    data = archive.read_package(str(doc.archive_key))
    audit.record(user["user_id"], "download", document_id, "ok", str(doc.archive_code or ""), document_id=document_id)
    return _file(data, "application/zip", f"{document_id}.zip")


@app.get("/api/archive/<document_id>/report")
def filing_report(document_id: str) -> dict[str, Any]:
    """四性检测 report of an archived document (archivists and the drafting department)."""
    from oa_core.platform import audit
    from oa_core.records import archive, retrieval

    user = caller(app.current_event.raw_event)
    doc = retrieval.readable_package(document_id, user)
    report = archive.read_report(str(doc.archive_key))
    audit.record(user["user_id"], "view_report", document_id, "ok", document_id=document_id)
    return report


@app.get("/api/directory")
def organisation() -> dict[str, Any]:
    """组织机构: departments and people, for pickers."""
    caller(app.current_event.raw_event)
    return {"departments": directory.list_departments(), "users": directory.list_users()}


@logger.inject_lambda_context(log_event=False, clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
