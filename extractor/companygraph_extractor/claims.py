"""What an extraction claims, in a form gold data can be compared with.

The extractor answers facts as the API's FactInput (entities by id,
relationships between ids, events with their participants). A gold set
names things as a text writes them. This module turns the facts into
claims between sets of names, and says when a name of the text is one of
those names, so the scorers of the seed, the news set and KnowledgeNet all
compare the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from .extract import ORG_SUFFIXES

ENTITY_KEYS = {
    "company": "Company",
    "executive": "Executive",
    "event": "Event",
    "market": "Market",
    "product": "Product",
    "partner": "Partner",
}

# Words that refer to a name without being one: a fact whose end is one of
# them is not a fact between named mentions.
REFERRING = {
    "he",
    "she",
    "it",
    "they",
    "his",
    "her",
    "its",
    "their",
    "him",
    "them",
    "we",
    "our",
    "my",
    "us",
    "i",
    "itself",
    "who",
    "whom",
    "whose",
    "which",
    "that",
    "where",
    "you",
    "your",
    "me",
}

# Titles as people write them short and long; a title is compared by its
# words after these are expanded.
TITLE_ABBREVIATIONS = {
    "ceo": "chief executive officer",
    "cfo": "chief financial officer",
    "coo": "chief operating officer",
    "cto": "chief technology officer",
    "cmo": "chief marketing officer",
    "cio": "chief information officer",
    "vp": "vice president",
    "svp": "senior vice president",
    "evp": "executive vice president",
    "md": "managing director",
    "chairman": "chair",
    "chairwoman": "chair",
    "chairperson": "chair",
    "co-founder": "cofounder",
    "co founder": "cofounder",
}


def fold(text: str) -> str:
    """A name as names are compared: ascii, lower case, no quotes, no
    leading "the", no possessive, single spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[\"\u201c\u201d\u2018\u2019`]", "", text)
    text = re.sub(r"'s?$", "", text.strip())
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"[^a-z0-9&.+-]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .,")


def core(text: str) -> str:
    """A folded organisation name without its legal suffix ("Walmart Inc."
    is Walmart)."""
    words = fold(text).split()
    while len(words) > 1 and (words[-1] in ORG_SUFFIXES or words[-1].rstrip(".") in ORG_SUFFIXES):
        words.pop()
    return " ".join(words)


def same_name(names, mention: str) -> bool:
    """Whether a mention of a text names one of names: equal once folded,
    equal without a legal suffix, or one the other's words at the start or
    end ("John M. Starcher, Jr" and "John M. Starcher", "Seattle,
    Washington" and "Seattle")."""
    m = core(mention)
    if not m:
        return False
    for n in names:
        c = core(n)
        if not c:
            continue
        if c == m:
            return True
        a, b = (c, m) if len(c) < len(m) else (m, c)
        if len(a) >= 3 and (b.startswith(a + " ") or b.endswith(" " + a)):
            return True
    return False


def referring(mention: str) -> bool:
    """Whether a gold mention is a pronoun or relative word, not a name."""
    return fold(mention) in REFERRING or mention.strip().lower() in REFERRING


YEAR = re.compile(r"\b(1[5-9][0-9]{2}|20[0-9]{2})\b")


def same_date(said: str, gold: str) -> bool:
    """Whether a date as extracted is the gold one: the same year, and the
    same month where both give one."""
    ys, yg = set(YEAR.findall(said)), set(YEAR.findall(gold))
    if not ys or not yg or not ys & yg:
        return False
    months = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    ms, mg = set(re.findall(months, said.lower())), set(re.findall(months, gold.lower()))
    return not ms or not mg or bool(ms & mg)


def title_words(title: str | None) -> frozenset:
    """The words of a title, abbreviations expanded, for comparing titles
    worded differently ("CEO" and "chief executive officer")."""
    if not title:
        return frozenset()
    t = fold(title).replace("-", " ").replace("co founder", "cofounder")
    words = []
    for w in re.split(r"[\s,/&]+", t):
        w = w.strip(".")
        if not w or w in ("and", "of", "the", "a", "an"):
            continue
        if (
            len(w) > 4
            and w.endswith("s")
            and not w.endswith("ss")
            and w not in ("sales", "operations", "affairs", "relations")
        ):
            w = w[:-1]  # "co-founders" is one co-founder's title
        words.extend(TITLE_ABBREVIATIONS.get(w, w).split())
    return frozenset(words)


def same_title(said: str | None, gold: str | None) -> bool:
    """Whether a title as extracted is the gold one: the same words, or
    one within the other and at least half of it ("Vice President" for
    "Global Vice President", not "President" for "President and CEO")."""
    a, b = title_words(said), title_words(gold)
    if not a or not b:
        return False
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return small <= big and 2 * len(small) >= len(big)


def is_ceo(title: str | None) -> bool:
    w = title_words(title)
    return {"chief", "executive", "officer"} <= w or {"chief", "executive"} <= w


@dataclass
class Node:
    type: str  # Company, Executive, ... (Partner read as Company)
    id: str
    names: set[str]
    props: dict = field(default_factory=dict)


@dataclass
class Claim:
    """One claim between named things: a relationship (type from the
    graph's words), or an event's participant in a role."""

    type: str
    source: Node
    target: Node | None
    props: dict = field(default_factory=dict)


@dataclass
class Extraction:
    nodes: list[Node]
    claims: list[Claim]
    events: list[tuple[Node, list[tuple[str, Node]]]]  # each event with (role, participant)
    sentences: list[str]


def read(facts: list[dict]) -> Extraction:
    """The extractor's facts as nodes, claims and events."""
    nodes: dict[tuple[str, str], Node] = {}
    by_id: dict[str, list[Node]] = {}
    sentences = []
    rels = []
    for f in facts:
        sentences.extend(f.get("sentences", []))
        if "relationship" in f:
            rels.append(f)
            continue
        key = next(k for k in f if k in ENTITY_KEYS)
        body = f[key]
        typ = ENTITY_KEYS[key]
        if typ == "Partner":
            typ = "Company"
        props = {k: v for k, v in body.items() if k not in ("id", "name", "aliases")}
        # A ticker names the company too ("MANH" for Manhattan Associates).
        extra = {body["ticker"]} if body.get("ticker") else set()
        n = nodes.get((typ, body["id"]))
        if n is None:
            n = Node(typ, body["id"], {body.get("name", body["id"])} | set(body.get("aliases", [])) | extra, props)
            nodes[(typ, body["id"])] = n
            by_id.setdefault(body["id"], []).append(n)
        else:
            n.props.update(props)

    def node(fid, ftype):
        ftype = "Company" if ftype == "Partner" else ftype
        return nodes.get((ftype, fid)) or next(iter(by_id.get(fid, [])), None)

    claims, parts = [], {}
    for f in rels:
        r = f["relationship"]
        a, b = node(r["from"], f.get("fromType")), node(r["to"], f.get("toType"))
        if a is None or b is None:
            continue
        props = {k: v for k, v in r.items() if k not in ("type", "from", "to")}
        if r["type"] == "PARTICIPATED_IN" and b.type == "Event":
            parts.setdefault(b.id, []).append((props.get("role") or "", a))
        else:
            claims.append(Claim(r["type"], a, b, props))
    events = [(n, parts.get(n.id, [])) for n in nodes.values() if n.type == "Event"]
    return Extraction(list(nodes.values()), claims, events, sentences)


def type_conflicts(facts: list[dict]) -> list[str]:
    """Ids an extraction gives under two types that cannot be one node (a
    person and an organisation): the graph would refuse the second."""
    types: dict[str, set[str]] = {}
    for f in facts:
        key = next((k for k in f if k in ENTITY_KEYS), None)
        if key is not None and key != "event":
            types.setdefault(f[key]["id"], set()).add("org" if key in ("company", "partner", "product") else key)
    return sorted(i for i, t in types.items() if len(t) > 1)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def rate(k: int, n: int) -> str:
    """k of n as a score with its 95% interval."""
    if n == 0:
        return "n/a"
    lo, hi = wilson(k, n)
    return f"{k / n:.2f} [{lo:.2f}, {hi:.2f}]"
