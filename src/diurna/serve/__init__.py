"""Serve stage: an HTTP API and a web page (map, timeline, actor network, evidence) over a database."""
from __future__ import annotations

import sys
from pathlib import Path

from diurna.serve.app import create_app
from diurna.serve.assets import install_hint, missing_vendor_files

__all__ = ["create_app", "run_server"]


def run_server(db_path: str | Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve `db_path` until interrupted; 1 when the database or the page's libraries are missing."""
    import uvicorn

    missing = missing_vendor_files()
    if missing:
        print(f"diurna serve: the page's browser libraries are not installed ({', '.join(missing)}); "
              f"install them with: {install_hint()}", file=sys.stderr)
        return 1
    try:
        app = create_app(db_path)
    except (FileNotFoundError, ValueError) as err:
        print(f"diurna serve: {err}", file=sys.stderr)
        return 1
    shown = f"[{host}]" if ":" in host else host
    print(f"diurna serve: open http://{shown}:{port}/ (API docs at /docs); Ctrl-C stops", file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
