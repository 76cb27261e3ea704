"""职责分离 (separation of duties) in 发文: a person never decides their own document, and never
decides two steps of one document (核稿, 会签, 签发) unless the organisation allows it.

The setting is ``Settings.allow_same_person_multiple_steps`` (the template parameter
AllowSamePersonMultipleSteps, default false). The drafter may never decide their own document,
whatever the setting. The rules are checked at 拟稿 and 修改稿 (a 422 naming each conflict), when a
step opens (a decision task never goes to the drafter) and when a decision is made (by the stored
document and its history of decisions), so a document stored before the rule, or altered, is held too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oa_core.platform.config import settings
from oa_core.platform.errors import Forbidden, InvalidInput

STEP_ROLES = {"review": "核稿人", "countersign": "会签人", "sign": "签发人"}
"""The decision steps of 发文 and who decides each (核稿人, 会签人, 签发人)."""


def _named(user_id: str, names: dict[str, str]) -> str:
    name = names.get(user_id)
    return f"{name}（{user_id}）" if name else user_id


def conflicts(
    drafter: str,
    reviewer: str,
    countersigners: Sequence[str],
    signer: str,
    names: dict[str, str],
    *,
    allow_multiple: bool,
) -> list[str]:
    """Each conflict of duties among the people of one document, in Chinese; empty when there is none."""
    assignments = [("review", reviewer), *(("countersign", person) for person in countersigners), ("sign", signer)]
    found = [
        f"拟稿人{_named(drafter, names)}不能担任本文件的{STEP_ROLES[step]}"
        for step, person in assignments
        if person == drafter
    ]
    if not allow_multiple:
        steps_of: dict[str, list[str]] = {}
        for step, person in assignments:
            if person != drafter and step not in steps_of.setdefault(person, []):
                steps_of[person].append(step)
        found += [
            f"{_named(person, names)}不能同时担任本文件的{'和'.join(STEP_ROLES[s] for s in steps)}"
            for person, steps in steps_of.items()
            if len(steps) > 1
        ]
    return found


def ensure_separated(
    drafter: str,
    reviewer: str,
    countersigners: Sequence[str],
    signer: str,
    users: dict[str, dict[str, Any]],
) -> None:
    """Refuse (422) a document whose people break the separation of duties, naming every conflict."""
    names = {user_id: str(user["name"]) for user_id, user in users.items()}
    found = conflicts(
        drafter,
        reviewer,
        countersigners,
        signer,
        names,
        allow_multiple=settings().allow_same_person_multiple_steps,
    )
    if found:
        raise InvalidInput(
            f"职责分离：{'；'.join(found)}。请另选人员 (separation of duties)", code="separation_of_duties"
        )


def ensure_not_drafter(drafter: str, assignee: str, step: str) -> None:
    """A decision task never goes to the document's drafter (the flow fails visibly instead)."""
    if step in STEP_ROLES and assignee == drafter:
        raise InvalidInput(
            f"职责分离：拟稿人 {assignee} 不能办理本文件的{STEP_ROLES[step]}环节 (separation of duties)",
            code="separation_of_duties",
        )


def ensure_may_decide(drafter: str, actor: str, step: str, decided_steps: Sequence[str]) -> None:
    """Refuse (403) a decision by the drafter, or by someone who decided another step of this document
    (``decided_steps``: the steps this actor has decided so far) when the organisation does not allow it."""
    if step not in STEP_ROLES:
        return
    if actor == drafter:
        raise Forbidden(
            f"职责分离：拟稿人不能办理自己起草的文件的{STEP_ROLES[step]}环节 (separation of duties)",
            code="separation_of_duties",
        )
    other = sorted({s for s in decided_steps if s in STEP_ROLES and s != step})
    if other and not settings().allow_same_person_multiple_steps:
        done = "、".join(STEP_ROLES[s] for s in other)
        raise Forbidden(
            f"职责分离：您已作为{done}办理过本文件，不能再办理{STEP_ROLES[step]}环节 (separation of duties)",
            code="separation_of_duties",
        )
