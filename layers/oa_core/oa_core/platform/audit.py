"""审计: every state change and every refused attempt, with who, what, when and outcome (等保 2.0)."""

from __future__ import annotations

import secrets

from oa_core.platform import clock
from oa_core.platform.storage import AuditItem, subject_pk


def audit_item(
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: str = "",
    *,
    document_id: str | None = None,
) -> AuditItem:
    """An audit record, to be saved alone or inside the transaction that makes the change."""
    at = clock.now_iso()
    pk = subject_pk(document_id) if document_id else f"AUDIT#{at[:10]}"
    return AuditItem(
        pk,
        f"AUDIT#{clock.sort_key()}#{secrets.token_hex(4)}",
        actor=actor,
        action=action,
        target=target,
        outcome=outcome,
        at=at,
        detail=detail[:1000],
    )


def record(
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: str = "",
    *,
    document_id: str | None = None,
) -> None:
    audit_item(actor, action, target, outcome, detail, document_id=document_id).save()
