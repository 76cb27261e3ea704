"""jinja2 rendering with autoescape on for HTML; one environment per process, built on first use."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"

STEP_NAMES = {
    "draft": "拟稿",
    "review": "核稿",
    "countersign": "会签",
    "sign": "签发",
    "number": "编号",
    "typeset": "印制",
    "distribute": "分发",
    "archive": "归档",
    "revise": "修改",
}
DECISION_NAMES = {
    "approve": "同意",
    "return": "退回修改",
    "reject": "不同意",
    "submit": "提交",
    "revise": "提交修改稿",
    "numbered": "编号",
    "typeset": "印制 PDF",
    "distributed": "分发",
    "archived": "归档",
    "failed": "失败",
    "cancelled": "已撤销",
}
STATUS_NAMES = {
    "in_review": "核稿中",
    "returned": "已退回修改",
    "countersigning": "会签中",
    "signing": "待签发",
    "numbering": "编号中",
    "distributing": "分发中",
    "archived": "已归档",
    "rejected": "未通过",
    "failed": "处理失败",
}


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(step_names=STEP_NAMES, decision_names=DECISION_NAMES, status_names=STATUS_NAMES)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
