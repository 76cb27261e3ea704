"""会议通知: a meeting as an iCalendar invitation (RFC 5545/5546 REQUEST or CANCEL), sent by email.

The .ics travels as a ``text/calendar; method=…`` attachment next to a Chinese HTML + text body, so
Outlook, Apple Mail and Foxmail show 接受/拒绝 and a later message with the same UID and a higher
SEQUENCE updates (or cancels) the entry already in the attendee's calendar.
icalendar is imported inside the functions: only the meeting functions pay for it on a cold start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

from oa_core.platform import clock, mail

if TYPE_CHECKING:
    from icalendar import vCalAddress

Method = Literal["REQUEST", "CANCEL"]
Status = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]

PRODID = "-//OA//会议通知//ZH"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Meeting:
    """One meeting as its invitation shows it; people are user dicts with user_id, name and email."""

    uid: str  # stable for the meeting's whole life, e.g. f"{meeting_id}@oa"
    sequence: int  # 0 when first sent, bumped on every change (time, room, attendees, cancellation)
    title: str  # 会议主题
    start: datetime  # timezone-aware
    end: datetime  # timezone-aware
    location: str  # room name and building
    organizer: dict[str, Any]
    attendees: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    status: Status = "CONFIRMED"
    page: str = ""  # the meeting's page (signed in): the organizer's copy links it
    reply_link: str = ""  # one participant's own 回执链接 (reply_links): 参加 / 不参加 without signing in

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("meeting start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("meeting end must be after its start")


def _address(person: dict[str, Any], *, attendee: bool) -> vCalAddress:
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{person['email']}")
    if person.get("name"):
        address.params["CN"] = str(person["name"])
    if attendee:
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE"
    return address


def ics(meeting: Meeting, method: Method) -> bytes:
    """The invitation as an RFC 5545 VCALENDAR with one VEVENT, times in Asia/Shanghai with its VTIMEZONE."""
    from icalendar import Calendar, Event

    zone = clock.local_zone()
    start = meeting.start.astimezone(zone)
    end = meeting.end.astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", clock.now().astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.description:
        event.add("description", meeting.description)
    event.add("organizer", _address(meeting.organizer, attendee=False))
    for person in meeting.attendees:
        if person.get("email"):
            event.add("attendee", _address(person, attendee=True))
    event.add("status", "CANCELLED" if method == "CANCEL" else meeting.status)
    calendar.add_component(event)
    # Only the years the meeting touches: a short VTIMEZONE, still right for every client.
    calendar.add_missing_timezones(first_date=date(start.year - 1, 1, 1), last_date=date(end.year + 1, 12, 31))
    return bytes(calendar.to_ical())


def when_text(start: datetime, end: datetime) -> str:
    """2026年12月3日（星期四）09:00–10:30, or both dates when the meeting runs past midnight."""
    zone = clock.local_zone()
    start, end = start.astimezone(zone), end.astimezone(zone)

    def day(moment: datetime) -> str:
        return f"{clock.chinese_date(moment)}（{WEEKDAYS[moment.weekday()]}）"

    if start.date() == end.date():
        return f"{day(start)}{start:%H:%M}–{end:%H:%M}"
    return f"{day(start)}{start:%H:%M} 至 {day(end)}{end:%H:%M}"


def subject(meeting: Meeting, method: Method) -> str:
    if method == "CANCEL":
        action = "会议取消"
    elif meeting.sequence > 0:
        action = "会议变更"
    else:
        action = "会议通知"
    return f"{action}：{meeting.title}"


def send_invitation(meeting: Meeting, method: Method, recipients: list[dict[str, Any]]) -> None:
    """One email to all recipients (user dicts with email) with the .ics attached, via SES or SMTP."""
    addresses = [str(person["email"]) for person in recipients if person.get("email")]
    if not addresses:
        return
    context = {
        "title": meeting.title,
        "when": when_text(meeting.start, meeting.end),
        "location": meeting.location,
        "organizer": meeting.organizer.get("name") or meeting.organizer.get("email", ""),
        "attendees": [person.get("name") or person.get("email", "") for person in meeting.attendees],
        "description": meeting.description,
        "cancelled": method == "CANCEL",
        "changed": method == "REQUEST" and meeting.sequence > 0,
        "page": meeting.page,
        "reply_link": meeting.reply_link,
        "name": str(recipients[0].get("name") or "") if meeting.reply_link and len(addresses) == 1 else "",
    }
    attachment = ("invite.ics", f"text/calendar; method={method}", ics(meeting, method))
    mail.send(addresses, subject(meeting, method), "meeting_invitation", context, [attachment])
