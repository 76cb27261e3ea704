"""一次提交: a create form (拟稿, 会议申请, 用车申请) posted twice (Back, then 提交 again) creates once
and the repeat lands on the first, with a notice; a refused form, corrected, still submits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from infra.local.stack import LocalStack
from oa_core.bookings.storage import DispatchItem, MeetingItem
from oa_core.outgoing.storage import DocumentItem
from oa_core.platform.clock import local_zone
from oa_core.platform.storage import RecordItem
from tests.integration.kit import at_once, users_with
from tests.integration.web.test_staff_pages import form_for
from tests.integration.web.webkit import Browser, location_path

pytestmark = pytest.mark.integration


def _token(page: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the form carries its submission token"
    return match.group(1)


def _documents(drafter_id: str, title: str) -> list[str]:
    return [
        item.document_id
        for item in RecordItem.gsi1.query(f"DRAFTER#{drafter_id}")
        if isinstance(item, DocumentItem) and item.title == title
    ]


def _signed_in(stack: LocalStack, user_id: str) -> Browser:
    browser = Browser(stack)
    browser.sign_in(user_id)
    return browser


def test_the_same_drafting_form_posted_twice_makes_one_document_and_says_so(stack: LocalStack) -> None:
    drafter_id = users_with("drafter")[0]
    drafter = _signed_in(stack, drafter_id)
    page = drafter.get("/documents/new?template=请示")
    title = "关于一次提交的请示"
    form: dict[str, Any] = {
        **form_for(users_with("reviewer")[0], users_with("signer")[0], title=title),
        "action": "submit",
        "csrf": drafter.csrf(page),
        "form_token": _token(page.text),
    }
    first = drafter.post("/documents/new", form)
    again = drafter.post("/documents/new", form)
    assert first.status == again.status == 303
    assert location_path(again).split("?")[0] == location_path(first).split("?")[0]
    assert "该稿件已提交，不会重复提交" in drafter.get(location_path(again)).text
    assert len(_documents(drafter_id, title)) == 1


def test_the_same_drafting_form_posted_twice_at_once_makes_one_document(stack: LocalStack) -> None:
    drafter_id = users_with("drafter")[0]
    drafter = _signed_in(stack, drafter_id)
    page = drafter.get("/documents/new?template=请示")
    title = "关于同时提交两次的请示"
    form: dict[str, Any] = {
        **form_for(users_with("reviewer")[0], users_with("signer")[0], title=title),
        "action": "submit",
        "csrf": drafter.csrf(page),
        "form_token": _token(page.text),
    }
    answers = at_once([lambda: drafter.post("/documents/new", form)] * 2, seconds_each=30)
    assert sorted(a.status for a in answers) in ([303, 303], [303, 409])
    assert len(_documents(drafter_id, title)) == 1


def test_a_refused_drafting_form_keeps_its_token_and_submits_once_corrected(stack: LocalStack) -> None:
    drafter_id = users_with("drafter")[0]
    drafter = _signed_in(stack, drafter_id)
    page = drafter.get("/documents/new?template=请示")
    token = _token(page.text)
    title = "关于改正后提交的请示"
    form: dict[str, Any] = {
        **form_for(users_with("reviewer")[0], "", title=title),
        "action": "submit",
        "csrf": drafter.csrf(page),
        "form_token": token,
    }
    refused = drafter.post("/documents/new", form)
    assert refused.status == 422
    assert _token(refused.text) == token, "the form shown again is the same form"
    corrected = drafter.post("/documents/new", {**form, "signer": users_with("signer")[0]})
    assert corrected.status == 303, corrected.text
    assert len(_documents(drafter_id, title)) == 1


def test_the_same_meeting_form_posted_twice_books_one_meeting(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=40)).date().isoformat()
    organizer = _signed_in(stack, "zhangwei")
    page = organizer.get("/meetings/new")
    form = {
        "csrf": organizer.csrf(page),
        "form_token": _token(page.text),
        "topic": "一次提交的协调会",
        "room_id": "room-305",
        "date": day,
        "start_time": "09:00",
        "end_time": "10:00",
        "participants": ["wangfang"],
    }
    first = organizer.post("/meetings/new", form)
    again = organizer.post("/meetings/new", form)
    assert first.status == again.status == 303, again.text
    assert location_path(again).split("?")[0] == location_path(first).split("?")[0]
    assert "该会议申请已提交，不会重复提交" in unquote(location_path(again))
    meetings = [
        item
        for item in RecordItem.gsi1.query("ORGANIZER#zhangwei")
        if isinstance(item, MeetingItem) and item.topic == "一次提交的协调会"
    ]
    assert len(meetings) == 1


def test_the_same_vehicle_form_posted_twice_requests_one_vehicle(stack: LocalStack) -> None:
    day = (datetime.now(local_zone()) + timedelta(days=41)).date().isoformat()
    requester = _signed_in(stack, "lina")
    page = requester.get("/dispatch")
    form = {
        "csrf": requester.csrf(page),
        "form_token": _token(page.text),
        "purpose": "一次提交的用车",
        "passengers": "2",
        "origin": "机关大院",
        "destination": "区政府",
        "date": day,
        "start_time": "14:00",
        "end_time": "16:00",
    }
    first = requester.post("/dispatch/new", form)
    again = requester.post("/dispatch/new", form)
    assert first.status == again.status == 303, again.text
    assert "该用车申请已提交，不会重复提交" in requester.get(location_path(again)).text
    requests = [
        item
        for item in RecordItem.gsi1.query("REQUESTER#lina")
        if isinstance(item, DispatchItem) and item.purpose == "一次提交的用车"
    ]
    assert len(requests) == 1
