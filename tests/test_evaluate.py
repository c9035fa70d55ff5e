"""The evaluation harness: scoring rules on made-up gold items, and the dev-set ratchet."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from diurna.cli import main
from diurna.evaluate.gold import evaluate_gold, load_gold

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT.parent / "shared" / "eval" / "dev.jsonl"
FLOORS = json.loads((Path(__file__).parent / "eval_floor.json").read_text())


def _gold_file(tmp_path: Path) -> Path:
    items = [
        {"id": "clash", "source_dataset": "made_up", "date": "2020-03-05", "negative": False,
         "text": "Turkish troops clashed with Syrian forces near Saraqib on Wednesday.",
         "events": [{"plover_type": "ASSAULT", "plover_ok": ["ASSAULT"], "cameo_root": "19", "cameo_ok": ["19"],
                     "source_country": "TUR", "target_country": "SYR", "symmetric": True,
                     "geo_scorable": True, "lat": 35.86, "lon": 36.8, "country": "SYR",
                     "event_date": "2020-03-04", "date_precision": "1"}]},
        {"id": "quiet", "source_dataset": "made_up", "date": "2020-03-05", "negative": True,
         "text": "The weather in Ankara was mild and sunny.", "events": []},
        {"id": "missed", "source_dataset": "made_up", "date": "2020-03-05", "negative": False,
         "text": "Nothing in this sentence is an event.",
         "events": [{"plover_type": "ACCUSE", "plover_ok": ["ACCUSE"], "cameo_root": "11", "cameo_ok": ["11"],
                     "source_country": "RUS", "target_country": "TUR"}]},
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(i) + "\n" for i in items))
    return path


def test_scoring_rules_on_made_up_items(tmp_path, coder):
    report = evaluate_gold(load_gold(_gold_file(tmp_path)), coder)
    figures = report.figures()
    assert figures["items"] == 3
    assert figures["detection"] == pytest.approx(1 / 3, abs=1e-3)
    assert figures["false_alarms"] == 0.0
    assert figures["type_recall"] == 0.5  # the clash found, the accusation missed
    # dyads are scored on found events only; the symmetric clash counts in either direction
    assert figures["source_country"] == 1.0 and figures["target_country"] == 1.0
    assert figures["within_25km"] == 1.0 and figures["place_country"] == 1.0  # Saraqib, Syria
    assert figures["date_within_1d"] == 1.0
    assert [f["id"] for f in report.failures] == ["missed"]
    assert report.per_type()["ACCUSE"]["recall"] == 0.0


def test_evaluate_command_prints_table_and_failures(tmp_path, capsys):
    failures = tmp_path / "fail.jsonl"
    assert main(["evaluate", str(_gold_file(tmp_path)), "--failures", str(failures)]) == 0
    out = capsys.readouterr().out
    assert "detection" in out and "made_up" in out and "ASSAULT" in out
    assert json.loads(failures.read_text().splitlines()[0])["id"] == "missed"


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"no dev set at {DEV_SET}")
def test_dev_set_figures_stay_above_the_floor(coder):
    figures = evaluate_gold(load_gold(DEV_SET), coder).figures()
    below = {k: (figures[k], floor) for k, floor in FLOORS.items() if not k.startswith("_") and figures[k] < floor}
    assert not below, f"dev-set figures fell below their floors: {below}"
