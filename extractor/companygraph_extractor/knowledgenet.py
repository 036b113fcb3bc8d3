"""Scores the extractor on KnowledgeNet's company facts (Diffbot, EMNLP
2019; CC BY-SA 4.0): real sentences, each annotated by people with every
fact it states of six properties.

Each passage is read as an article of its own, through the same language
check the service applies. A property is scored only on the passages
annotated for it; there the annotation is exhaustive, so an extracted fact
that is not in it is wrong. Recall counts the facts whose two mentions are
named (not "he", "its" or "which"); an extracted fact that matches a gold
fact with such a mention at one end is neither right nor wrong.
"""

from __future__ import annotations

import json
from collections import defaultdict

from .claims import is_ceo, rate, read, referring, same_date, same_name, type_conflicts
from .extract import english, extract

PROPERTIES = ("CEO", "EMPLOYEE_OR_MEMBER_OF", "FOUNDED_BY", "SUBSIDIARY_OF", "HEADQUARTERS", "DATE_FOUNDED")


def predictions(ex, prop: str) -> list[tuple[set, object]]:
    """What an extraction says of one property, as (subject names, object)
    in KnowledgeNet's direction; the object is names, or a date's text."""
    out = []
    for c in ex.claims:
        if c.type == "WORKS_FOR":
            if prop == "EMPLOYEE_OR_MEMBER_OF":
                out.append((c.source.names, c.target.names))
            elif prop == "CEO" and is_ceo(c.props.get("title")):
                out.append((c.target.names, c.source.names))
        elif c.type == "FOUNDED" and prop == "FOUNDED_BY":
            out.append((c.target.names, c.source.names))
        elif c.type == "OWNS" and prop == "SUBSIDIARY_OF":
            out.append((c.target.names, c.source.names))
        elif c.type == "SUBSIDIARY_OF" and prop == "SUBSIDIARY_OF":
            out.append((c.source.names, c.target.names))
    for n in ex.nodes:
        if n.type != "Company":
            continue
        if prop == "HEADQUARTERS" and n.props.get("headquarters"):
            # KnowledgeNet gives the city, the region and the country of
            # "Chennai, Tamil Nadu, India" as three facts.
            hq = n.props["headquarters"]
            out.append((n.names, {hq, *(p.strip() for p in hq.split(","))}))

        if prop == "DATE_FOUNDED" and n.props.get("founded"):
            out.append((n.names, n.props["founded"]))
    return out


def matches(prop: str, pred, subject: str, obj: str) -> bool:
    names, value = pred
    if not same_name(names, subject):
        return False
    if prop == "DATE_FOUNDED":
        return isinstance(value, str) and same_date(value, obj)
    return same_name(value, obj)


def touches(prop: str, pred, subject: str, obj: str) -> bool:
    """Whether a prediction may be a gold fact whose other end is a
    pronoun: one named end is the same."""
    names, value = pred
    if referring(subject) and not referring(obj):
        return (
            same_date(value, obj)
            if prop == "DATE_FOUNDED" and isinstance(value, str)
            else (not isinstance(value, str) and same_name(value, obj))
        )
    if referring(obj) and not referring(subject):
        return same_name(names, subject)
    return referring(obj) and referring(subject)


def load_rows(path: str) -> dict:
    """The passages, each with its text and the gold facts of each
    property it is annotated for."""
    passages: dict[tuple, dict] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            p = passages.setdefault((r["doc"], r["passageStart"]), {"text": r["text"], "props": defaultdict(list)})
            facts = p["props"][r["property"]]
            if r["subject"] is not None:
                facts.append((r["subject"], r["object"]))
    return passages


def score(nlp, path: str, limit: int | None = None) -> dict:
    passages = load_rows(path)
    keys = sorted(passages)[:limit] if limit else sorted(passages)
    per = {p: {"gold": 0, "found": 0, "extracted": 0, "right": 0, "misses": [], "wrongs": []} for p in PROPERTIES}
    refused = conflicts = 0
    for key in keys:
        p = passages[key]
        text = p["text"]
        if english(nlp, text) < 0.5:
            refused += 1
            facts = []
        else:
            facts = extract(nlp, text)
        ex = read(facts)
        conflicts += len(type_conflicts(facts))
        for prop, gold in p["props"].items():
            if prop not in per:
                continue
            s = per[prop]
            gold = list(dict.fromkeys(gold))  # a fact annotated twice is one
            named = [g for g in gold if not referring(g[0]) and not referring(g[1])]
            unnamed = [g for g in gold if g not in named]
            preds = predictions(ex, prop)
            s["gold"] += len(named)
            for g in named:
                if any(matches(prop, pr, *g) for pr in preds):
                    s["found"] += 1
                else:
                    s["misses"].append((text, g))
            for pr in preds:
                if any(matches(prop, pr, *g) for g in gold):
                    s["extracted"] += 1
                    s["right"] += 1
                elif any(touches(prop, pr, *g) for g in unnamed):
                    continue
                else:
                    s["extracted"] += 1
                    s["wrongs"].append((text, pr))
    total = {k: sum(per[p][k] for p in PROPERTIES) for k in ("gold", "found", "extracted", "right")}
    return {"passages": len(keys), "refused": refused, "conflicts": conflicts, "properties": per, "total": total}


def report(s: dict) -> str:
    lines = [
        f"## KnowledgeNet, folds 1 and 2: {s['passages']} passages, facts whose two mentions are named",
        "",
        "| property | recall [95% CI] | found | of | precision [95% CI] | right | of |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for p in PROPERTIES:
        v = s["properties"][p]
        lines.append(
            f"| {p} | {rate(v['found'], v['gold'])} | {v['found']} | {v['gold']} | "
            f"{rate(v['right'], v['extracted'])} | {v['right']} | {v['extracted']} |"
        )
    t = s["total"]
    lines.append(
        f"| all | {rate(t['found'], t['gold'])} | {t['found']} | {t['gold']} | "
        f"{rate(t['right'], t['extracted'])} | {t['right']} | {t['extracted']} |"
    )
    lines += [
        "",
        f"Passages refused as not English: {s['refused']}. Ids given two types (a person and an "
        f"organisation): {s['conflicts']}.",
    ]
    return "\n".join(lines)
