"""Precision audit on an unannotated corpus: how many events each section yields, and every
event of the control sections (sport, entertainment, ...) with its sentence, for a reader to judge.

A corpus of ordinary news has few real political events outside its politics pages, so events
per 1,000 sentences in control sections are almost all false alarms; the listing lets a reader
say which and why.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from diurna.records import Article, Event


@dataclass
class SectionCount:
    articles: int = 0
    sentences: int = 0
    events: int = 0

    @property
    def per_100_articles(self) -> float:
        return 100 * self.events / self.articles if self.articles else 0.0

    @property
    def per_1000_sentences(self) -> float:
        return 1000 * self.events / self.sentences if self.sentences else 0.0


@dataclass
class AuditReport:
    sections: dict[str, SectionCount]
    controls: tuple[str, ...]
    listed: list[tuple[str, Article, Event]] = field(default_factory=list)  # (section, article, event)
    all_events: list[tuple[str, Article, Event]] = field(default_factory=list)

    def control_rate(self) -> float:
        """Events per 100 articles over the control sections together."""
        counts = [self.sections[s] for s in self.controls if s in self.sections]
        articles = sum(c.articles for c in counts)
        return 100 * sum(c.events for c in counts) / articles if articles else 0.0

    def as_dict(self) -> dict:
        return {
            "sections": {name: {"articles": c.articles, "sentences": c.sentences, "events": c.events,
                                "events_per_100_articles": round(c.per_100_articles, 2),
                                "events_per_1000_sentences": round(c.per_1000_sentences, 2)}
                         for name, c in self.sections.items()},
            "controls": list(self.controls),
            "control_events_per_100_articles": round(self.control_rate(), 2),
            "control_events": [_listing(section, article, event) for section, article, event in self.listed],
        }


def audit_corpus(articles: Iterable[Article], coder, controls: Iterable[str] = (),
                 section_field: str = "section") -> AuditReport:
    """Code `articles` and count events per section (the article's `extra[section_field]`)."""
    controls = tuple(controls)
    sections: dict[str, SectionCount] = defaultdict(SectionCount)
    report = AuditReport(sections, controls)
    for coded in coder.code(articles):
        section = str(coded.article.extra.get(section_field) or "(none)")
        count = sections[section]
        count.articles += 1
        count.sentences += coded.n_sentences
        count.events += len(coded.events)
        for event in coded.events:
            report.all_events.append((section, coded.article, event))
            if section in controls:
                report.listed.append((section, coded.article, event))
    report.sections = dict(sorted(sections.items()))
    return report


def format_audit(report: AuditReport) -> str:
    lines = [f"{'section':<16}{'articles':>9}{'sentences':>11}{'events':>8}{'/100 art':>10}{'/1000 sent':>12}"]
    for name, c in report.sections.items():
        mark = " (control)" if name in report.controls else ""
        lines.append(f"{name:<16}{c.articles:>9}{c.sentences:>11}{c.events:>8}{c.per_100_articles:>10.1f}"
                     f"{c.per_1000_sentences:>12.1f}{mark}")
    if report.controls:
        lines.append(f"control sections: {report.control_rate():.2f} events per 100 articles")
        lines.append("")
        for section, article, event in report.listed:
            item = _listing(section, article, event)
            lines.append(f"[{section}] {article.record_id}: {item['source']} -{item['cameo']} {item['type']}-> "
                         f"{item['target']} ({item['modality']}, trigger '{item['trigger']}')")
            lines.append(f"    {item['sentence']}")
    return "\n".join(lines)


def _listing(section: str, article: Article, event: Event) -> dict:
    return {"section": section, "record_id": article.record_id, "trigger": event.trigger,
            "cameo": event.cameo_code, "type": event.plover_type, "modality": event.modality,
            "source": f"{event.source_text} [{event.source_code}]",
            "target": f"{event.target_text} [{event.target_code}]" if event.target_text else "-",
            "sentence": " ".join(event.sentence.split())}
