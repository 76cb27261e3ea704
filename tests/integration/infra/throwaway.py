"""What the local-stack tests of this directory share: a one-user directory and files written for a throwaway stack."""

from __future__ import annotations

import textwrap
from pathlib import Path

from infra.local.messages import Directory

USERS = {
    "alice": {
        "user_id": "alice",
        "name": "Alice",
        "email": "alice@example.gov.cn",
        "department": "bgs",
        "roles": ["drafter"],
    }
}


def fake_directory() -> Directory:
    return Directory(list_users=lambda: list(USERS.values()), get_user=USERS.get)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
