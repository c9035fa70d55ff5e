"""Coder version: what decides which events an article yields, as one comparable string.

Stored with every article, so that when the lexicons, the code or the model change, `diurna
recode` can find the articles coded by an older coder and code them again.
"""
from __future__ import annotations

import hashlib
from importlib.resources import files


def lexicon_digest() -> str:
    """SHA-256 over every lexicon file's name and bytes, in name order (first 12 hex)."""
    digest = hashlib.sha256()
    folder = files("diurna") / "lexicons"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".tsv"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def coder_version(model: str) -> str:
    """`diurna <package version> lexicons <digest> model <name>`."""
    from diurna import __version__

    return f"diurna {__version__} lexicons {lexicon_digest()} model {model}"
