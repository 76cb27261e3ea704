"""用车 pages: my requests and a new one; for dispatchers, the pending requests to assign."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from oa_core.identity import directory, sessions
from oa_core.platform import clock
from oa_core.platform.errors import DomainError
from oa_core.platform.http import humanize
from oa_core.web.pages import Reply, form_value, page, redirect


def dispatch_page(
    user: dict[str, Any],
    session: sessions.Session,
    *,
    fields: dict[str, Any] | None = None,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> Reply:
    """用车: my requests and a new one; for dispatchers, the pending requests with free vehicles and drivers."""
    from oa_core.bookings import dispatch, reservations

    is_dispatcher = dispatch.is_dispatcher(user)
    waiting = [(item, dispatch.options(item)) for item in dispatch.pending()] if is_dispatcher else []
    people = {u["user_id"]: u["name"] for u in directory.list_users()}
    times = [f"{h:02d}:{m:02d}" for h in range(6, 23) for m in (0, 30)]
    return page(
        "dispatch.html",
        user,
        session,
        status=status,
        mine=dispatch.mine(user["user_id"]),
        resources={r.resource_id: r for kind in ("vehicle", "driver") for r in reservations.list_resources(kind)},
        waiting=waiting,
        is_dispatcher=is_dispatcher,
        people=people,
        status_names=dispatch.STATUS_NAMES,
        when=dispatch.when,
        times=times,
        fields={
            "date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "end_date": (clock.now() + timedelta(days=1)).date().isoformat(),
            "start_time": "09:00",
            "end_time": "12:00",
            "passengers": "1",
            **(fields or {}),
        },
        notice=notice,
        error=error,
    )


def submit_dispatch(user: dict[str, Any], session: sessions.Session, form: dict[str, list[str]]) -> Reply:
    from oa_core.bookings import dispatch
    from oa_core.bookings.models import DispatchRequest

    fields = {
        key: form_value(form, key, strip=True)
        for key in ("purpose", "passengers", "origin", "destination", "date", "start_time", "end_date", "end_time")
    }
    try:
        request = DispatchRequest(
            purpose=fields["purpose"],
            passengers=int(fields["passengers"] or 0),
            origin=fields["origin"],
            destination=fields["destination"],
            start=f"{fields['date']}T{fields['start_time']}",
            end=f"{fields['end_date'] or fields['date']}T{fields['end_time']}",  # a trip may end days later
        )
        dispatch.request(request, user)
    except ValueError as exc:
        message = humanize(exc.errors()) if isinstance(exc, ValidationError) else "乘车人数应为数字"
        return dispatch_page(user, session, fields=fields, error=message, status=422)
    except DomainError as exc:
        return dispatch_page(user, session, fields=fields, error=exc.message, status=exc.status)
    return redirect(f"/dispatch?done={quote('用车申请已提交，调度员派车后会通知您')}")


def decide_dispatch(
    user: dict[str, Any], session: sessions.Session, dispatch_id: str, form: dict[str, list[str]]
) -> Reply:
    from oa_core.bookings import dispatch
    from oa_core.bookings.models import DispatchAssignment

    one = partial(form_value, form, strip=True)

    try:
        assignment = DispatchAssignment(
            decision=one("decision"),  # type: ignore[arg-type]
            vehicle_id=one("vehicle_id") or None,
            driver_id=one("driver_id") or None,
            opinion=one("opinion"),
        )
        done = dispatch.decide(dispatch_id, assignment, user)
    except ValidationError as exc:
        return dispatch_page(user, session, error=humanize(exc.errors()), status=422)
    except DomainError as exc:
        return dispatch_page(user, session, error=exc.message, status=exc.status)
    message = "已派车，申请人和驾驶员将收到通知" if done.status == "assigned" else "已告知申请人不派车的原因"
    return redirect(f"/dispatch?done={quote(message)}")
