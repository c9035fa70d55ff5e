"""Command line: `diurna code`, `ingest`, `recode`, `events`, `export`, `evaluate`, `audit`, `rejections`,
`serve`: thin shells over the library."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable, Iterator, NoReturn, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from diurna import __version__
from diurna.export.files import EXPORT_FORMATS
from diurna.export.formats import FORMATS, write_events
from diurna.coding.parse import DEFAULT_MODEL, MODEL_ENV, ParserSettings
from diurna.ingest.fields import FieldMap
from diurna.ingest.read import DEFAULT_MAX_CHARS, read_paths
from diurna.ingest.sources import URL_TIMEOUT_SECONDS
from diurna.records import Article, Rejection
from diurna.sanitize import terminal_safe

EXIT_REJECTED = 1
EXIT_ERROR = 1
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so that open transactions roll back."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from diurna.store import StoreError

    received: list[int] = []  # the signal that stopped this run, if any (-1 marks killed workers)
    in_main_thread = threading.current_thread() is threading.main_thread()  # signal handlers live there only
    previous = {sig: signal.signal(sig, _stopper(received)) for sig in (signal.SIGINT, signal.SIGTERM) if in_main_thread}
    _log_to_stderr()
    try:
        return args.run(args)
    except BrokenPipeError:
        # the reader (`| head`) has gone: stop quietly, and keep Python from complaining at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except StoreError as err:
        if not received:
            _say(f"error: {err}")
            return EXIT_ERROR
    except KeyboardInterrupt:
        received.append(signal.SIGINT)
    except Terminated:
        received.append(signal.SIGTERM)
    except Exception:
        if not received:  # a real bug: let the traceback show
            raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # DuckDB turns the interrupt into its own "Query interrupted" error; whatever the type,
    # a received signal means a clean stop
    name, code = ("Ctrl-C", EXIT_SIGINT) if received[0] == signal.SIGINT else ("SIGTERM", EXIT_SIGTERM)
    _say(f"stopped by {name}; everything committed so far is kept: run the same command to resume")
    if -1 in received:
        # multiprocessing would wait at exit for a queue thread that feeds the killed workers,
        # forever; everything is committed or rolled back and closed by now, so leave at once
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _stopper(received: list[int]) -> Callable[[int, object], NoReturn]:
    def stop(signum: int, frame: object) -> NoReturn:
        """Stop spaCy's workers first (otherwise they block on a full pipe and spaCy waits for
        them forever), then unwind like KeyboardInterrupt so open transactions roll back."""
        import multiprocessing
        import warnings

        warnings.filterwarnings("ignore", message=r"\[W127\]")  # spaCy: "workers did not complete": we stopped them
        received.append(signum)
        for child in multiprocessing.active_children():
            child.kill()
            received.append(-1)
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    return stop


def _say(message: str) -> None:
    print(f"diurna: {terminal_safe(message)}", file=sys.stderr, flush=True)


def _log_to_stderr() -> None:
    """Library warnings (gazetteer build, cache trouble) as one `diurna: ...` line each."""
    logger = logging.getLogger("diurna")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("diurna: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and callers may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class _Parser(argparse.ArgumentParser):
    """Usage mistakes in one line, naming the option, never an internal function."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _count(minimum: int) -> Callable[[str], int]:
    def whole_number(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {number}")
        return number

    return whole_number


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="diurna", description="Turn news articles into coded political events.")
    parser.add_argument("--version", action="version", version=f"diurna {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def add_model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", default=None, help=f"spaCy pipeline (default: ${MODEL_ENV} or {DEFAULT_MODEL})")
        p.add_argument("--n-process", type=_count(1), default=1, help="spaCy worker processes (2 on a 2-core machine for big corpora)")
        p.add_argument("--batch-size", type=_count(1), default=64)
        p.add_argument("--full-parse", action="store_true",
                       help="run NER on every sentence, not only on those that may hold an event (same events, slower)")
        p.add_argument("--date", type=_iso_date, default=None,
                       help="publication date for records that have none (YYYY-MM-DD); otherwise they are rejected")
        p.add_argument("--max-chars", type=_count(1), default=DEFAULT_MAX_CHARS, help="reject articles longer than this")

    def add_output_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=FORMATS, default="table")
        p.add_argument("--wide", action="store_true", help="table: every column, however wide the terminal")
        p.add_argument("--raw-csv", action="store_true",
                       help="CSV: leave cells starting with = + - @ as they are (by default they get a leading ' "
                            "so spreadsheets do not run them as formulas)")

    code = commands.add_parser("code", help="code files and print the events (nothing is stored)")
    code.add_argument("paths", nargs="+", metavar="FILE", help=_INPUTS_HELP)
    add_output_options(code)
    add_model_options(code)
    _add_input_options(code)
    code.set_defaults(run=_run_code)

    ingest = commands.add_parser("ingest", help="code files and store articles and events in DuckDB")
    ingest.add_argument("paths", nargs="+", metavar="FILE", help=_INPUTS_HELP)
    ingest.add_argument("--db", default="diurna.duckdb")
    add_model_options(ingest)
    ingest.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="code on a Dask cluster: tcp://SCHEDULER:8786, or local:N for N local worker processes")
    ingest.add_argument("--out-parquet", metavar="DIR", default=None,
                        help="write Parquet shards (DIR/articles, DIR/events, DIR/rejections) instead of --db")
    _add_input_options(ingest)
    ingest.set_defaults(run=_run_ingest)

    events = commands.add_parser("events", help="query stored events")
    events.add_argument("--db", default="diurna.duckdb")
    _add_event_filters(events)
    add_output_options(events)
    events.set_defaults(run=_run_events)

    evaluate = commands.add_parser("evaluate", help="score the coder against human-coded gold items (JSONL)")
    evaluate.add_argument("gold", metavar="GOLD.jsonl")
    evaluate.add_argument("--format", choices=("table", "json"), default="table")
    evaluate.add_argument("--failures", metavar="FILE", help="write every miss (text, gold, emitted) as JSONL")
    add_model_options(evaluate)
    evaluate.set_defaults(run=_run_evaluate)

    audit = commands.add_parser("audit", help="events per section of a corpus, listing every event of the control sections")
    audit.add_argument("paths", nargs="+", metavar="FILE")
    audit.add_argument("--controls", default="sport,entertainment,tech",
                       help="comma-separated sections whose events are listed for judging (default: %(default)s)")
    audit.add_argument("--section-field", default="section", help="the input field that names the section")
    audit.add_argument("--format", choices=("table", "json"), default="table")
    audit.add_argument("--all", action="store_true", help="list the events of every section, not only the controls")
    add_model_options(audit)
    audit.set_defaults(run=_run_audit)

    rejections = commands.add_parser("rejections", help="list quarantined input records")
    rejections.add_argument("--db", default="diurna.duckdb")
    rejections.set_defaults(run=_run_rejections)

    export = commands.add_parser("export", help="write stored events to a file (Parquet, CSV, JSONL, GDELT, PLOVER, GeoJSON)")
    export.add_argument("out", metavar="OUT", help="file to write")
    export.add_argument("--db", default="diurna.duckdb")
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    _add_event_filters(export)
    export.set_defaults(run=_run_export)
    serve = commands.add_parser("serve", help="HTTP API and web page (map, timeline, network, evidence)")
    serve.add_argument("--db", default="diurna.duckdb")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_run_serve)
    recode = commands.add_parser("recode", help="re-code stored articles coded by an older coder (lexicons, model, version)")
    recode.add_argument("--db", default="diurna.duckdb")
    recode.add_argument("--since", type=_iso_date, help="only articles published on or after this date")
    add_model_options(recode)
    recode.set_defaults(run=_run_recode)
    mentions = commands.add_parser("mentions", help="the sentences (articles, outlets, claimants) that report one event")
    mentions.add_argument("event_id", metavar="EVENT_ID")
    mentions.add_argument("--db", default="diurna.duckdb")
    add_output_options(mentions)
    mentions.set_defaults(run=_run_mentions)
    return parser


_INPUTS_HELP = ("files or folders (.jsonl .ndjson .txt .html .htm .xml .rss .atom, also .gz .bz2 .xz "
                ".zip .tar.gz of them), http(s) URLs, or - for standard input")


def _add_input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--field", action="append", type=_field_option, metavar="TARGET=NAME",
                   help="read JSONL field NAME as TARGET (content=maintext, date=date_publish, source=source_domain); repeatable")
    p.add_argument("--url-timeout", type=float, default=URL_TIMEOUT_SECONDS, metavar="SECONDS",
                   help="give up on a URL after this long")


def _field_option(value: str) -> str:
    try:
        FieldMap.parse([value])
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def _read(args: argparse.Namespace):
    """The read stage with the command's input options."""
    return read_paths(args.paths, default_date=args.date, max_chars=args.max_chars,
                      fields=FieldMap.parse(args.field), url_timeout=args.url_timeout)


def _add_event_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actor", help="country, organisation or code prefix, as source or target (TUR, RUSGOV, UNO)")
    p.add_argument("--source", help="like --actor, source only")
    p.add_argument("--target", help="like --actor, target only")
    p.add_argument("--type", dest="plover_type", help="PLOVER type (ASSAULT, AGREE, ...)")
    p.add_argument("--cameo", help="CAMEO code prefix (19, 057, ...)")
    p.add_argument("--modality", choices=("occurred", "claimed", "planned", "negated", "hypothetical"))
    p.add_argument("--country", help="where the event happened (ISO-3)")
    p.add_argument("--admin1", help="first-level subdivision where it happened (Idlib)")
    p.add_argument("--bbox", type=_bbox, help="min_lon,min_lat,max_lon,max_lat")
    p.add_argument("--since", type=_iso_date)
    p.add_argument("--until", type=_iso_date)
    p.add_argument("--limit", type=_count(1))
    p.add_argument("--min-sources", type=_count(1), metavar="N", help="events reported by at least N independent sources")


def _event_filter(args: argparse.Namespace):
    from diurna.store import EventFilter

    return EventFilter(actor=args.actor, source=args.source, target=args.target, plover_type=args.plover_type,
                       cameo=args.cameo, modality=args.modality, country=args.country, admin1=args.admin1,
                       bbox=args.bbox, since=args.since, until=args.until, limit=args.limit,
                       min_sources=args.min_sources)


def _bbox(value: str) -> tuple[float, float, float, float]:
    message = f"expected four numbers min_lon,min_lat,max_lon,max_lat, got {value!r}"
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(message) from None
    if len(parts) != 4:
        raise argparse.ArgumentTypeError(message)
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise argparse.ArgumentTypeError(f"{message} (longitudes -180..180, latitudes -90..90, min before max)")
    return min_lon, min_lat, max_lon, max_lat


def _settings(args: argparse.Namespace) -> ParserSettings:
    chosen = {"batch_size": args.batch_size, "n_process": args.n_process, "full_parse": args.full_parse}
    if args.model is not None:
        chosen["model"] = args.model
    return ParserSettings(**chosen)


def _split(records: Iterator[Article | Rejection], rejected: list[Rejection]) -> Iterator[Article]:
    for record in records:
        if isinstance(record, Rejection):
            rejected.append(record)
            _report_rejection(record)
        else:
            yield record


def _report_rejection(rejection: Rejection) -> None:
    print(terminal_safe(f"rejected: {rejection.message()}"), file=sys.stderr, flush=True)


def _run_code(args: argparse.Namespace) -> int:
    from diurna.jobs import code_each
    from diurna.pipeline import Coder

    rejected: list[Rejection] = []
    coder = Coder(_settings(args))
    articles = _split(_read(args), rejected)
    events = []
    for result in code_each(coder, articles):
        if isinstance(result, Rejection):
            rejected.append(result)
            _report_rejection(result)
        else:
            events.extend(result.events)
    _write(events, args)
    return _finish(rejected)


def _write(events: list, args: argparse.Namespace) -> None:
    write_events(events, args.format, sys.stdout, wide=args.wide, keep_formulas=args.raw_csv)


def _progress(label: str) -> Progress:
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("articles"), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True), transient=False)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _run_ingest(args: argparse.Namespace) -> int:
    from diurna import jobs
    from diurna.scale.workers import coding_for
    from diurna.store import Store

    rejected: list[Rejection] = []
    if args.out_parquet:
        from diurna.scale.shards import ParquetShards

        sink, target = lambda: ParquetShards(args.out_parquet), args.out_parquet
    else:
        sink, target = lambda: Store(args.db), args.db
    # the coders start before the database opens (worker processes are forked from this one)
    with coding_for(_settings(args), args.n_process, args.dask) as coding, sink() as store:
        stale = store.stale_count(coding.version) if isinstance(store, Store) else 0
        store.release()
        with _progress("coding") as progress:
            task = progress.add_task("coding", total=jobs.count_records(args.paths))
            tally = jobs.ingest_with(coding.code_batches, coding.version, store, _read(args),
                                     on_rejection=lambda r: (rejected.append(r), _report_rejection(r)),
                                     advance=lambda n: progress.advance(task, n))
        totals = store.counts()
    _say(f"stored {_plural(tally.stored, 'new article')} with {_plural(tally.events, 'mention')}; "
         f"{tally.skipped:,} already stored; {tally.rejected:,} rejected. "
         f"{target} now holds {_plural(totals['articles'], 'article')}, {_plural(totals['events'], 'event')}"
         + (f" ({_plural(totals['mentions'], 'mention')})" if "mentions" in totals else "") + ", "
         f"{_plural(totals['rejections'], 'quarantined record')}.")
    if stale:
        _say(f"{_plural(stale, 'stored article')} {'was' if stale == 1 else 'were'} coded by another coder version "
             f"(older lexicons, model or diurna): `diurna recode --db {args.db}` re-codes them")
    return _finish(rejected)


def _run_recode(args: argparse.Namespace) -> int:
    from diurna import jobs
    from diurna.pipeline import Coder
    from diurna.store import Store

    failed: list[Rejection] = []
    with Store(args.db) as store:
        coder = Coder(_settings(args))
        total = len(store.stale_article_ids(jobs.version_of(coder), args.since))
        store.release()
        with _progress("re-coding") as progress:
            task = progress.add_task("re-coding", total=total)
            tally = jobs.recode(coder, store, since=args.since,
                                on_rejection=lambda r: (failed.append(r), _report_rejection(r)),
                                advance=lambda n: progress.advance(task, n))
        totals = store.counts()
    _say(f"re-coded {_plural(tally.stored, 'article')} ({_plural(tally.events, 'mention')}); "
         f"{tally.rejected:,} failed and keep their old events. "
         f"{args.db} now holds {_plural(totals['articles'], 'article')}, {_plural(totals['events'], 'event')} "
         f"({_plural(totals['mentions'], 'mention')}).")
    return _finish(failed)


def _run_events(args: argparse.Namespace) -> int:
    from diurna.store import Store

    with Store(args.db, read_only=True) as store:
        events = store.events(_event_filter(args))
    _write(events, args)
    return 0


def _run_mentions(args: argparse.Namespace) -> int:
    from diurna.export.formats import write_mentions
    from diurna.store import Store, StoreError

    with Store(args.db, read_only=True) as store:
        found = store.mentions(args.event_id)
    if not found:
        raise StoreError(f"no event {args.event_id} in {args.db}; `diurna events` lists the event ids")
    write_mentions(found, args.format, sys.stdout, wide=args.wide, keep_formulas=args.raw_csv)
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    import json

    from diurna.evaluate.gold import evaluate_gold, format_table, load_gold, write_failures
    from diurna.pipeline import Coder

    report = evaluate_gold(load_gold(args.gold), Coder(_settings(args)))
    if args.format == "json":
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(format_table(report))
    if args.failures:
        count = write_failures(report, args.failures)
        print(f"{count} items with a miss written to {args.failures}", file=sys.stderr)
    return 0


def _run_audit(args: argparse.Namespace) -> int:
    import json

    from diurna.evaluate.audit import audit_corpus, format_audit
    from diurna.pipeline import Coder

    rejected: list[Rejection] = []
    articles = _split(read_paths(args.paths, default_date=args.date, max_chars=args.max_chars), rejected)
    controls = [c.strip() for c in args.controls.split(",") if c.strip()]
    report = audit_corpus(articles, Coder(_settings(args)), controls, args.section_field)
    if args.all:
        report.listed = report.all_events
    print(json.dumps(report.as_dict(), indent=2) if args.format == "json" else format_audit(report))
    return _finish(rejected)


def _run_rejections(args: argparse.Namespace) -> int:
    from diurna.store import Store

    with Store(args.db, read_only=True) as store:
        for row in store.rejections():
            ident = f" (id {row['record_id']})" if row["record_id"] else ""
            print(terminal_safe(f"{row['rejected_at']:%Y-%m-%d %H:%M:%S}  {row['origin']}{ident}: {row['reason']}"))
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from diurna.export.files import export_events

    if not Path(args.db).exists():
        raise SystemExit(f"no diurna database at {args.db}")
    result = export_events(args.db, args.format, args.out, _event_filter(args))
    left_out = f" ({result.left_out} without coordinates left out)" if result.left_out else ""
    print(f"wrote {result.written} events to {args.out} as {args.format}{left_out}", file=sys.stderr)
    return 0

def _run_serve(args: argparse.Namespace) -> int:
    from diurna.serve import run_server

    return run_server(args.db, host=args.host, port=args.port)


def _finish(rejected: list[Rejection]) -> int:
    if rejected:
        _say(f"{_plural(len(rejected), 'record')} rejected; see the messages above "
             "(`diurna rejections` lists every quarantined record)")
        return EXIT_REJECTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
