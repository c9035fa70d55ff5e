"""Map other JSONL field names onto diurna's record fields (`--field content=maintext`).

News-crawl dumps name the same things differently: news-please writes `maintext`,
`date_publish` and `source_domain`; others use `text`, `body`, `published` or `publish_date`.
A FieldMap renames them before the record is checked, and turns the common date spellings of
those fields (RFC 2822 as in RSS-derived dumps, Unix seconds) into ISO dates.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field
from typing import Any

_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}")
TARGETS = ("id", "date", "source", "title", "content", "url")


@dataclass(frozen=True)
class FieldMap:
    """diurna field -> the input's field name, e.g. {"content": "maintext"}."""

    renames: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, options: list[str] | None) -> FieldMap:
        """From `--field TARGET=NAME` options; a ValueError says what is wrong with one."""
        renames: dict[str, str] = {}
        for option in options or []:
            target, sep, name = option.partition("=")
            target, name = target.strip(), name.strip()
            if not sep or not name:
                raise ValueError(f"--field needs TARGET=NAME (for example content=maintext), got {option!r}")
            if target not in TARGETS:
                raise ValueError(f"--field target {target!r} is not one of {', '.join(TARGETS)}")
            renames[target] = name
        return cls(renames)

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        if not self.renames:
            return record
        mapped = dict(record)
        for target, name in self.renames.items():
            if name in mapped:
                value = mapped.pop(name)
                mapped[target] = _iso_date(value) if target == "date" else value
        return mapped


def _iso_date(value: Any) -> Any:
    """ISO text is kept as is; RFC 2822 text and Unix seconds become YYYY-MM-DD (UTC day)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc).date().isoformat()
    if isinstance(value, str) and not _ISO_START.match(value.strip()):
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return value
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(dt.timezone.utc)
        return parsed.date().isoformat()
    return value
