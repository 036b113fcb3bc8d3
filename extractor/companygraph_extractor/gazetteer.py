"""Names of organisations known before an article is read, so that the
model's guess never makes a known company a person.

The list comes from the starter graph's data (`tools/starter/dump.py`:
the listed companies of twenty stock indices, from the PyPI package
pytickersymbols): each company's name and the name without its legal
suffix ("ADMA Biologics, Inc." is also "ADMA Biologics"). A name is used
only where the model reads the words as a proper noun, so "Target" the
verb and "apple" the fruit stay what they are.
"""

from __future__ import annotations

import json
import re

from .extract import ORG_SUFFIXES

_names: frozenset[str] = frozenset()


def names() -> frozenset[str]:
    return _names


def load(path: str) -> int:
    """Read the names of a starter dump (JSON) and use them from now on;
    returns how many."""
    global _names
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = set()
    for index in data.get("indices", []):
        for c in index.get("companies", []):
            for name in [c.get("name", ""), *c.get("akas", []), *c.get("aliases", [])]:
                out |= variants(name)
    _names = frozenset(n for n in out if len(n) > 2 and n[:1].isupper())
    return len(_names)


def variants(name: str) -> set[str]:
    """A name and the name without its legal suffix."""
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        return set()
    out = {name}
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].lower() in ORG_SUFFIXES:
        words.pop()
        out.add(" ".join(words))
    return out
