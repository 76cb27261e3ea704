"""会议通知: the .ics parses back to the meeting, the email carries it so clients show accept buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from oa_core.bookings import invitations
from oa_core.bookings.invitations import Meeting
from oa_core.platform import mail

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORGANIZER = {"user_id": "u-zhang", "name": "张伟", "email": "zhangwei@example.gov.cn"}
ATTENDEES = [
    {"user_id": "u-wang", "name": "王芳", "email": "wangfang@example.gov.cn"},
    {"user_id": "u-li", "name": "李娜", "email": "lina@example.gov.cn"},
]


def _meeting(**changes: Any) -> Meeting:
    fields: dict[str, Any] = {
        "uid": "m-42@oa",
        "sequence": 0,
        "title": "关于年度预算的协调会",
        "start": datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI),
        "end": datetime(2026, 12, 3, 10, 30, tzinfo=SHANGHAI),
        "location": "第一会议室（1号楼3层）",
        "organizer": ORGANIZER,
        "attendees": ATTENDEES,
        "description": "请带上本处室的预算草案。",
        "status": "CONFIRMED",
    }
    fields.update(changes)
    return Meeting(**fields)


def _event(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    assert isinstance(calendar, Calendar)
    (event,) = calendar.events
    return calendar, event


def test_request_ics_carries_method_uid_sequence_and_prodid() -> None:
    calendar, event = _event(invitations.ics(_meeting(sequence=2), "REQUEST"))
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//OA//会议通知//ZH"
    assert event["UID"] == "m-42@oa"
    assert event.sequence == 2
    assert event["STATUS"] == "CONFIRMED"
    assert event.stamp is not None and event.stamp.utcoffset() == timedelta(0)


def test_times_are_in_asia_shanghai_with_a_vtimezone_and_the_same_instant() -> None:
    # Given in UTC: 01:00Z is 09:00 in Beijing.
    start = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    data = invitations.ics(_meeting(start=start, end=start + timedelta(minutes=90)), "REQUEST")
    calendar, event = _event(data)
    assert b"DTSTART;TZID=Asia/Shanghai:20261203T090000" in data
    assert b"DTEND;TZID=Asia/Shanghai:20261203T103000" in data
    assert [zone.tz_name for zone in calendar.timezones] == ["Asia/Shanghai"]
    assert calendar.get_missing_tzids() == set()
    assert event.start == start
    assert event.end == start + timedelta(minutes=90)
    assert isinstance(event.start, datetime) and event.start.utcoffset() == timedelta(hours=8)


def test_attendees_have_mailto_chinese_cn_and_rsvp_and_organizer_is_mailto() -> None:
    _, event = _event(invitations.ics(_meeting(), "REQUEST"))
    attendees = event.attendees
    assert [str(a) for a in attendees] == ["mailto:wangfang@example.gov.cn", "mailto:lina@example.gov.cn"]
    assert [a.params["CN"] for a in attendees] == ["王芳", "李娜"]
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:zhangwei@example.gov.cn"
    assert organizer.params["CN"] == "张伟"


def test_cancel_ics_has_method_cancel_and_status_cancelled() -> None:
    calendar, event = _event(invitations.ics(_meeting(sequence=3), "CANCEL"))
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == "m-42@oa"
    assert event.sequence == 3


def test_text_with_commas_semicolons_newlines_and_markup_round_trips() -> None:
    title = "会议<script>alert(1)</script>, 第一; 第二"
    description = "议程：\n一、预算, 二、人事;\n三、其他\\备注"
    location = "会议室A, 1号楼; 3层"
    data = invitations.ics(_meeting(title=title, description=description, location=location), "REQUEST")
    assert b"\\, " in data and b"\\;" in data and b"\\n" in data
    _, event = _event(data)
    assert event["SUMMARY"] == title
    assert event["DESCRIPTION"] == description
    assert event["LOCATION"] == location


def test_naive_or_backwards_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _meeting(start=datetime(2026, 12, 3, 9, 0))
    with pytest.raises(ValueError, match="after its start"):
        _meeting(end=datetime(2026, 12, 3, 8, 0, tzinfo=SHANGHAI))


def test_subject_says_notice_change_or_cancellation() -> None:
    assert invitations.subject(_meeting(), "REQUEST") == "会议通知：关于年度预算的协调会"
    assert invitations.subject(_meeting(sequence=1), "REQUEST") == "会议变更：关于年度预算的协调会"
    assert invitations.subject(_meeting(sequence=1), "CANCEL") == "会议取消：关于年度预算的协调会"


def test_when_text_shows_chinese_date_weekday_and_times() -> None:
    meeting = _meeting()
    assert invitations.when_text(meeting.start, meeting.end) == "2026年12月3日（星期四）09:00–10:30"
    overnight = datetime(2026, 12, 4, 1, 0, tzinfo=SHANGHAI)
    assert (
        invitations.when_text(meeting.start, overnight)
        == "2026年12月3日（星期四）09:00 至 2026年12月4日（星期五）01:00"
    )


def _context(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "when": invitations.when_text(meeting.start, meeting.end),
        "location": meeting.location,
        "organizer": "张伟",
        "attendees": ["王芳", "李娜"],
        "description": meeting.description,
        "cancelled": False,
        "changed": False,
    }


def test_calendar_attachment_makes_a_multipart_message_with_method_request_and_invite_ics() -> None:
    meeting = _meeting()
    data = invitations.ics(meeting, "REQUEST")
    message = mail.build_message(
        ["wangfang@example.gov.cn"],
        "会议通知：关于年度预算的协调会",
        "meeting_invitation",
        _context(meeting),
        [("invite.ics", "text/calendar; method=REQUEST", data)],
    )
    parsed = message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/mixed"
    (part,) = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert "method=" in str(part["Content-Type"]) and "REQUEST" in str(part["Content-Type"])
    assert part.get_filename() == "invite.ics"
    assert part.get_payload(decode=True) == data
    assert parsed.get_body(("html",)) is not None and parsed.get_body(("plain",)) is not None


def test_existing_callers_without_attachments_still_get_a_plain_alternative_message() -> None:
    message = mail.build_message(["a@example.gov.cn"], "会议通知：X", "meeting_invitation", _context(_meeting()))
    assert message.get_content_type() == "multipart/alternative"
    assert list(message.iter_attachments()) == []


def test_outbox_parsing_lists_the_calendar_attachment_and_keeps_the_body() -> None:
    meeting = _meeting()
    message = mail.build_message(
        ["a@example.gov.cn"],
        "会议通知：X",
        "meeting_invitation",
        _context(meeting),
        [("invite.ics", "text/calendar; method=CANCEL", invitations.ics(meeting, "CANCEL"))],
    )
    parsed = mail.parse_raw_message(message.as_bytes(policy=policy.SMTP))
    (attachment,) = parsed["attachments"]
    assert attachment["filename"] == "invite.ics"
    assert attachment["content_type"].startswith("text/calendar")
    assert "CANCEL" in attachment["content_type"]
    assert "BEGIN:VCALENDAR" not in parsed["text"]
    assert "2026年12月3日（星期四）09:00–10:30" in parsed["text"]


def test_html_email_escapes_a_script_meeting_title() -> None:
    meeting = _meeting(title="<script>alert('x')</script>会议", description="<b>粗体</b>")
    message = mail.build_message(["a@example.gov.cn"], "s", "meeting_invitation", _context(meeting))
    body = message.get_body(("html",))
    assert body is not None
    html = body.get_content()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;b&gt;粗体&lt;/b&gt;" in html


def test_send_invitation_sends_one_message_to_all_recipients_with_the_ics(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(mail, "send", lambda *args: sent.append(args))
    meeting = _meeting(sequence=1)
    invitations.send_invitation(meeting, "REQUEST", [*ATTENDEES, {"user_id": "u-x", "name": "无邮箱"}])
    ((to, subject, template, context, attachments),) = sent
    assert to == ["wangfang@example.gov.cn", "lina@example.gov.cn"]
    assert subject == "会议变更：关于年度预算的协调会"
    assert template == "meeting_invitation"
    assert context["changed"] is True and context["cancelled"] is False
    ((filename, mime_type, data),) = attachments
    assert (filename, mime_type) == ("invite.ics", "text/calendar; method=REQUEST")
    assert _event(data)[1]["UID"] == "m-42@oa"


def test_send_invitation_with_no_addresses_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []
    monkeypatch.setattr(mail, "send", lambda *args: sent.append(args))
    invitations.send_invitation(_meeting(), "CANCEL", [{"user_id": "u-x", "name": "无邮箱"}])
    assert sent == []
