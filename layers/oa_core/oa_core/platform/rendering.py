"""jinja2 rendering with autoescape on for HTML; one environment per process, built on first use.

Each package keeps its own templates in its ``templates/`` folder (emails under ``email/``, pages
under ``pages/``); the environment searches all of them, found on disk, so a template's name is
the same whichever package holds it and this module imports no package above it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment


PACKAGES = Path(__file__).parent.parent


def template_dirs() -> list[str]:
    """Every package's templates folder, platform's first (the shared layouts)."""
    found = sorted(PACKAGES.glob("*/templates"), key=lambda d: (d.parent.name != "platform", d.parent.name))
    return [str(d) for d in found if d.is_dir()]


@cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(template_dirs()),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
