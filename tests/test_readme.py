"""Every README snippet runs as written: the Python blocks, and each `diurna ...` line of the
shell blocks (in a scratch folder holding a copy of samples/). `make run` and `make test` are
what CI itself runs."""
from __future__ import annotations

import re
import shlex
import shutil

import pytest

from diurna.cli import main
from tests.conftest import ROOT

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
BLOCKS = _BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_runnable_snippets():
    kinds = [kind for kind, _ in BLOCKS]
    assert "python" in kinds and "sh" in kinds


@pytest.mark.parametrize("code", [code for kind, code in BLOCKS if kind == "python"])
def test_python_snippets_run(code, tmp_path, monkeypatch, capsys):
    # in a scratch folder where `make run` has been: the sample ingested into ./diurna.duckdb
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", "samples", "--db", "diurna.duckdb"]) == 0
    capsys.readouterr()
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()


def test_shell_snippets_run_in_order(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    lines = [line.split("#")[0].strip() for kind, code in BLOCKS if kind == "sh" for line in code.splitlines()]
    commands = [shlex.split(line) for line in lines if line.startswith("diurna ")]
    assert len(commands) >= 5
    for command in commands:
        assert main(command[1:]) == 0, command
        assert capsys.readouterr().out or command[1] in ("ingest", "recode", "rejections", "export"), command
