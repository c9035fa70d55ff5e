"""Hostile-text defences shared by the stages: markup, control characters, URLs, CSV formulas.

Input is untrusted: a scraped sentence can carry `<svg onload=…>`, an ANSI sequence that
clears the terminal, a `javascript:` link or a spreadsheet formula. These helpers are pure
functions; the read stage, the records and the output formats apply them.
"""
from __future__ import annotations

import re

# Whole blocks whose content is never text, then single tags and comments.
HTML_BLOCK = re.compile(r"<(script|style|iframe|object|embed|noscript)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>|<!--.*?-->", re.S)
# C0 and C1 control characters except tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC codes.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
_SAFE_SCHEMES = ("http://", "https://")
# OWASP CSV injection: cells starting with these are formulas in Excel, LibreOffice and Sheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def strip_markup(text: str) -> str:
    """Text without HTML blocks, tags and comments (what a browser would not show as text)."""
    if "<" not in text:
        return text
    return HTML_TAG.sub("", HTML_BLOCK.sub("", text))


def blank_controls(text: str) -> str:
    """Replace control characters with spaces: same length, so every offset stays true."""
    return _CONTROL.sub(" ", text)


def count_controls(text: str) -> int:
    return len(_CONTROL.findall(text))


def terminal_safe(text: str) -> str:
    """Text fit for a terminal: escape sequences removed, other control characters dropped."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def web_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (`javascript:`, `data:`, `file:` links are dropped)."""
    if url is None:
        return None
    cleaned = blank_controls(url).strip()
    return cleaned if cleaned.lower().startswith(_SAFE_SCHEMES) and " " not in cleaned else None


def csv_cell(value: str) -> str:
    """Neutralise a spreadsheet formula the way OWASP recommends: prefix a single quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value
