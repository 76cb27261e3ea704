"""资源管理: rooms, vehicles and drivers, with a form for administrators."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.bookings import reservations
from oa_core.identity import sessions
from oa_core.platform.errors import DomainError
from oa_core.platform.http import humanize
from oa_core.web.pages import Reply, form_value, page, redirect

KIND_ORDER = {"room": 0, "vehicle": 1, "driver": 2}
"""The list shows rooms, then vehicles, then drivers (as its title names them), not by id."""


def resources_page(
    user: dict[str, Any],
    session: sessions.Session,
    *,
    fields: dict[str, Any] | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """会议室、车辆、驾驶员: the list, and for administrators a form to add or update one."""
    return page(
        "resources.html",
        user,
        session,
        status=status,
        resources=sorted(reservations.list_resources(), key=lambda r: (KIND_ORDER.get(r.kind, 9), r.resource_id)),
        kind_names=reservations.KIND_NAMES,
        is_admin="sysadmin" in user["roles"],
        fields=fields or {"kind": "room"},
        notice=notice,
        error=error,
    )


def save_resource(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    from oa_core.bookings.models import ResourceInput

    one = partial(form_value, form, strip=True)

    fields = {
        k: one(k)
        for k in (
            "resource_id",
            "kind",
            "name",
            "building",
            "capacity",
            "equipment",
            "plate",
            "seats",
            "phone",
            "email",
            "needs_approval",
        )
    }
    try:
        resource = ResourceInput(
            resource_id=fields["resource_id"],
            kind=fields["kind"],  # type: ignore[arg-type]
            name=fields["name"],
            building=fields["building"],
            capacity=int(fields["capacity"] or 0),
            equipment=[
                e.strip() for e in fields["equipment"].replace("，", "、").replace(",", "、").split("、") if e.strip()
            ],
            needs_approval=fields["needs_approval"] == "on",
            plate=fields["plate"],
            seats=int(fields["seats"] or 0),
            phone=fields["phone"],
            email=fields["email"],
        )
        saved = reservations.save_resource(resource, user, replace=one("replace") == "1")
    except ValidationError as exc:
        return resources_page(user, session, fields=fields, error=humanize(exc.errors()), status=422)
    except ValueError:
        return resources_page(user, session, fields=fields, error="容纳人数和座位数应为数字", status=422)
    except DomainError as exc:
        return resources_page(user, session, fields=fields, error=exc.message, status=exc.status)
    return redirect(f"/resources?done={quote(f'已保存：{saved.name}')}")
