"""A small database for the serve tests: the sample article plus three written for them.

One of them carries markup in its text, title, outlet and URL, which every view must show
as inert text.
"""
from __future__ import annotations

import json
from pathlib import Path

from diurna.ingest.read import read_paths
from diurna.pipeline import Coder
from diurna.records import Article
from diurna.store import Store
from tests.conftest import SAMPLE_JSONL, SAMPLE_STORED_EVENTS

XSS_SENTENCE_MARKUP = "<img src=x onerror=alert(2)>"
# events: the sample's, 3 Kharkiv (the alleged ceasefire violation is part of the accusation),
# 2 Paris, 2 in the markup article, 1 placed only at country level
STORED_ARTICLES, STORED_EVENTS = 5, SAMPLE_STORED_EVENTS + 8
KHARKIV_EVENTS = 3  # shelling, killing, accusation
EXTRA_ARTICLES = [
    {"id": "kharkiv-1", "date": "2021-06-10", "source": "Wire", "title": "Shelling near Kharkiv",
     "url": "https://example.org/kharkiv",
     "content": "Russian troops shelled Ukrainian positions near Kharkiv on Tuesday, killing three soldiers. "
                "Ukraine accused Russia of violating the ceasefire."},
    {"id": "paris-1", "date": "2021-07-01", "source": "Wire", "title": "Talks in Paris",
     "content": "French President Emmanuel Macron met Ukrainian President Volodymyr Zelensky in Paris on Thursday."},
    {"id": "sudan-1", "date": "2021-05-10", "source": "Wire", "title": "Fighting in Sudan",
     "content": "Sudanese troops attacked rebels in Sudan."},
    {"id": "xss-1", "date": "2020-03-07", "source": "<img src=x onerror=\"document.title='pwned-outlet'\">Evil",
     "title": "<script>document.title='pwned-title'</script>", "url": "javascript:document.title='pwned-url'",
     "content": "Turkish troops attacked Syrian forces near Aleppo on Saturday. "
                "<script>document.title='pwned-content'</script>"
                f"Syrian forces attacked Turkish troops near \"{XSS_SENTENCE_MARKUP}\" Saraqib."},
]


def build_database(path: Path, coder: Coder) -> Path:
    extra = path.parent / "extra.jsonl"
    extra.write_text("".join(json.dumps(record) + "\n" for record in EXTRA_ARTICLES), encoding="utf-8")
    articles = [a for a in read_paths([SAMPLE_JSONL, extra]) if isinstance(a, Article)]
    assert len(articles) == STORED_ARTICLES
    with Store(path) as store:
        for coded in coder.code(articles):
            store.add(coded)
    return path
