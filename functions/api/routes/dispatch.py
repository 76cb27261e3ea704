"""用车 in the JSON API: 用车申请, my requests (and the pending ones for dispatchers), 派车."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.bookings.models import DispatchAssignment, DispatchRequest, DispatchView
from oa_core.identity.caller import caller
from oa_core.platform.http import CONTENT_JSON

router = APIGatewayRouter()


@router.post("/api/dispatch", responses={201: {"description": "用车申请已提交"}})
def request_vehicle(request: DispatchRequest) -> Response[Any]:
    """用车申请: goes to the office's dispatchers."""
    from oa_core.bookings import dispatch

    created = dispatch.request(request, caller(router.current_event.raw_event))
    return Response(status_code=201, content_type=CONTENT_JSON, body=created.model_dump_json())


@router.get("/api/dispatch")
def list_dispatch() -> dict[str, Any]:
    """My vehicle requests, and for dispatchers the pending ones."""
    from oa_core.bookings import dispatch

    user = caller(router.current_event.raw_event)
    return {
        "mine": [dispatch.view(d).model_dump() for d in dispatch.mine(user["user_id"])],
        "pending": [dispatch.view(d).model_dump() for d in dispatch.pending()] if dispatch.is_dispatcher(user) else [],
    }


@router.post("/api/dispatch/<dispatch_id>/decision")
def decide_dispatch(dispatch_id: str, assignment: DispatchAssignment) -> DispatchView:
    """派车: assign a free vehicle and driver, or refuse with a reason (dispatchers)."""
    from oa_core.bookings import dispatch

    return dispatch.decide(dispatch_id, assignment, caller(router.current_event.raw_event))
