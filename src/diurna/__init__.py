"""diurna: news articles in, coded political events (CAMEO and PLOVER) out."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from diurna.records import Actor, Article, Event, Rejection

__all__ = ["Actor", "Article", "Event", "Rejection", "code_text", "get_coder", "open"]
__version__ = "0.1.0"


@lru_cache(maxsize=2)
def get_coder(model: str | None = None):
    """A Coder for `model` (default: $DIURNA_SPACY_MODEL or the bundled small English model).

    Cached because loading spaCy takes about a second; the Coder holds no per-call state.
    """
    from diurna.coding.parse import ParserSettings
    from diurna.pipeline import Coder

    return Coder(ParserSettings() if model is None else ParserSettings(model=model))


def code_text(text: str, date: str | dt.date, source: str | None = None, *, record_id: str = "text",
              model: str | None = None) -> list[Event]:
    """Code one article's text published on `date` and return its events."""
    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(date)
    article = Article(record_id=record_id, date=day, source=source, content=text, origin="<code_text>")
    return [event for coded in get_coder(model).code([article]) for event in coded.events]


def open(db: str = "diurna.duckdb"):  # noqa: A001 (diurna.open, like duckdb.connect)
    """Open a diurna database for analysis: `.events(**filters)` is a DuckDB relation
    (`.df()`, `.pl()`, `.arrow()`); see diurna/store/dataset.py."""
    from diurna.store.dataset import open_dataset

    return open_dataset(db)
