"""The benchmark script runs end to end. Slow: excluded by default, run with `pytest -m slow`."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "benchmark.py"


@pytest.mark.slow
def test_benchmark_script_reports_throughput():
    result = subprocess.run([sys.executable, str(SCRIPT), "--copies", "300", "--n-process", "2"],
                            capture_output=True, text=True, check=True, timeout=900)
    assert "full pipeline+store" in result.stdout
    from tests.conftest import SAMPLE_EVENT_COUNT

    assert f"events                {300 * SAMPLE_EVENT_COUNT} ({SAMPLE_EVENT_COUNT} per article)" in result.stdout
