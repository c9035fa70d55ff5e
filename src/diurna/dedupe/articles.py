"""Dedupe stage (articles): near-duplicate articles, syndicated copies, one story.

Exact copies are one article already (the article id is a hash of the content). A re-scraped
copy with another byline, trimmed boilerplate, a changed headline or an added paragraph is a
near-duplicate: MinHash signatures (datasketch) over word shingles of the cleaned text, with
locality-sensitive hashing in bands so that a lookup touches only the few articles that share
a band. The band keys and signatures are rows of the database (see store/database.py), so the
index persists with it and costs no memory between runs. An article's fingerprint (signature
and band keys) is computed where it is coded, in a worker, so the one writer only looks up and
inserts.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH

if TYPE_CHECKING:
    from diurna.ingest.clean import CleanArticle

SHINGLE_WORDS = 5  # one changed word changes at most five shingles
NUM_PERM = 64  # signature length: the Jaccard estimate's error is about 0.06
THRESHOLD = 0.5  # estimated Jaccard from which two texts are one story (tuned in tests/test_dedupe.py)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Signature:
    hashvalues: np.ndarray  # NUM_PERM unsigned 64-bit minima

    def to_bytes(self) -> bytes:
        return self.hashvalues.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        return cls(np.frombuffer(data, dtype="<u8").astype(np.uint64))

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


@dataclass(frozen=True)
class Fingerprint:
    """What the story index needs of an article: its signature and that signature's band keys."""

    signature: Signature
    band_keys: tuple[int, ...]


class StoryIndex:
    """The LSH parameters (datasketch picks bands x rows for the threshold) and the band keys."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM):
        self.threshold = threshold
        self.num_perm = num_perm
        self.hashranges = MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges
        self._template = MinHash(num_perm=num_perm)

    def signature(self, text: str) -> Signature | None:
        """None for a text too short to have a shingle (it stays its own story). Each MinHash
        reuses the template's permutations (the same ones: same seed), which it would otherwise
        draw again for every text."""
        shingles = shingles_of(text)
        if not shingles:
            return None
        minhash = MinHash(num_perm=self.num_perm, permutations=self._template.permutations, scheme=self._template.scheme)
        minhash.update_batch(shingles)
        return Signature(minhash.hashvalues)

    def fingerprint(self, text: str) -> Fingerprint | None:
        signature = self.signature(text)
        return Fingerprint(signature, tuple(self.band_keys(signature))) if signature is not None else None

    def band_keys(self, signature: Signature) -> list[int]:
        """One signed 64-bit key per band: two texts that agree on a whole band share its key."""
        keys = []
        for band, (start, end) in enumerate(self.hashranges):
            digest = hashlib.blake2b(band.to_bytes(2, "little") + signature.hashvalues[start:end].astype("<u8").tobytes(),
                                     digest_size=8).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
        return keys

    def best_match(self, signature: Signature, candidates: Iterable[tuple[str, Signature]]) -> str | None:
        """The candidate most like `signature`, if it reaches the threshold."""
        scored = [(signature.similarity(other), key) for key, other in candidates]
        scored = [(score, key) for score, key in scored if score >= self.threshold]
        return max(scored, key=lambda s: (s[0], s[1]))[1] if scored else None


STORIES = StoryIndex()  # the one index: the coder fingerprints with it, the store files by it


def shingles_of(text: str, size: int = SHINGLE_WORDS) -> list[bytes]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return [" ".join(words).encode()] if words else []
    return list({" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)})


def cleaned_text(cleaned: CleanArticle) -> str:
    """The text that is compared: the cleaned paragraphs (no dateline, embeds or link lines)."""
    return "\n".join(p.text for p in cleaned.paragraphs)


def lead_end(cleaned: CleanArticle) -> int:
    """Where the article's first paragraph ends, as an offset into its content."""
    if not cleaned.paragraphs:
        return 0
    first = cleaned.paragraphs[0]
    return first.to_original(max(0, len(first.text) - 1)) + 1
