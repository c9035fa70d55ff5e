"""Screenshots of the `diurna serve` page (map, timeline, network, evidence) in headless Chromium.

    python scripts/serve_screenshots.py --db diurna.duckdb --out screens/ [--readme docs/screenshot.png]

Starts the server on a free loopback port, opens the page, clicks the first table row, and
saves the whole page plus one image per panel.
"""
from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from diurna.serve import create_app
from diurna.serve.browser import chromium_problem, launch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--query", default="", help="URL query to open, e.g. 'country=SYR'")
    parser.add_argument("--readme", type=Path, help="also save a small whole-page screenshot here")
    args = parser.parse_args()
    problem = chromium_problem()
    if problem:
        raise SystemExit(problem)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(args.db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/?{args.query}")
            page.wait_for_selector("body[data-ready=true]")
            page.click("#events tbody tr")
            page.wait_for_selector("#evidence mark.hl-trigger")
            page.click("#show-article")
            page.wait_for_selector("#evidence .article-text")
            page.screenshot(path=str(args.out / "page.png"), full_page=True)
            for panel in ("map", "timeline", "network", "table", "evidence"):
                page.locator(f"#{panel}-panel").screenshot(path=str(args.out / f"{panel}.png"))
            if args.readme:
                args.readme.parent.mkdir(parents=True, exist_ok=True)
                small = browser.new_page(viewport={"width": 1200, "height": 1180}, device_scale_factor=0.75)
                small.goto(f"http://127.0.0.1:{port}/?{args.query}")
                small.wait_for_selector("body[data-ready=true]")
                small.click("#events tbody tr")
                small.wait_for_selector("#evidence mark.hl-trigger")
                small.evaluate("() => window.scrollTo(0, 0)")
                small.screenshot(path=str(args.readme), type="png")
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
