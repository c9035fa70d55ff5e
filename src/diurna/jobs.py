"""The long-running jobs behind `diurna ingest` and `diurna recode`, as library functions.

Both commit article by article, so an interrupted job keeps everything finished and a re-run
resumes. A record that fails anywhere (read or coding) is quarantined the moment it fails and
the batch goes on; the rejection key makes a re-run add no duplicates.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from diurna.coding.version import coder_version
from diurna.ingest.read import SUPPORTED_SUFFIXES
from diurna.pipeline import ARTICLES_PER_BATCH, CodedArticle, Coder, article_id_for
from diurna.records import Article, Rejection
from diurna.store import Store

Advance = Callable[[int], None]
CODING_BATCH = 64  # articles per coding task
WRITE_ARTICLES = 256  # articles per write transaction (at least): a statement's fixed cost is spread over more


@dataclass
class Tally:
    stored: int = 0  # new articles (ingest) or re-coded ones (recode)
    skipped: int = 0  # already stored
    events: int = 0
    rejected: int = 0  # quarantined in this run (read or coding failures)


def version_of(coder: Coder) -> str:
    """The coder version stored with each article: package, lexicon digest, model name and version."""
    meta = coder.parser.nlp.meta
    return coder_version(f"{meta.get('lang', '')}_{meta.get('name', coder.parser.settings.model)} {meta.get('version', '')}")


def ingest(
    coder: Coder, store: Store, records: Iterable[Article | Rejection], *,
    on_rejection: Callable[[Rejection], None] = lambda r: None, advance: Advance = lambda n: None,
) -> Tally:
    """Code (in this process) and store new articles; quarantine every bad record as it comes."""
    return ingest_with(lambda batches: (list(code_each(coder, batch)) for batch in batches), version_of(coder),
                       store, records, on_rejection=on_rejection, advance=advance)


CodeBatches = Callable[[Iterable[list[Article]]], Iterator[list[CodedArticle | Rejection]]]


def ingest_with(
    code_batches: CodeBatches, version: str, store: Store, records: Iterable[Article | Rejection], *,
    on_rejection: Callable[[Rejection], None] = lambda r: None, advance: Advance = lambda n: None,
    batch_articles: int = CODING_BATCH, write_articles: int = WRITE_ARTICLES,
) -> Tally:
    """Store what `code_batches` makes of the new articles, batch by batch (in this process, in
    worker processes or on a cluster: it returns each batch's results in order). One lookup
    skips stored articles before coding; coded batches are written `write_articles` or more at
    a time, each write one transaction, so an interrupted run keeps every finished write and a
    re-run resumes; article ids make re-coded copies no-ops."""
    tally = Tally()
    coded: list[CodedArticle] = []

    def reject(rejection: Rejection) -> None:
        tally.rejected += 1
        store.quarantine(rejection)
        on_rejection(rejection)
        advance(1)

    def fresh_batches() -> Iterator[list[Article]]:
        iterator = iter(records)
        while chunk := list(itertools.islice(iterator, batch_articles)):
            articles = []
            for record in chunk:
                if isinstance(record, Rejection):
                    reject(record)
                else:
                    articles.append(record)
            ids = [article_id_for(a) for a in articles]  # a hash of the content: once per article
            stored = store.stored_ids(ids)
            new = [a for a, article_id in zip(articles, ids) if article_id not in stored]
            tally.skipped += len(articles) - len(new)
            advance(len(articles) - len(new))
            store.let_readers_in()  # a waiting reader gets a turn every ~2 s
            if new:
                yield new

    def write() -> None:
        for result, added in zip(coded, store.add_batch(coded, version)):
            if added:
                tally.stored += 1
                tally.events += len(result.events)
            else:
                tally.skipped += 1
        advance(len(coded))
        coded.clear()

    for results in code_batches(fresh_batches()):
        for result in results:
            if isinstance(result, Rejection):
                reject(result)
            else:
                coded.append(result)
        if len(coded) >= write_articles:
            write()
    if coded:
        write()
    store.release()
    return tally


def recode(
    coder: Coder, store: Store, *, since: dt.date | None = None,
    on_rejection: Callable[[Rejection], None] = lambda r: None, advance: Advance = lambda n: None,
) -> Tally:
    """Re-code stored articles whose coder version is not this one, each in its own transaction."""
    tally = Tally()
    version = version_of(coder)
    pending = store.stale_article_ids(version, since)
    for start in range(0, len(pending), ARTICLES_PER_BATCH):
        batch = [store.article(article_id) for article_id in pending[start:start + ARTICLES_PER_BATCH]]
        store.let_readers_in()
        for result in code_each(coder, batch):
            if isinstance(result, Rejection):
                tally.rejected += 1
                on_rejection(result)  # the article stays stored, and stale, with its old events
            else:
                store.replace(result, version)
                tally.stored += 1
                tally.events += len(result.events)
            advance(1)
    return tally


def stale_count(coder: Coder, store: Store) -> int:
    return store.stale_count(version_of(coder))


def code_each(coder: Coder, articles: Iterable[Article]) -> Iterator[CodedArticle | Rejection]:
    """Code in batches; if a batch fails, code its articles one by one so only the culprit is lost."""
    iterator = iter(articles)
    while batch := list(itertools.islice(iterator, ARTICLES_PER_BATCH)):
        try:
            coded = list(coder.code(batch))
        except Exception:  # noqa: BLE001 - find the article that failed below
            coded = None
        if coded is not None:
            yield from coded
            continue
        for article in batch:
            try:
                yield from coder.code([article])
            except RecursionError:
                yield _coding_failure(article, "coding failed: text nested too deeply")
            except Exception as err:  # noqa: BLE001 - one article's failure must not stop the rest
                yield _coding_failure(article, f"coding failed ({type(err).__name__}: {err})"[:300])


def _coding_failure(article: Article, reason: str) -> Rejection:
    return Rejection(origin=article.origin, record_id=article.record_id, reason=reason, excerpt=article.content[:200])


def count_records(paths: Iterable[str | Path]) -> int | None:
    """How many records the inputs hold (non-blank JSONL lines, text files), for the progress
    bar's total; None when some input's size cannot be known cheaply."""
    total = 0
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            suffix = file.suffix.lower()
            if path.is_dir() and suffix not in SUPPORTED_SUFFIXES:
                continue
            try:
                if suffix in (".jsonl", ".ndjson"):
                    with file.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                elif suffix == ".txt" or not file.exists():
                    total += 1
                else:
                    return None
            except OSError:
                total += 1
    return total
