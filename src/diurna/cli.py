"""Command line: `diurna code`, `ingest`, `events`, `export`, `evaluate`, `audit`, `rejections`, `serve`:
thin shells over the library."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Iterator, Sequence

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

EXIT_REJECTED = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diurna", description="Turn news articles into coded political events.")
    parser.add_argument("--version", action="version", version=f"diurna {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def add_model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", default=None, help=f"spaCy pipeline (default: ${MODEL_ENV} or {DEFAULT_MODEL})")
        p.add_argument("--n-process", type=int, default=1, help="spaCy worker processes (2 on a 2-core machine for big corpora)")
        p.add_argument("--batch-size", type=int, default=64)
        p.add_argument("--date", type=dt.date.fromisoformat, default=None,
                       help="publication date for records that have none (YYYY-MM-DD); otherwise they are rejected")
        p.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="reject articles longer than this")

    code = commands.add_parser("code", help="code files and print the events (nothing is stored)")
    code.add_argument("paths", nargs="+", metavar="FILE", help=_INPUTS_HELP)
    code.add_argument("--format", choices=FORMATS, default="table")
    add_model_options(code)
    _add_input_options(code)
    code.set_defaults(run=_run_code)

    ingest = commands.add_parser("ingest", help="code files and store articles and events in DuckDB")
    ingest.add_argument("paths", nargs="+", metavar="FILE", help=_INPUTS_HELP)
    ingest.add_argument("--db", default="diurna.duckdb")
    add_model_options(ingest)
    _add_input_options(ingest)
    ingest.set_defaults(run=_run_ingest)

    events = commands.add_parser("events", help="query stored events")
    events.add_argument("--db", default="diurna.duckdb")
    _add_event_filters(events)
    events.add_argument("--format", choices=FORMATS, default="table")
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
    p.add_argument("--since", type=dt.date.fromisoformat)
    p.add_argument("--until", type=dt.date.fromisoformat)
    p.add_argument("--limit", type=int)


def _event_filter(args: argparse.Namespace):
    from diurna.store import EventFilter

    return EventFilter(actor=args.actor, source=args.source, target=args.target, plover_type=args.plover_type,
                       cameo=args.cameo, modality=args.modality, country=args.country, admin1=args.admin1,
                       bbox=args.bbox, since=args.since, until=args.until, limit=args.limit)


def _bbox(value: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in value.split(",")]
    if len(parts) != 4:
        raise argparse.ArgumentTypeError("bbox needs four numbers: min_lon,min_lat,max_lon,max_lat")
    return parts[0], parts[1], parts[2], parts[3]


def _settings(args: argparse.Namespace) -> ParserSettings:
    chosen = {"batch_size": args.batch_size, "n_process": args.n_process}
    if args.model is not None:
        chosen["model"] = args.model
    return ParserSettings(**chosen)


def _split(records: Iterator[Article | Rejection], rejected: list[Rejection]) -> Iterator[Article]:
    for record in records:
        if isinstance(record, Rejection):
            rejected.append(record)
            print(f"rejected: {record.message()}", file=sys.stderr, flush=True)
        else:
            yield record


def _run_code(args: argparse.Namespace) -> int:
    from diurna.pipeline import Coder

    rejected: list[Rejection] = []
    coder = Coder(_settings(args))
    articles = _split(_read(args), rejected)
    events = [e for coded in coder.code(articles) for e in coded.events]
    write_events(events, args.format, sys.stdout)
    return _finish(rejected)


def _run_ingest(args: argparse.Namespace) -> int:
    from diurna.pipeline import Coder, article_id_for
    from diurna.store import Store

    rejected: list[Rejection] = []
    stats = {"stored": 0, "skipped": 0, "events": 0}
    coder = Coder(_settings(args))
    with Store(args.db) as store:
        def fresh(articles: Iterator[Article]) -> Iterator[Article]:
            for article in articles:
                if store.has_article(article_id_for(article)):
                    stats["skipped"] += 1
                    progress.advance(task)
                else:
                    yield article

        columns = (TextColumn("coding"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
            task = progress.add_task("coding", total=None)
            records = _read(args)
            for coded in coder.code(fresh(_split(records, rejected))):
                if store.add(coded):
                    stats["stored"] += 1
                    stats["events"] += len(coded.events)
                else:
                    stats["skipped"] += 1
                progress.advance(task)
        for rejection in rejected:
            store.quarantine(rejection)
        totals = store.counts()
    print(f"stored {stats['stored']} new articles with {stats['events']} events; "
          f"{stats['skipped']} already stored; {len(rejected)} rejected. "
          f"{args.db} now holds {totals['articles']} articles, {totals['events']} events, "
          f"{totals['rejections']} quarantined records.", file=sys.stderr)
    return _finish(rejected)


def _run_events(args: argparse.Namespace) -> int:
    from diurna.store import Store

    with Store(args.db, read_only=True) as store:
        write_events(store.events(_event_filter(args)), args.format, sys.stdout)
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
            print(f"{row['rejected_at']:%Y-%m-%d %H:%M:%S}  {row['origin']}{ident}: {row['reason']}")
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
        print(f"{len(rejected)} record(s) rejected; see the messages above", file=sys.stderr)
        return EXIT_REJECTED
    return 0


if __name__ == "__main__":
    sys.exit(main())
