"""The page's own files and the browser libraries it uses, which npm installs beside this module.

The libraries come from the npm registry at install time (`npm ci` in this folder, run by
`make`); they are never copied into the repository and never fetched from a CDN.
"""
from __future__ import annotations

from pathlib import Path

SERVE_DIR = Path(__file__).resolve().parent
STATIC_DIR = SERVE_DIR / "static"
NODE_MODULES = SERVE_DIR / "node_modules"

# URL name under /vendor/ -> file inside node_modules
VENDOR_FILES = {
    "d3.min.js": "d3/dist/d3.min.js",
    "topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "countries-110m.json": "world-atlas/countries-110m.json",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "favicon-32x32.png": "swagger-ui-dist/favicon-32x32.png",
}


def vendor_path(name: str) -> Path | None:
    relative = VENDOR_FILES.get(name)
    return NODE_MODULES / relative if relative else None


def missing_vendor_files() -> list[str]:
    return [relative for relative in VENDOR_FILES.values() if not (NODE_MODULES / relative).is_file()]


def install_hint() -> str:
    return f"npm ci --ignore-scripts --prefix {SERVE_DIR}"
