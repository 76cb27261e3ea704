"""Bookings pages' routes: 会议室 (the day grid, a room's week), 会议 (apply, a meeting's page, decide,
change, cancel), 用车 (requests and 派车) and resources (administrators); the pages are
oa_core.web.bookings, imported on first use (as before the split, to keep cold starts small)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from .gate import Gate

router = APIGatewayRouter()
gate = Gate(router)


@router.get("/rooms")
def rooms() -> Response[str]:
    from oa_core.web import bookings

    day = gate.query().get("date", "")
    return gate.signed_in(lambda user, session: bookings.rooms_day(user, session, day))


@router.get("/rooms/<room_id>")
def room_week(room_id: str) -> Response[str]:
    from oa_core.web import bookings

    day = gate.query().get("date", "")
    return gate.signed_in(lambda user, session: bookings.room_week(user, session, room_id, day))


@router.get("/meetings/new")
def new_meeting() -> Response[str]:
    from oa_core.web import bookings

    query = gate.query()
    fields = {"room_id": query.get("room", ""), "start": query.get("start", "")}
    return gate.signed_in(lambda user, session: bookings.new_meeting(user, session, fields))


@router.post("/meetings/new")
def submit_meeting() -> Response[str]:
    from oa_core.web import bookings

    return gate.once("会议申请", "该会议申请已提交，不会重复提交", bookings.submit_meeting)


@router.get("/meetings/<meeting_id>")
def meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    notice = gate.query().get("done", "")[:100]
    return gate.signed_in(lambda user, session: bookings.meeting_page(user, session, meeting_id, notice=notice))


@router.post("/meetings/<meeting_id>/decision")
def decide_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(
        lambda user, session: bookings.decide_meeting(user, session, meeting_id, gate.form()), post=True
    )


@router.post("/meetings/<meeting_id>/cancel")
def cancel_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(
        lambda user, session: bookings.cancel_meeting(user, session, meeting_id, gate.form()), post=True
    )


@router.get("/dispatch")
def dispatch_page() -> Response[str]:
    from oa_core.web import bookings

    notice = gate.query().get("done", "")[:100]
    return gate.signed_in(lambda user, session: bookings.dispatch_page(user, session, notice=notice))


@router.post("/dispatch/new")
def request_vehicle() -> Response[str]:
    from oa_core.web import bookings

    return gate.once("用车申请", "该用车申请已提交，不会重复提交", bookings.submit_dispatch)


@router.post("/dispatch/<dispatch_id>/decision")
def decide_dispatch(dispatch_id: str) -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(
        lambda user, session: bookings.decide_dispatch(user, session, dispatch_id, gate.form()), post=True
    )


@router.get("/resources")
def resources() -> Response[str]:
    from oa_core.web import bookings

    notice = gate.query().get("done", "")[:100]
    return gate.signed_in(lambda user, session: bookings.resources_page(user, session, notice=notice))


@router.post("/resources")
def save_resource() -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(lambda user, session: bookings.save_resource(user, session, gate.form()), post=True)


@router.post("/meetings/<meeting_id>/change")
def change_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(
        lambda user, session: bookings.change_meeting(user, session, meeting_id, gate.form()), post=True
    )


@router.post("/meetings/<meeting_id>/reply")
def reply_meeting(meeting_id: str) -> Response[str]:
    from oa_core.web import bookings

    return gate.signed_in(
        lambda user, session: bookings.reply_meeting(user, session, meeting_id, gate.form()), post=True
    )
