"""Dedupe: near-duplicate articles become one story; the sentences that report one real-world
event become its mentions, within an article and across articles, with counts."""
from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from diurna.dedupe.articles import STORIES, StoryIndex, cleaned_text
from diurna.dedupe.events import compatible, event_confidence, Report
from diurna.ingest.clean import clean
from diurna.records import Article
from diurna.scale.workers import CoderPool
from diurna.store import Store
from diurna.store.database import SCHEMA_VERSION, _CODED_COLUMNS, _EVENT_COLUMNS, _EVENT_COUNTS
from tests.conftest import SAMPLE_EVENT_COUNT, SAMPLE_STORED_EVENTS

# Reports written for these tests: one clash told by two outlets in their own words, and two
# attacks of one day in two towns (far apart, and 17 km apart).
CLASH_A = ("Turkish troops clashed with Syrian government forces near Saraqib on Saturday, a war monitor said. "
           "The fighting lasted several hours.")
CLASH_B = ("Syrian army units fought Turkish soldiers outside the town of Saraqib in Idlib province on Saturday, "
           "according to residents.")
MAIDUGURI = "Boko Haram fighters attacked an army base in Maiduguri on Monday, killing four soldiers."
DAMATURU = "Boko Haram fighters attacked a military post in Damaturu on Monday, the army said."
IDLIB = "Turkish troops attacked Syrian government forces in Idlib on Saturday."
SARAQIB = "Turkish troops attacked Syrian government forces in Saraqib on Saturday."


def article(record_id: str, content: str, day: dt.date, outlet: str, title: str | None = None) -> Article:
    return Article(record_id=record_id, date=day, source=outlet, title=title, content=content, origin="test")


def near_copies(sample: Article) -> list[Article]:
    """The sample as three outlets carried it: as is; re-headlined with a link line gone and a
    closing paragraph added; a day later with the embedded tweet and the footnote trimmed."""
    paragraphs = sample.content.split("\n\n")
    second = "\n\n".join(p for p in paragraphs if not p.startswith("READ MORE")) + \
        "\n\nThis article was originally published by RT and is reproduced with permission."
    third = "\n\n".join(p for p in paragraphs if "pic.twitter.com" not in p).split(" *Jabhat")[0]
    return [
        sample,
        article("copy-2", second, sample.date, "Global Research", "Putin and Erdogan agree Idlib ceasefire"),
        article("copy-3", third, sample.date + dt.timedelta(days=1), "South Front", "Moscow summit: ceasefire in Idlib"),
    ]


def ingest(path, coder, articles: list[Article]) -> None:
    with Store(path) as store:
        for coded in coder.code(articles):
            store.add(coded)


def events_and_mentions(path) -> list[tuple]:
    """(source, code, target, modality, num_mentions, num_articles, num_sources, mention triggers)"""
    with Store(path, read_only=True) as store:
        return sorted(store.connection.execute(
            "SELECT e.source_code, e.cameo_code, e.target_code, e.modality, e.num_mentions, e.num_articles, "
            "e.num_sources, list(m.trigger ORDER BY m.published, m.article_id, m.sentence_start) "
            "FROM events e JOIN mentions m USING (event_id) GROUP BY e.event_id, e.source_code, e.cameo_code, e.target_code, "
            "e.modality, e.num_mentions, e.num_articles, e.num_sources").fetchall(), key=str)


# --- within an article -----------------------------------------------------------------------------

def test_the_sample_summit_is_one_consult_event_per_direction_with_four_mentions(tmp_path, coder, sample_article):
    db = tmp_path / "sample.duckdb"
    ingest(db, coder, [sample_article])
    summit = [row for row in events_and_mentions(db) if row[1] == "040"]
    # "coming to an agreement" (lead), "hours-long talks", "agreed a document during the talks",
    # "holds talks": one summit, reported four times
    assert summit == [
        ("RUSGOV", "040", "TURGOV", "occurred", 4, 1, 1, ["agreement", "talks", "agreed", "talks"]),
        ("TURGOV", "040", "RUSGOV", "occurred", 4, 1, 1, ["agreement", "talks", "agreed", "talks"]),
    ]
    with Store(db, read_only=True) as store:
        (event,) = [e for e in store.events() if e.cameo_code == "040" and e.source_code == "RUSGOV"]
        assert event.plover_type == "CONSULT" and event.place_name == "Moscow" and event.is_root_event
        assert event.trigger == "talks" and event.first_seen == sample_article.date and event.confidence == 0.6
        mentions = store.mentions(event.event_id)
        assert [m.in_lead for m in mentions] == [True, False, False, False]
        assert all(m.original_source == "RT" and m.outlet == "VeteransToday" for m in mentions)
        assert store.counts()["events"] == SAMPLE_STORED_EVENTS and store.counts()["mentions"] == SAMPLE_EVENT_COUNT


def test_every_merge_of_the_sample(tmp_path, coder, sample_article):
    """The events with more than one mention; every other coded sentence is an event of its own."""
    db = tmp_path / "sample.duckdb"
    ingest(db, coder, [sample_article])
    merged = [(row[0], row[1], row[2], row[7]) for row in events_and_mentions(db) if row[4] > 1]
    assert merged == [
        ("RUSGOV", "040", "TURGOV", ["agreement", "talks", "agreed", "talks"]),
        # fighting between the two armies in Idlib reported on the day, with no date of its own:
        # "confrontations", the claimed "neutralised", the clash (the killing of Turkish troops
        # is dated "last week" with Operation Spring Shield, so it stays an event of its own)
        ("SYRMIL", "190", "TURMIL", ["confrontations", "clashed"]),
        ("TURGOV", "040", "RUSGOV", ["agreement", "talks", "agreed", "talks"]),
        ("TURMIL", "190", "SYRMIL", ["confrontations", "neutralised", "clashed"]),
    ]


# --- near-duplicate articles -----------------------------------------------------------------------

def test_three_near_copies_are_one_story_one_source_three_articles(tmp_path, coder, sample_article):
    db = tmp_path / "copies.duckdb"
    copies = near_copies(sample_article)
    ingest(db, coder, copies)
    with Store(db, read_only=True) as store:
        counts = store.counts()
        assert counts["articles"] == 3 and counts["stories"] == 1 and counts["events"] == SAMPLE_STORED_EVENTS
        story = store.connection.execute(
            "SELECT original_source, first_published, first_outlet, num_articles, outlets FROM stories").fetchone()
        assert story == ("RT", sample_article.date, "VeteransToday", 3, ["Global Research", "South Front", "VeteransToday"])
        events = store.events()
        assert {(e.num_articles, e.num_sources) for e in events} == {(3, 1)}
        (summit,) = [e for e in events if e.cameo_code == "040" and e.source_code == "RUSGOV"]
        assert summit.num_mentions == 12 and summit.confidence == 0.6  # copies add no confidence
    before = events_and_mentions(db)
    ingest(db, coder, copies)  # idempotent: the same articles again change no count
    assert events_and_mentions(db) == before


def test_near_duplicates_reach_the_threshold_and_reports_of_one_event_do_not(sample_article):
    """The threshold, tuned on real pairs: the sample's re-published copies are far above it;
    independent reports of the same events (the summit, the clash) far below."""
    index = StoryIndex()
    signature = lambda a: index.signature(cleaned_text(clean(a)))  # noqa: E731
    original = signature(sample_article)
    copies = [original.similarity(signature(copy)) for copy in near_copies(sample_article)[1:]]
    assert min(copies) >= 0.8 > index.threshold
    day = dt.date(2020, 3, 1)
    summit_report = article("other", "Vladimir Putin and Recep Tayyip Erdogan agreed on a ceasefire in Syria's Idlib "
                            "province after six hours of talks in Moscow on Thursday. Russian and Turkish troops will "
                            "patrol the M4 highway together, the two leaders told reporters.", day, "Other")
    independent = [original.similarity(signature(summit_report)),
                   signature(article("a", CLASH_A, day, "A")).similarity(signature(article("b", CLASH_B, day, "B"))),
                   signature(article("c", IDLIB, day, "C")).similarity(signature(article("d", SARAQIB, day, "D")))]
    assert max(independent) < index.threshold


def test_lsh_finds_stories_stored_in_an_earlier_run(tmp_path, coder, sample_article):
    db = tmp_path / "runs.duckdb"
    first, second, third = near_copies(sample_article)
    ingest(db, coder, [first])
    ingest(db, coder, [second])  # another process, the index read from the database
    with Store(db, read_only=True) as store:
        assert store.counts()["stories"] == 1
        (bands,) = store.connection.execute("SELECT count(*) FROM story_bands").fetchone()
        assert bands == 2 * len(StoryIndex().hashranges)


def test_fingerprints_come_with_the_coded_article_and_a_worker_computes_the_same(coder, sample_article):
    """The writer files stories by the fingerprint the coder made (in a worker, so the main
    process only looks up and inserts): a worker process sends back what this process computes
    from the cleaned text; a text without a word has none (it stays its own story)."""
    articles = [*near_copies(sample_article), article("empty", "--- * ---", sample_article.date, "X")]

    def exact(found):
        return None if found is None else (found.signature.to_bytes(), found.band_keys)

    with CoderPool(coder.parser.settings, processes=1) as pool:
        (from_worker,) = pool.code_batches([articles])
    expected = [exact(STORIES.fingerprint(cleaned_text(clean(a)))) for a in articles]
    assert [exact(c.fingerprint) for c in from_worker] == [exact(c.fingerprint) for c in coder.code(articles)] == expected
    assert expected[-1] is None and len(expected[0][1]) == len(STORIES.hashranges)


# --- across articles -------------------------------------------------------------------------------

def test_two_independent_reports_of_one_clash_are_one_event_with_two_sources(tmp_path, coder):
    db = tmp_path / "clash.duckdb"
    day = dt.date(2020, 3, 1)
    ingest(db, coder, [article("a", CLASH_A, day, "Daily A"), article("b", CLASH_B, day, "B News")])
    rows = events_and_mentions(db)
    # A reports both sides' fire, B only the Syrian army's: that one has two sources
    assert [(r[0], r[2], r[4], r[5], r[6]) for r in rows] == [("SYRMIL", "TURMIL", 2, 2, 2), ("TURMIL", "SYRMIL", 1, 1, 1)]
    with Store(db, read_only=True) as store:
        (both,) = [e for e in store.events() if e.num_sources == 2]
        assert both.place_name == "Saraqib" and both.event_date == dt.date(2020, 2, 29)
        assert both.confidence > max(e.confidence for e in store.events() if e.num_sources == 1)
        assert [m.outlet for m in store.mentions(both.event_id)] == ["Daily A", "B News"]


@pytest.mark.parametrize("first, second", [(MAIDUGURI, DAMATURU), (IDLIB, SARAQIB)], ids=["far", "17 km"])
def test_two_attacks_on_one_day_in_two_towns_are_two_events(tmp_path, coder, first, second):
    db = tmp_path / "towns.duckdb"
    day = dt.date(2021, 5, 3) if first == MAIDUGURI else dt.date(2020, 3, 1)
    ingest(db, coder, [article("one", first, day, "Wire"), article("two", second, day, "Paper")])
    rows = events_and_mentions(db)
    assert len(rows) == 2 and all(r[4:7] == (1, 1, 1) for r in rows)


def test_recoding_keeps_the_counts(tmp_path, coder):
    db = tmp_path / "recode.duckdb"
    day = dt.date(2020, 3, 1)
    ingest(db, coder, [article("a", CLASH_A, day, "Daily A"), article("b", CLASH_B, day, "B News")])
    before = events_and_mentions(db)
    with Store(db) as store:
        for coded in coder.code([article("b", CLASH_B, day, "B News")]):
            store.replace(coded, "again")
    assert events_and_mentions(db) == before


# --- the rules -------------------------------------------------------------------------------------

def test_compatibility_rules(coded_sample):
    (clash,) = [e for e in coded_sample.events if e.trigger == "clashed" and e.source_code == "TURMIL"]
    assert compatible(clash, clash)
    week = clash.model_copy(update={"event_date": dt.date(2020, 3, 2), "date_precision": "week"})
    assert compatible(clash, week)  # the week of 2 March holds 5 March
    assert not compatible(clash, clash.model_copy(update={"event_date": dt.date(2020, 3, 8), "date_precision": "day"}))
    country = clash.model_copy(update={"geonames_id": 163843, "place_name": "Syria", "admin1": None, "geo_precision": "country"})
    assert compatible(clash, country)  # Syria holds Idlib
    elsewhere = clash.model_copy(update={"place_country": "TUR", "geonames_id": 298795, "admin1": None})
    assert not compatible(clash, elsewhere)
    assert not compatible(clash, clash.model_copy(update={"target_code": "SYRGOV"}))
    assert not compatible(clash, clash.model_copy(update={"modality": "planned"}))
    assert compatible(clash, clash.model_copy(update={"modality": "claimed"}))


def test_confidence_grows_with_sources_and_drops_for_claims(coded_sample):
    (event,) = [e for e in coded_sample.events if e.trigger == "clashed" and e.source_code == "TURMIL"]
    claim = event.model_copy(update={"modality": "claimed"})
    day = dt.date(2020, 3, 5)
    one = event_confidence([Report(event, "a1", day, "RT", False)])
    same_source_twice = event_confidence([Report(event, "a1", day, "RT", False), Report(event, "a2", day, "RT", False)])
    two = event_confidence([Report(event, "a1", day, "RT", False), Report(event, "a2", day, "AP", False)])
    claimed = event_confidence([Report(claim, "a1", day, "RT", False)])
    assert claimed < one == same_source_twice < two <= 1


# --- older databases -------------------------------------------------------------------------------

def test_a_schema_4_database_is_upgraded_with_one_event_per_mention(tmp_path, coder, sample_article, coded_sample):
    db = tmp_path / "old.duckdb"
    ingest(db, coder, [sample_article])
    with duckdb.connect(str(db)) as con:  # what schema 4 held: the coded sentences as events
        for table in ("mentions", "stories", "story_signatures", "story_bands"):
            con.execute(f"DROP TABLE {table}")
        con.execute("ALTER TABLE articles DROP COLUMN story_id")
        con.execute("DELETE FROM events")
        for column in _EVENT_COUNTS:
            con.execute(f"ALTER TABLE events DROP COLUMN {column}")
        old = [c for c in _EVENT_COLUMNS if c not in _EVENT_COUNTS]
        rows = [e.model_dump(mode="json", include=set(old)) for e in coded_sample.events]
        con.execute(f"INSERT INTO events ({', '.join(old)}) SELECT {', '.join(old)} FROM "
                    "(SELECT unnest(from_json(?::JSON, ?), recursive := true))",
                    [json.dumps(rows), json.dumps([{c: con.execute(
                        f"SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = '{c}'"
                    ).fetchone()[0] for c in old}])])
        con.execute("UPDATE meta SET value = '4'")
    with Store(db, read_only=True) as reader:  # readers read it as it is
        assert {(e.num_mentions, e.num_sources) for e in reader.events()} == {(1, 1)}
    with Store(db) as store:
        assert store.connection.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
        counts = store.counts()
        assert counts["events"] == counts["mentions"] == SAMPLE_EVENT_COUNT and counts["stories"] == 1
        assert {m.original_source for e in store.events() for m in store.mentions(e.event_id)} == {"RT"}
        assert set(_CODED_COLUMNS) < {row[0] for row in store.connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'mentions'").fetchall()}
    ingest(db, coder, near_copies(sample_article)[1:2])  # a copy finds the old article's story
    with Store(db, read_only=True) as store:
        assert store.counts()["stories"] == 1 and store.counts()["articles"] == 2


def test_counts_kept_incrementally_equal_a_recount_from_the_mentions(tmp_path, coder, sample_article):
    db = tmp_path / "recount.duckdb"
    day = dt.date(2020, 3, 1)
    ingest(db, coder, near_copies(sample_article) + [article("a", CLASH_A, day, "Daily A"), article("b", CLASH_B, day, "B News")])
    with Store(db) as store:
        kept = {e.event_id: e for e in store.events()}
        store._resummarize(list(kept))
        assert {e.event_id: e for e in store.events()} == kept


# --- batched writes ------------------------------------------------------------------------------

def _tables(path) -> dict[str, list]:
    """Every row of every table the writer fills, but the time of ingest."""
    with Store(path, read_only=True) as store:
        con, found = store.connection, {}
        for table in ("articles", "stories", "story_signatures", "story_bands", "events", "mentions"):
            columns = [row[0] for row in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall() if row[0] != "ingested_at"]
            found[table] = sorted(map(str, con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()))
        return found


def test_a_batch_stores_what_articles_stored_one_by_one_store(tmp_path, coder, sample_article):
    """Copies of a story within one batch, events reported again later in the batch, and a copy
    published earlier, which changes the story's source and so its stored mentions and events."""
    day = dt.date(2020, 3, 1)
    copies = near_copies(sample_article)
    articles = [copies[0], article("a", CLASH_A, day, "Daily A"), copies[1], article("b", CLASH_B, day, "B News"),
                article("m", MAIDUGURI, day, "NG"), article("a2", CLASH_A + " Residents fled.", day - dt.timedelta(days=1), "Early"),
                copies[2], article("d", DAMATURU, day, "NG2"),
                article("wire", "MOSCOW (Reuters) - " + copies[2].content, sample_article.date, "Wire Copy"), copies[0]]
    coded = list(coder.code(articles))
    with Store(tmp_path / "one.duckdb") as store:
        assert [store.add(c, "v") for c in coded] == [True] * 9 + [False]
    for size in (4, len(coded)):
        with Store(tmp_path / f"batch{size}.duckdb") as store:
            added = [a for start in range(0, len(coded), size) for a in store.add_batch(coded[start:start + size], "v")]
        assert added == [True] * 9 + [False]
        assert _tables(tmp_path / f"batch{size}.duckdb") == _tables(tmp_path / "one.duckdb")
    with Store(tmp_path / "one.duckdb", read_only=True) as store:
        sources = {row[0]: row[1] for row in store.connection.execute("SELECT first_outlet, original_source FROM stories "
                                                                      "WHERE num_articles > 1").fetchall()}
        assert sources == {"Early": "Early", "VeteransToday": "RT"}  # the clash's story took its earlier copy's source
        assert store.connection.execute("SELECT count(*) FROM mentions WHERE original_source = 'Early'").fetchone()[0] >= 2
