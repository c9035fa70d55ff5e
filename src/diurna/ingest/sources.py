"""Where input comes from: files, folders, compressed files, zip and tar bundles, standard
input (`-`) and http(s) URLs, all turned into `InputFile`s that the read stage parses.

An InputFile offers the part of `pathlib.Path` the readers use (`open("rb")`, `read_bytes()`,
`suffix`, `stem`, `str()`), so a JSONL line inside `dump.tar.gz` is read by the same code as one
on disk, and its origin says where it was: `dump.tar.gz!2020/articles.jsonl:3`. Compressed
streams are decompressed while they are read, so `zcat big.jsonl.gz | diurna ingest -` never
holds the dump in memory.
"""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import socket
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Iterator

from diurna.records import Rejection

DOCUMENT_SUFFIXES = (".jsonl", ".ndjson", ".txt", ".html", ".htm", ".xml", ".rss", ".atom")
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
BUNDLE_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz")
STDIN = "-"
URL_TIMEOUT_SECONDS = 20.0
URL_MAX_BYTES = 20_000_000  # a news page or feed is well under 1 MB; bigger is a dump, download it first

# What a damaged compressed stream, a broken bundle or a dropped connection raises while read.
READ_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, tarfile.TarError, zipfile.BadZipFile)


@dataclass(frozen=True)
class InputFile:
    """One input document that need not be a file on disk (an archive member, a decompressed
    stream, standard input, a downloaded page), readable like a Path."""

    label: str  # what messages and origins call it
    name: str  # the name whose suffix says the format (compression suffixes removed)
    opener: Callable[[], BinaryIO]

    def open(self, mode: str = "rb") -> BinaryIO:
        if mode != "rb":
            raise ValueError("inputs are opened as bytes ('rb')")
        return self.opener()

    def read_bytes(self) -> bytes:
        with self.open() as handle:
            return handle.read()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix

    @property
    def stem(self) -> str:
        return PurePosixPath(self.name).stem

    def __str__(self) -> str:
        return self.label


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def expand_inputs(
    paths: Iterable[str | Path], *, timeout: float = URL_TIMEOUT_SECONDS, max_bytes: int = URL_MAX_BYTES,
) -> Iterator[Path | InputFile | Rejection]:
    """Every readable document in the given paths, folders, bundles, URLs and `-` (stdin), in
    order (folders and bundles in name order); a Rejection for each that cannot be opened."""
    for given in paths:
        text = str(given)
        if text == STDIN:
            try:
                stdin = _stdin_input()
            except READ_ERRORS as err:
                yield Rejection(origin="<stdin>", reason=f"unreadable input: {describe_error(err)}")
                continue
            yield from _expand(stdin)
        elif is_url(text):
            fetched = fetch_url(text, timeout=timeout, max_bytes=max_bytes)
            if isinstance(fetched, Rejection):
                yield fetched
            else:
                yield from _expand(fetched)
        else:
            path = Path(given)
            if path.is_dir():
                for file in sorted(p for p in path.rglob("*") if p.is_file() and _kind(p.name) is not None):
                    yield from _expand(file)
            elif path.is_file():
                yield from _expand(path)
            else:
                yield Rejection(origin=text, reason="no such file or folder")


def _kind(name: str) -> str | None:
    """'document', 'compressed', 'bundle' or None (not an input diurna reads)."""
    lower = name.lower()
    if lower.endswith(BUNDLE_SUFFIXES):
        return "bundle"
    suffix = PurePosixPath(lower).suffix
    if suffix in COMPRESSED_SUFFIXES:
        return "compressed"
    if suffix in DOCUMENT_SUFFIXES:
        return "document"
    return None


def _expand(item: Path | InputFile) -> Iterator[Path | InputFile | Rejection]:
    """Unwrap compression and bundles until documents remain."""
    name = item.name
    kind = _kind(name)
    if kind == "bundle":
        try:
            yield from _bundle_members(item)
        except READ_ERRORS as err:
            yield Rejection(origin=str(item), reason=f"unreadable archive: {describe_error(err)}")
    elif kind == "compressed":
        suffix = PurePosixPath(name.lower()).suffix
        decompress = COMPRESSED_SUFFIXES[suffix]
        inner = name[: -len(suffix)]
        # A Path is opened by name so that closing the stream closes the file too.
        source = item if isinstance(item, Path) else None
        opener = (lambda: decompress(source)) if source else (lambda: decompress(item.open("rb")))
        if _kind(inner) is None:  # "download.gz": the content says what it is
            try:
                with opener() as stream:
                    inner += _sniff_suffix(stream.read(4096))
            except READ_ERRORS as err:
                yield Rejection(origin=str(item), reason=f"unreadable input: {describe_error(err)}")
                return
        yield from _expand(InputFile(label=str(item), name=inner, opener=opener))
    else:
        # Unknown suffixes are passed on so that the read stage can name them in its rejection.
        yield item


def _bundle_members(bundle: Path | InputFile) -> Iterator[Path | InputFile | Rejection]:
    if bundle.name.lower().endswith(".zip"):
        with _seekable(bundle) as handle, zipfile.ZipFile(handle) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.is_dir() or _kind(info.filename) is None:
                    continue
                member = InputFile(label=f"{bundle}!{info.filename}", name=info.filename,
                                   opener=lambda info=info: archive.open(info))
                yield from _expand(member)
        return
    # Tar is read as a stream (members in archive order): a member's data is readable until
    # the next member is asked for, which is how the read stage consumes them.
    with bundle.open("rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as archive:
        for info in archive:
            if not info.isfile() or _kind(info.name) is None:
                continue
            member = InputFile(label=f"{bundle}!{info.name}", name=info.name,
                               opener=lambda info=info: archive.extractfile(info))
            yield from _expand(member)


def _seekable(item: Path | InputFile) -> BinaryIO:
    """Zip needs random access: a file on disk is used as is, a stream is spooled first."""
    if isinstance(item, Path):
        return item.open("rb")
    spool = tempfile.SpooledTemporaryFile(max_size=64_000_000)
    with item.open("rb") as source:
        shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool


def _stdin_input() -> InputFile:
    """Standard input, its format sniffed from the first bytes (it has no file name);
    a compressed stream is decompressed and sniffed again."""
    stream: BinaryIO = sys.stdin.buffer
    suffix = _sniff_suffix(_peek(stream))
    if suffix in COMPRESSED_SUFFIXES:
        stream = io.BufferedReader(COMPRESSED_SUFFIXES[suffix](stream))
        suffix = _sniff_suffix(_peek(stream))
    return InputFile(label="<stdin>", name="stdin" + suffix, opener=lambda: _Unclosed(stream))


def _peek(stream: BinaryIO) -> bytes:
    return stream.peek(4096)[:4096] if hasattr(stream, "peek") else b""


_MAGIC = ((b"\x1f\x8b", ".gz"), (b"BZh", ".bz2"), (b"\xfd7zXZ\x00", ".xz"), (b"PK\x03\x04", ".zip"))


def _sniff_suffix(head: bytes) -> str:
    for magic, suffix in _MAGIC:
        if head.startswith(magic):
            return suffix
    if len(head) > 262 and head[257:262] == b"ustar":
        return ".tar"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"{"):
        return ".jsonl"
    if text.startswith(b"<"):
        return ".xml" if any(tag in text for tag in (b"<rss", b"<feed", b"<rdf:rdf")) else ".html"
    return ".txt"


class _Unclosed:
    """Standard input for one `with` block, which must not close the process's stdin."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readline(self, size: int = -1) -> bytes:
        return self._stream.readline(size)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def __enter__(self) -> _Unclosed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def close(self) -> None:
        pass


def fetch_url(url: str, *, timeout: float = URL_TIMEOUT_SECONDS, max_bytes: int = URL_MAX_BYTES) -> InputFile | Rejection:
    """Download one page, feed or dump named on the command line (no other run-time fetching
    happens). The format comes from the URL's file name, else from the Content-Type."""
    request = urllib.request.Request(url, headers={"User-Agent": "diurna (news event coder)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                return Rejection(origin=url, reason=f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})")
            body = response.read(max_bytes + 1)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as err:
        return Rejection(origin=url, reason=f"HTTP error {err.code} {err.reason}")
    except (TimeoutError, socket.timeout):
        return Rejection(origin=url, reason=f"timed out after {timeout:g} s")
    except urllib.error.URLError as err:
        if isinstance(err.reason, (TimeoutError, socket.timeout)):
            return Rejection(origin=url, reason=f"timed out after {timeout:g} s")
        return Rejection(origin=url, reason=f"could not fetch: {err.reason}")
    except (OSError, ValueError) as err:
        return Rejection(origin=url, reason=f"could not fetch: {describe_error(err)}")
    if len(body) > max_bytes:
        return Rejection(origin=url, reason=f"too large (over {max_bytes:,} bytes, the limit)")
    path_name = PurePosixPath(urllib.parse.urlsplit(url).path).name
    if _kind(path_name) is None:
        path_name = (path_name or "page") + _content_type_suffix(content_type, body)
    return InputFile(label=url, name=path_name, opener=lambda: io.BytesIO(body))


def _content_type_suffix(content_type: str, body: bytes) -> str:
    if content_type in ("application/rss+xml", "application/atom+xml", "application/rdf+xml"):
        return ".xml"
    if content_type in ("application/x-ndjson", "application/jsonl", "application/json"):
        return ".jsonl"
    if content_type == "text/plain":
        return ".txt"
    return _sniff_suffix(body[:4096])


def describe_error(err: BaseException) -> str:
    """A one-line reason for a read error, naming what went wrong in the data."""
    if isinstance(err, gzip.BadGzipFile):
        return f"corrupt gzip data ({err})"
    if isinstance(err, EOFError):
        return f"truncated compressed data ({err})"
    if isinstance(err, (zlib.error, lzma.LZMAError)):
        return f"corrupt compressed data ({err})"
    text = str(err) or type(err).__name__
    return text.splitlines()[0]
