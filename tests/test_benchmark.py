"""The benchmark script runs end to end. Slow: excluded by default, run with `pytest -m slow`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark.py"
SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "idlib_ceasefire_2020-03-05.jsonl"


@pytest.mark.slow
def test_benchmark_script_reports_throughput(tmp_path):
    from tests.conftest import SAMPLE_EVENT_COUNT

    record = json.loads(SAMPLE.read_text(encoding="utf-8"))
    copies = tmp_path / "copies.jsonl"  # 20 articles with their own ids and the sample's events
    copies.write_text("".join(json.dumps({**record, "id": f"copy-{n}", "content": record["content"] + f" [{n}]"}) + "\n"
                              for n in range(20)), encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), str(copies), "--processes", "1,2", "--dask", "1"],
                            capture_output=True, text=True, check=True, timeout=900)
    assert "diurna ingest, 1 process" in result.stdout and "ratio to spaCy" in result.stdout
    assert "diurna ingest, 2 worker processes" in result.stdout
    assert "Dask LocalCluster 1 worker(s)" in result.stdout and "partitions of" in result.stdout
    assert f"{20 * SAMPLE_EVENT_COUNT} events" in result.stdout
    assert "peak memory all processes" in result.stdout
