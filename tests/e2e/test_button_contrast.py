"""Buttons and button-links: every class combination the templates use is readable (WCAG AA contrast).

The 正式文件 (PDF) link of an archived document was ``a.button secondary``: ``a.button``'s blue
background beat ``.secondary``'s grey while ``.secondary``'s dark text stayed, dark on blue.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

WEB = Path(__file__).resolve().parents[2] / "layers" / "oa_core" / "oa_core" / "web"
CLICKABLE = re.compile(r"<(a|button)\b[^>]*\bclass=\"([^\"{}]*)\"", re.IGNORECASE)
STYLE_WORDS = {"button", "primary", "secondary", "small", "approve", "return", "reject", "link"}
VARIANTS = ["", "primary", "secondary", "approve", "return", "reject"]


def _combinations() -> set[tuple[str, str]]:
    """(tag, classes) for every button or link with a button style in the templates, plus every variant
    on each shape (a.button, a.button.small, a button inside .buttons, button.small)."""
    found: set[tuple[str, str]] = set()
    for template in (WEB / "templates").rglob("*.html"):
        for tag, classes in CLICKABLE.findall(template.read_text(encoding="utf-8")):
            words = [word for word in classes.split() if word in STYLE_WORDS]
            if words and words != ["link"]:
                found.add((tag.lower(), " ".join(sorted(words))))
    for variant in VARIANTS:
        for tag, shape in (("a", "button"), ("a", "button small"), ("button", ""), ("button", "small")):
            found.add((tag, " ".join(sorted(f"{shape} {variant}".split()))))
    return found


def _luminance(rgb: list[float]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: list[float], second: list[float]) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(css: str) -> list[float]:
    return [float(part) for part in re.findall(r"[\d.]+", css)[:3]]


def test_every_button_and_button_link_combination_has_readable_text(page: Page, screenshots: Path) -> None:
    css = (WEB / "static" / "oa.css").read_text(encoding="utf-8")
    combinations = sorted(_combinations())
    items = "".join(
        f'<div class="buttons"><{tag} class="{classes}" href="#" data-combo="{tag}.{classes}">'
        f"正式文件（PDF）</{tag}></div>"
        for tag, classes in combinations
    )
    page.set_content(
        f'<html lang="zh-CN"><head><style>{css}</style></head><body><main class="card">{items}</main></body></html>'
    )
    page.screenshot(path=str(screenshots / "buttons.png"), full_page=True)
    colours = page.eval_on_selector_all(
        "[data-combo]",
        "els => els.map(e => [e.dataset.combo, getComputedStyle(e).color, getComputedStyle(e).backgroundColor])",
    )
    unreadable = [
        (combo, color, background)
        for combo, color, background in colours
        if _contrast(_rgb(color), _rgb(background)) < 4.5
    ]
    assert ("a", "button secondary") in combinations
    assert unreadable == [], "\n".join(map(str, unreadable))
