"""回执链接 over HTTP: each participant's own link in the 会议通知 answers 参加 / 不参加 for them only,
without signing in; GET never answers; a later answer changes it until the meeting starts; two answers
at once are decided by the write's condition; a cancelled, changed, ended or unknown link says so."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from infra.local.polling import wait_for
from infra.local.stack import LocalStack
from oa_core.bookings.storage import AttendeeItem
from oa_core.platform import audit, clock
from tests.integration.kit import Api, at_once, outbox_seen
from tests.integration.web.test_no_ids_or_english import problems, visible
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration

ORGANIZER = "zhangwei"
_days = count(70)


def at(day: int, hhmm: str) -> str:
    date = (clock.now() + timedelta(days=day)).date()
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(date.year, date.month, date.day, hour, minute, tzinfo=clock.local_zone()).isoformat()


def confirmed_meeting(stack: LocalStack, topic: str, participants: list[str] | None = None) -> dict[str, Any]:
    """A meeting in 第二会议室 (no approval needed): confirmed at once, invitations sent."""
    day = next(_days)
    status, created = Api(stack).call(
        "POST",
        "/api/meetings",
        ORGANIZER,
        {
            "topic": topic,
            "room_id": "room-305",
            "start": at(day, "14:00"),
            "end": at(day, "15:00"),
            "participants": participants or ["lina", "wangfang"],
            "description": "一、通报全年工作\n二、研究明年安排",
        },
    )
    assert status == 201, created
    return dict(created)


def reply_link(stack: LocalStack, user: str, subject: str, after: int = 0) -> str:
    """The path of ``user``'s 回执链接 in the latest invitation about ``subject`` (waits for it)."""

    def found() -> str | None:
        mails = [
            m
            for m in stack.outbox()[after:]
            if any(t.startswith(f"{user}@") for t in m["to"]) and subject in m["subject"]
        ]
        paths = [urlsplit(link).path for m in mails for link in m["links"] if "/replies/" in link]
        return paths[-1] if paths else None

    return str(wait_for(found, f"{user}'s reply link about {subject}", saw=outbox_seen(stack)))


def post(stack: LocalStack, path: str, **fields: str) -> tuple[int, str]:
    response = stack.invoke_http(
        "POST", path, body=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return response.status, response.text


def get(stack: LocalStack, path: str) -> tuple[int, str]:
    response = stack.invoke_http("GET", path)
    return response.status, response.text


def seen_in(page: str) -> str:
    found = re.search(r'name="seen" value="(\d+)"', page)
    assert found, "the form carries the answer's version it shows"
    return found.group(1)


def answer_of(meeting: dict[str, Any], user: str) -> tuple[str, str]:
    entries = [e for e in AttendeeItem.query(f"ATTENDEE#{user}") if e.meeting_id == meeting["meeting_id"]]
    assert len(entries) == 1, entries
    return entries[0].reply or "", entries[0].reply_reason or ""


def organizer_sees(stack: LocalStack, meeting: dict[str, Any]) -> str:
    organizer = Browser(stack)
    organizer.sign_in(ORGANIZER)
    return organizer.get(f"/meetings/{meeting['meeting_id']}").text


def test_each_participant_gets_an_own_link_that_answers_for_them_only_and_a_get_answers_nothing(
    stack: LocalStack,
) -> None:
    meeting = confirmed_meeting(stack, "回执链接测试会")
    lina, wangfang = (reply_link(stack, u, "会议通知：回执链接测试会") for u in ("lina", "wangfang"))
    assert lina != wangfang
    organizers = [m for m in stack.outbox() if f"{ORGANIZER}@" in m["to"][0] and "回执链接测试会" in m["subject"]]
    assert organizers and not any("/replies/" in link for m in organizers for link in m["links"])
    for _ in range(3):
        status, page = get(stack, lina)
        assert status == 200, page
        assert "回执链接测试会" in page and "第二会议室" in page and "张伟" in page and "研究明年安排" in page
        assert 'value="attending"' in page and 'value="absent"' in page and "李娜" in page
    assert not problems("the reply page", visible(page), {meeting["meeting_id"], "lina", "zhangwei"})
    assert answer_of(meeting, "lina") == ("", ""), "showing the page answered nothing"
    status, done = post(stack, lina, reply="attending", seen=seen_in(page))
    assert status == 200 and "已回复：参加" in done, done
    assert answer_of(meeting, "lina") == ("attending", "")
    assert answer_of(meeting, "wangfang") == ("", ""), "lina's link answered for lina only"
    assert "参加 1 人 · 不参加 0 人 · 未回复 1 人" in organizer_sees(stack, meeting)
    records = [
        r
        for r in audit.AuditItem.scan()
        if r.action == "reply_meeting" and r.target == meeting["meeting_id"] and r.actor == "lina"
    ]
    assert [(r.outcome, "reply link" in r.detail) for r in records] == [("ok", True)], records


def test_a_second_answer_changes_the_first_and_a_reason_for_not_attending_reaches_the_organizer(
    stack: LocalStack,
) -> None:
    meeting = confirmed_meeting(stack, "改回执测试会")
    link = reply_link(stack, "wangfang", "会议通知：改回执测试会")
    assert post(stack, link, reply="attending", seen=seen_in(get(stack, link)[1]))[0] == 200
    status, done = post(stack, link, reply="absent", reason="同一时间另有公务", seen=seen_in(get(stack, link)[1]))
    assert status == 200 and "已回复：不参加" in done, done
    assert answer_of(meeting, "wangfang") == ("absent", "同一时间另有公务")
    tally = organizer_sees(stack, meeting)
    assert "参加 0 人 · 不参加 1 人 · 未回复 1 人" in tally and "同一时间另有公务" in tally
    status, page = post(stack, link, reply="maybe")
    assert status == 422 and "请选择“参加”或“不参加”" in page


def test_two_answers_sent_at_once_from_one_page_are_decided_by_the_condition(stack: LocalStack) -> None:
    meeting = confirmed_meeting(stack, "并发回执测试会")
    link = reply_link(stack, "lina", "会议通知：并发回执测试会")
    seen = seen_in(get(stack, link)[1])
    results = at_once(
        [lambda: post(stack, link, reply="attending", seen=seen), lambda: post(stack, link, reply="absent", seen=seen)]
    )
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], [(s, t[-400:]) for s, t in results]
    winner = next(i for i, (status, _) in enumerate(results) if status == 200)
    lost = results[1 - winner][1]
    assert "刚刚已更新为" in lost and "本次提交未生效" in lost
    assert answer_of(meeting, "lina")[0] == ("attending", "absent")[winner], "the answer written is the one told 200"
    again = at_once([lambda: post(stack, link, reply="attending", seen=seen_in(get(stack, link)[1]))] * 2)
    assert [status for status, _ in again] == [200, 200], "the same answer twice (a double click) is one answer"
    assert answer_of(meeting, "lina")[0] == "attending"


def test_after_the_start_the_answer_stays_and_after_the_end_the_link_has_expired(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting = confirmed_meeting(stack, "已开始的会议")
    link = reply_link(stack, "lina", "会议通知：已开始的会议")
    page = get(stack, link)[1]
    assert post(stack, link, reply="attending", seen=seen_in(page))[0] == 200
    start = clock.parse(meeting_start(stack, meeting))
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=5))
    status, page = get(stack, link)
    assert status == 200 and "回执不能再更改" in page and 'value="absent"' not in page
    status, page = post(stack, link, reply="absent", seen="1")
    assert status == 409 and "回执不能再更改" in page
    assert answer_of(meeting, "lina")[0] == "attending"
    end = clock.parse(meeting_start(stack, meeting, "end"))
    monkeypatch.setattr(clock, "now", lambda: end + timedelta(minutes=1))
    status, page = get(stack, link)
    assert status == 410 and "已于" in page and "结束" in page, page


def meeting_start(stack: LocalStack, meeting: dict[str, Any], field: str = "start") -> str:
    status, shown = Api(stack).call("GET", f"/api/meetings/{meeting['meeting_id']}", ORGANIZER)
    assert status == 200, shown
    return str(shown[field])


def test_a_cancelled_meeting_says_so_and_takes_no_answer(stack: LocalStack) -> None:
    meeting = confirmed_meeting(stack, "将取消的会议")
    link = reply_link(stack, "wangfang", "会议通知：将取消的会议")
    page = get(stack, link)[1]
    status, cancelled = Api(stack).call("POST", f"/api/meetings/{meeting['meeting_id']}/cancel", ORGANIZER, {})
    assert status == 200, cancelled
    for status, text in (get(stack, link), post(stack, link, reply="attending", seen=seen_in(page))):
        assert status == 410 and "将取消的会议" in text and "已取消" in text, text
        assert not problems("a cancelled meeting's link", visible(text), {meeting["meeting_id"], "wangfang"})


def test_a_change_sends_new_links_keeps_the_old_ones_working_and_drops_people_taken_off(stack: LocalStack) -> None:
    meeting = confirmed_meeting(stack, "将变更的会议", ["lina", "wangfang", "chenjing"])
    old = reply_link(stack, "lina", "会议通知：将变更的会议")
    gone = reply_link(stack, "chenjing", "会议通知：将变更的会议")
    sent = len(stack.outbox())
    day = clock.parse(meeting_start(stack, meeting)).date()
    status, changed = Api(stack).call(
        "POST",
        f"/api/meetings/{meeting['meeting_id']}/change",
        ORGANIZER,
        {"start": f"{day}T16:00:00+08:00", "end": f"{day}T17:00:00+08:00", "participants": ["lina", "wangfang"]},
    )
    assert status == 200, changed
    new = reply_link(stack, "lina", "会议变更：将变更的会议", after=sent)
    assert new != old
    status, page = get(stack, old)
    assert status == 200 and "有变更" in page and "16:00" in page, "the earlier link shows the new arrangement"
    assert "有变更" not in get(stack, new)[1]
    assert post(stack, old, reply="absent", reason="时间冲突", seen=seen_in(page))[0] == 200
    assert answer_of(meeting, "lina") == ("absent", "时间冲突")
    status, page = get(stack, gone)
    assert status == 403 and "不在本次会议的参会人员名单中" in page, page


def test_a_bad_link_gets_a_chinese_page_and_changes_nothing(stack: LocalStack) -> None:
    meeting = confirmed_meeting(stack, "坏链接测试会")
    link = reply_link(stack, "lina", "会议通知：坏链接测试会")
    for path in (link[:-3] + "xyz", "/replies/" + "a" * 128):
        for status, page in (get(stack, path), post(stack, path, reply="attending")):
            assert status == 404, (path, status)
            assert "链接无效" in page and not problems(f"bad link {path}", visible(page), {meeting["meeting_id"]})
    assert answer_of(meeting, "lina") == ("", "")
