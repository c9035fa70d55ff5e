"""Shared fixtures. The spaCy model loads once per test session (about a second)."""
from __future__ import annotations

from pathlib import Path

import pytest

from diurna.pipeline import CodedArticle, Coder
from diurna.ingest.read import read_paths
from diurna.records import Article

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_JSONL = ROOT / "samples" / "idlib_ceasefire_2020-03-05.jsonl"


def sample_txt_bytes() -> bytes:
    """The sample as a text file with a 'date YYYY-MM-DD SOURCE' header (samples/ keeps only the .jsonl)."""
    import json

    record = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))
    return f"date {record['date']} {record['source']}\n\n{record['content']}".encode("utf-8")


# How many events the sample yields; test_sample_article.py::test_complete_event_list lists them.
SAMPLE_EVENT_COUNT = 28
# How many events the store keeps of them: mentions of one real-world event merge (dedupe/events.py);
# tests/test_dedupe.py lists the merged ones.
SAMPLE_STORED_EVENTS = 19


@pytest.fixture()
def sample_txt(tmp_path) -> Path:
    """The sample as a text file with a 'date YYYY-MM-DD SOURCE' header (samples/ keeps one copy)."""
    path = tmp_path / "idlib_ceasefire_2020-03-05.txt"
    path.write_bytes(sample_txt_bytes())
    return path


@pytest.fixture(scope="session")
def coder() -> Coder:
    return Coder()


@pytest.fixture(scope="session")
def sample_article() -> Article:
    (article,) = list(read_paths([SAMPLE_JSONL]))
    assert isinstance(article, Article)
    return article


@pytest.fixture(scope="session")
def coded_sample(coder: Coder, sample_article: Article) -> CodedArticle:
    (coded,) = list(coder.code([sample_article]))
    return coded


@pytest.fixture()
def code_sentence(coder: Coder):
    """Code one piece of text dated 2020-03-05 and return its events."""
    import datetime as dt

    def run(text: str, date: str = "2020-03-05"):
        article = Article(record_id="t", date=dt.date.fromisoformat(date), content=text, origin="test")
        (coded,) = list(coder.code([article]))
        return coded.events

    return run
