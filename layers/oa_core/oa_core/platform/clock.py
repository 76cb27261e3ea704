"""Time: stored as ISO 8601 with offset, shown in Asia/Shanghai."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo


@cache
def local_zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("TZ_NAME", "Asia/Shanghai"))


def now() -> datetime:
    return datetime.now(UTC).astimezone(local_zone())


def iso(moment: datetime) -> str:
    return moment.astimezone(local_zone()).isoformat(timespec="seconds")


def now_iso() -> str:
    return iso(now())


def sort_key() -> str:
    """Now with microseconds: for sort keys, so events of the same second keep their order."""
    return now().isoformat(timespec="microseconds")


def after_hours(hours: int) -> datetime:
    return now() + timedelta(hours=hours)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def to_minute(text: str) -> str:
    """A stored ISO time as people read it: 2026-11-25 09:40."""
    return text[:16].replace("T", " ")


def chinese_date(moment: datetime) -> str:
    """成文日期 in Arabic numerals as GB/T 9704-2012 asks: 2026年11月25日."""
    local = moment.astimezone(local_zone())
    return f"{local.year}年{local.month}月{local.day}日"
