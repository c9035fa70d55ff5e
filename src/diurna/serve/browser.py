"""Headless Debian Chromium for the browser tests and screenshots (Playwright drives it).

Playwright's own browser download does not work offline, so it is pointed at the system
Chromium; the flags keep Chromium from phoning home, which this machine's network refuses.
"""
from __future__ import annotations

import shutil
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def chromium_problem() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        return f"{CHROMIUM} is missing (as root: apt-get update && apt-get install -y chromium)"
    return None


def launch(playwright):
    """A headless Chromium browser from a `sync_playwright()` context."""
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
