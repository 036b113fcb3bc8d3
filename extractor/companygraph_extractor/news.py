"""Scores the extractor on the news dev set (extractor/testdata/news/):
real articles from public news pages, each with facts written by hand
(README.md there says how).

An extracted entity is right when a gold entity of its type (a Partner is
a Company) has one of its names; a name the gold calls neutral counts
neither way, and neither does a kind of product ("smartphones"), which
the set does not annotate. A relationship is right when its type and both ends are; an
event's participant is right when a gold event of the same kind has that
name in that role. A title is right when its words are the gold's
(abbreviations expanded), a figure when an extracted event of the gold
event's kind states it within 1%.
"""

from __future__ import annotations

import json
import pathlib
from collections import Counter

from .claims import rate, read, same_name, same_title, type_conflicts
from .extract import english, extract

RELATIONSHIPS = (
    "WORKS_FOR",
    "FOUNDED",
    "OWNS",
    "HEADQUARTERED_IN",
    "IN_MARKET",
    "PARTNERED_WITH",
    "HAS_PRODUCT",
    "INVESTED_IN",
)
# Roles as the extractor and the gold may word them.
ROLES = {
    "buyer": "acquirer",
    "purchaser": "acquirer",
    "acquiree": "target",
    "fundraiser": "investee",
    "funded": "investee",
    "raiser": "investee",
    "entrant": "entrant",
    "launcher": "launcher",
    "appointee": "appointee",
    "departing": "departing",
    "issuer": "issuer",
    "employer": "employer",
}
FIGURES = {
    "amount": "amount",
    "amountUsd": "amount",
    "valuation": "valuation",
    "valuationUsd": "valuation",
    "stakePercent": "stakePercent",
    "pricePerShare": "pricePerShare",
    "headcount": "headcount",
    "sharePercent": "sharePercent",
    "sharesOffered": "sharesOffered",
    "unitsSold": "unitsSold",
}
# Event kinds that are one kind for scoring: a startup's round is a
# FUNDING to it and an INVESTMENT by each investor.
KINDS = {"INVESTMENT": "FUNDING"}


def role(r: str) -> str:
    r = (r or "").lower()
    return ROLES.get(r, r)


def kind(k: str) -> str:
    return KINDS.get(k, k)


def close(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 0.01 * max(abs(b), 1e-9)


def score_article(nlp, gold: dict) -> dict:
    text = gold["text"]
    refused = english(nlp, text) < 0.5
    facts = [] if refused else extract(nlp, text, gold.get("title"))
    ex = read(facts)
    names = {e["name"]: {e["name"], *e.get("aliases", [])} for e in gold["entities"]}
    types = {e["name"]: e["type"] for e in gold["entities"]}
    neutral = set(gold.get("neutral", []))
    out = Counter()
    misses, wrongs = [], []

    # Entities.
    found = set()
    for n in ex.nodes:
        # Kinds of products ("smartphones") are not annotated in the news set.
        if n.type == "Event" or (n.type == "Product" and str(n.props.get("kind", "")).endswith("category")):
            continue
        hit = [g for g in names if types[g] == n.type and any(same_name(names[g], x) for x in n.names)]
        if hit:
            out["entities right"] += 1
            found.update(hit)
        elif any(same_name(n.names, x) for x in neutral) or any(
            any(same_name(names[g], x) for x in n.names) for g in names if types[g] == "Market" and n.type == "Company"
        ):
            continue
        else:
            wrongs.append(f"entity {n.type}:{sorted(n.names)[0]}")
        out["entities extracted"] += 1
    out["entities gold"] += len(names)
    out["entities found"] += len(found)
    misses += [f"entity {types[g]}:{g}" for g in names if g not in found]

    # Relationships, by type.
    gold_rels = []
    for r in gold["relationships"]:
        t, a, b = r["type"], r["from"], r["to"]
        if t == "SUBSIDIARY_OF":
            t, a, b = "OWNS", b, a
        gold_rels.append((t, a, b, r))
    mine = []
    for c in ex.claims:
        if c.type in RELATIONSHIPS:
            mine.append((c.type, c.source.names, c.target.names, c.props))
    for n in ex.nodes:
        # The gold reads "Japan's SoftBank" as a headquarters in Japan; the
        # extractor as the country the company comes from.
        for key in ("headquarters", "country"):
            if n.type == "Company" and n.props.get(key):
                mine.append(("HEADQUARTERED_IN", n.names, {n.props[key]}, {}))

    def ends(g, side):
        return names.get(g, {g}) if side in names or True else {g}

    def same(m, g):
        t, a, b, _ = m
        gt, ga, gb, _ = g
        if t != gt:
            return False
        if any(same_name(a, x) for x in ends(ga, ga)) and any(same_name(b, x) for x in ends(gb, gb)):
            return True
        return (
            t == "PARTNERED_WITH"
            and any(same_name(b, x) for x in ends(ga, ga))
            and any(same_name(a, x) for x in ends(gb, gb))
        )

    for g in gold_rels:
        out[f"{g[0]} gold"] += 1
        hit = [m for m in mine if same(m, g)]
        if hit:
            out[f"{g[0]} found"] += 1
            if g[0] == "WORKS_FOR" and g[3].get("title"):
                out["titles right"] += any(same_title(m[3].get("title"), g[3]["title"]) for m in hit)
        else:
            misses.append(f"{g[0]} {g[1]} -> {g[2]}")
        if g[0] == "WORKS_FOR" and g[3].get("title"):
            out["titles gold"] += 1
    for m in mine:
        out[f"{m[0]} extracted"] += 1
        if any(same(m, g) for g in gold_rels):
            out[f"{m[0]} right"] += 1
        else:
            wrongs.append(f"{m[0]} {sorted(m[1])[0]} -> {sorted(m[2])[0]}")

    # Events: each participant in its role, and the figures.
    gold_parts = [
        (kind(ev["kind"]), role(r), n)
        for ev in gold["events"]
        for r, ns in ev["roles"].items()
        for n in ns
        if n in names
    ]
    my_parts = [(kind(ev.props.get("kind", "")), role(r), p) for ev, parts in ex.events for r, p in parts]
    for k, r, n in gold_parts:
        out["participants gold"] += 1
        if any(mk == k and mr == r and any(same_name(p.names, x) for x in names[n]) for mk, mr, p in my_parts):
            out["participants found"] += 1
        else:
            misses.append(f"{k} {r} {n}")
    for mk, mr, p in my_parts:
        out["participants extracted"] += 1
        if any(mk == k and mr == r and any(same_name(p.names, x) for x in names[n]) for k, r, n in gold_parts):
            out["participants right"] += 1
        else:
            wrongs.append(f"{mk} {mr} {sorted(p.names)[0]}")
    for ev in gold["events"]:
        for key, value in ev.get("figures", {}).items():
            if key == "currency" or not isinstance(value, (int, float)):
                continue
            out["figures gold"] += 1
            hit = any(
                kind(e.props.get("kind", "")) == kind(ev["kind"]) and FIGURES.get(k) == key and close(v, value)
                for e, _ in ex.events
                for k, v in e.props.items()
            )
            out["figures right"] += hit
            if not hit:
                misses.append(f"figure {ev['kind']} {key}={value}")

    # Each figure extracted is right when a gold event of its kind states it.
    for e, _ in ex.events:
        for k, v in e.props.items():
            if k not in FIGURES or not isinstance(v, (int, float)):
                continue
            out["figures extracted"] += 1
            out["figures correct"] += any(
                kind(ev["kind"]) == kind(e.props.get("kind", "")) and close(v, gv) and FIGURES[k] == gk
                for ev in gold["events"]
                for gk, gv in ev.get("figures", {}).items()
            )

    out["sentences"] += len(ex.sentences)
    out["not verbatim"] += sum(1 for s in ex.sentences if s not in text)
    out["refused"] += refused
    out["type conflicts"] += len(type_conflicts(facts))
    return {"counts": out, "misses": misses, "wrongs": wrongs}


def score(nlp, folder: str) -> dict:
    total = Counter()
    articles = {}
    for path in sorted(pathlib.Path(folder).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        s = score_article(nlp, gold)
        total.update(s["counts"])
        articles[path.name] = s
    return {"articles": articles, "total": total}


def report(s: dict) -> str:
    t = s["total"]
    rel_gold = sum(t[f"{r} gold"] for r in RELATIONSHIPS) + t["participants gold"]
    rel_found = sum(t[f"{r} found"] for r in RELATIONSHIPS) + t["participants found"]
    rel_ext = sum(t[f"{r} extracted"] for r in RELATIONSHIPS) + t["participants extracted"]
    rel_right = sum(t[f"{r} right"] for r in RELATIONSHIPS) + t["participants right"]
    lines = [
        f"## News dev set: {len(s['articles'])} articles",
        "",
        "| kind | recall [95% CI] | found | of | precision [95% CI] | right | of |",
        "|---|--:|--:|--:|--:|--:|--:|",
        f"| entities | {rate(t['entities found'], t['entities gold'])} | {t['entities found']} | {t['entities gold']} | "
        f"{rate(t['entities right'], t['entities extracted'])} | {t['entities right']} | {t['entities extracted']} |",
    ]
    for r in RELATIONSHIPS:
        lines.append(
            f"| {r} | {rate(t[f'{r} found'], t[f'{r} gold'])} | {t[f'{r} found']} | {t[f'{r} gold']} | "
            f"{rate(t[f'{r} right'], t[f'{r} extracted'])} | {t[f'{r} right']} | {t[f'{r} extracted']} |"
        )
    lines += [
        f"| event participants | {rate(t['participants found'], t['participants gold'])} | {t['participants found']} | "
        f"{t['participants gold']} | {rate(t['participants right'], t['participants extracted'])} | "
        f"{t['participants right']} | {t['participants extracted']} |",
        f"| all relationships | {rate(rel_found, rel_gold)} | {rel_found} | {rel_gold} | {rate(rel_right, rel_ext)} | {rel_right} | {rel_ext} |",
        "",
        "| measure | right | of | score |",
        "|---|--:|--:|--:|",
        f"| titles found | {t['titles right']} | {t['titles gold']} | {rate(t['titles right'], t['titles gold'])} |",
        f"| figures found | {t['figures right']} | {t['figures gold']} | {rate(t['figures right'], t['figures gold'])} |",
        f"| figures right | {t['figures correct']} | {t['figures extracted']} | {rate(t['figures correct'], t['figures extracted'])} |",
        f"| sentences not word for word | {t['not verbatim']} | {t['sentences']} | |",
        f"| articles refused | {t['refused']} | {len(s['articles'])} | |",
        f"| ids given two types (a person and an organisation) | {t['type conflicts']} | | |",
    ]
    return "\n".join(lines)
