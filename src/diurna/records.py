"""Typed records passed between pipeline stages.

read -> Article | Rejection; clean -> CleanArticle; parse/extract -> EventMention (coding/extract.py);
resolve -> Event. Events and articles are what the store keeps and the outputs print.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from diurna.sanitize import strip_markup, web_url

Modality = Literal["occurred", "claimed", "planned", "negated", "hypothetical"]
DatePrecision = Literal["time", "day", "week", "month", "year", "article"]
GeoPrecision = Literal["place", "admin1", "country", "article"]


class Article(BaseModel):
    """One input article as read, before any cleaning."""

    model_config = ConfigDict(frozen=True)

    record_id: str = Field(description="the id given by the input, or one derived from the file")
    date: dt.date
    source: str | None = Field(None, description="outlet that published the article")
    title: str | None = None
    content: str
    url: str | None = None
    origin: str = Field(description="file:line the record came from")
    extra: dict[str, Any] = Field(default_factory=dict, description="input fields we do not model")


class Rejection(BaseModel):
    """An input record that could not be read; kept in quarantine with the reason."""

    origin: str = Field(description="file:line (or file) of the rejected record")
    record_id: str | None = None
    reason: str
    excerpt: str = Field("", description="the first 200 characters of the raw record")

    def message(self) -> str:
        ident = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.origin}{ident}: {self.reason}"


class Actor(BaseModel):
    """A resolved actor: who, from which country, in which sector."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="the words in the sentence that name the actor")
    country: str | None = Field(None, description="ISO-3 country code")
    sector: str | None = Field(None, description="GOV, MIL, REB, INS, IGO, ... (see README)")
    org: str | None = Field(None, description="organisation code for IGOs and armed groups")

    @property
    def code(self) -> str:
        """CAMEO-style composite code: country + sector + org, e.g. RUSGOV, IGOUNO, SYRINSNUS."""
        return f"{self.country or ''}{self.sector or ''}{self.org or ''}" or "---"


QuantityRole = Literal["source", "target", "object"]


class Quantity(BaseModel):
    """A count attached to an event's source, target or object, with bounds (None = open)."""

    role: QuantityRole
    low: int | None
    high: int | None
    text: str  # the words that give the number ("up to 300 Syrian soldiers")
    unit: str  # lemma of the counted noun ("soldier", "troop")


class Event(BaseModel):
    """One coded event, flat so that it maps one-to-one onto a table row and a CSV line."""

    event_id: str
    article_id: str
    record_id: str
    # evidence
    sentence: str
    sentence_start: int = Field(description="offset of the sentence in the article content")
    sentence_end: int
    trigger: str
    trigger_start: int
    trigger_end: int
    # who did what to whom
    source_text: str | None
    source_country: str | None
    source_sector: str | None
    source_org: str | None
    source_code: str | None
    target_text: str | None
    target_country: str | None
    target_sector: str | None
    target_org: str | None
    target_code: str | None
    cameo_code: str
    cameo_name: str
    cameo_root: str
    quad_class: int
    goldstein: float
    plover_type: str | None
    plover_mode: str | None
    # how sure, according to whom
    modality: Modality
    claimant_text: str | None
    claimant_country: str | None
    claimant_sector: str | None
    claimant_org: str | None
    claimant_code: str | None
    # when: event_date is the first day of the known period (a year-only mention is Jan 1 with
    # precision "year"); "article" means no usable mention, so the publication date is used
    event_date: dt.date
    date_precision: DatePrecision
    event_time: str | None = Field(None, description="HH:MM when date_precision is time")
    date_text: str | None = Field(None, description="the date mention the date comes from")
    # where
    place_text: str | None = Field(None, description="the place phrase as written, incl. features like 'M-4 highway'")
    place_name: str | None = None
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_country: str | None = None
    admin1: str | None = None
    geo_precision: GeoPrecision | None = Field(None, description="place, admin1, country, or article (the article's focus place)")
    # how many
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    fatalities_text: str | None = None
    injured_low: int | None = Field(None, description="people injured, kept apart from deaths (bounds as for fatalities)")
    injured_high: int | None = None
    injured_text: str | None = None
    quantities: list[Quantity] = Field(default_factory=list)
    # provenance
    outlet: str | None
    original_source: str | None
    url: str | None
    # how often it was reported (dedupe/events.py): a coded sentence is one mention; the store
    # merges mentions of one real-world event and keeps these counts on the event. The fields
    # above are then the event's: the first report's evidence, the most precise date and place.
    num_mentions: int = Field(1, description="sentences that report the event")
    num_articles: int = Field(1, description="distinct articles with a mention")
    num_sources: int = Field(1, description="distinct original sources (a syndicated copy is no second source)")
    first_seen: dt.date | None = Field(None, description="earliest publication date of an article that reports it")
    is_root_event: bool = Field(False, description="reported in the lead (first paragraph) of some article")
    confidence: float | None = Field(None, description="0-1: grows with independent sources, lower when only claimed or planned")

    # Every text field that comes from the input loses its markup (offsets still point into the
    # stored content, which keeps the input as it was); links are http(s) or nothing. Applied
    # whenever an Event is made, so events read from older databases are clean too.
    @field_validator("sentence", "trigger", "source_text", "target_text", "claimant_text", "date_text",
                     "place_text", "fatalities_text", "outlet", "original_source", "record_id")
    @classmethod
    def _no_markup(cls, value: str | None) -> str | None:
        return None if value is None else strip_markup(value)

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        return web_url(value)


class Mention(BaseModel):
    """One sentence reporting an event (GDELT's Mentions): where it is, who says so, how sure."""

    mention_id: str = Field(description="the coded sentence's own id (what the coder calls event_id)")
    event_id: str = Field(description="the real-world event it reports")
    article_id: str
    record_id: str
    story_id: str | None = Field(None, description="the near-duplicate group of the article")
    published: dt.date = Field(description="the article's publication date")
    outlet: str | None
    original_source: str | None = Field(None, description="the story's original source (a dateline's agency, else the first outlet)")
    url: str | None
    sentence: str
    sentence_start: int
    sentence_end: int
    trigger: str
    trigger_start: int
    trigger_end: int
    cameo_code: str
    modality: Modality
    claimant_text: str | None
    claimant_code: str | None
    in_lead: bool = Field(description="the sentence is in the article's first paragraph")
    confidence: float = Field(description="0-1 from the modality: occurred 1, claimed 0.6, planned 0.5, negated 0.3")

    @field_validator("sentence", "trigger", "claimant_text", "outlet", "original_source", "record_id")
    @classmethod
    def _no_markup(cls, value: str | None) -> str | None:
        return None if value is None else strip_markup(value)

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        return web_url(value)


class ArticleSummary(BaseModel):
    """What the store keeps about an article besides its events."""

    article_id: str
    record_id: str
    content_hash: str
    date: dt.date
    outlet: str | None
    original_source: str | None
    dateline_place: str | None
    title: str | None
    url: str | None
    origin: str
    content: str
    extra: dict[str, Any] = Field(default_factory=dict)
