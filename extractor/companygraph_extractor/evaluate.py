"""Scores the extractor on text whose facts were written by hand.

    python -m companygraph_extractor.evaluate --seed seed/*.json \
        --news extractor/testdata/news --knowledgenet dev-folds-1-2.jsonl

Three sets: the seed article (its hand-made facts in seed/), the news dev
set (news.py) and KnowledgeNet (knowledgenet.py). For the seed, an extracted entity is the gold
one of its type with its name or one of its aliases; an extracted event is
the gold event of its kind with the most relationships to the same
entities. A relationship is right when its type and both ends are. The
report gives recall and precision of entities and relationships, the
titles (WORKS_FOR) and figures (the events' numbers) that are right, and
the sentences that are not word for word in the article.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from . import gazetteer, knowledgenet, news
from .claims import ENTITY_KEYS
from .extract import extract, norm
from .model import load

TYPES = ENTITY_KEYS
FIGURES = ("amountUsd", "valuationUsd", "unitsSold", "stakePercent", "amount", "pricePerShare", "valuation")


def score(gold: dict, facts: list[dict], text: str) -> dict:
    gold_nodes = {f"{n['label']}:{n['id']}": n for n in gold["nodes"]}
    ents, rels = [], []
    for f in facts:
        if "relationship" in f:
            rels.append(f)
        else:
            key = next(k for k in f if k in TYPES)
            ents.append((TYPES[key], f[key]))

    def names(props):
        return {norm(props.get("name", ""))} | {norm(a) for a in props.get("aliases", [])}

    # Entities other than events, by type and name or alias.
    align: dict[tuple[str, str], str] = {}
    for typ, e in ents:
        if typ == "Event":
            continue
        for key, n in gold_nodes.items():
            if n["label"] == typ and names(e) & names(n["properties"]) and key not in align.values():
                align[(typ, e["id"])] = key
                break

    # Events, by kind and the entities they are related to.
    def neighbours(ref, edges):
        out = set()
        for r in edges:
            a, b, t = r
            if a == ref:
                out.add((t, b))
            if b == ref:
                out.add((t, a))
        return out

    gold_edges = [(r["from"], r["to"], r["type"]) for r in gold["relationships"]]
    mapped = []
    for f in rels:
        r = f["relationship"]
        mapped.append(((f["fromType"], r["from"]), (f["toType"], r["to"]), r["type"]))

    def ref(x):
        return align.get(x, f"?{x[0]}:{x[1]}")

    for typ, e in ents:
        if typ != "Event":
            continue
        mine = neighbours(("Event", e["id"]), mapped)
        mine = {(t, ref(o)) for t, o in mine}
        best, best_n = None, 0
        for key, n in gold_nodes.items():
            if n["label"] != "Event" or n["properties"].get("kind") != e.get("kind") or key in align.values():
                continue
            shared = len(mine & neighbours(key, gold_edges))
            if shared > best_n:
                best, best_n = key, shared
        if best is not None:
            align[("Event", e["id"])] = best

    found_gold = set(align.values())
    entity = {
        "gold": len(gold_nodes),
        "extracted": len(ents),
        "right": len(found_gold),
        "recall": len(found_gold) / len(gold_nodes),
        "precision": len(align) / max(len(ents), 1),
        "missed": sorted(set(gold_nodes) - found_gold),
        "wrong": sorted(f"{t}:{e['id']}" for t, e in ents if (t, e["id"]) not in align),
    }

    remaining = list(gold_edges)
    right, wrong, titles, titles_right = 0, [], 0, 0
    gold_props = {}
    for r in gold["relationships"]:
        gold_props.setdefault((r["from"], r["to"], r["type"]), []).append(r.get("properties", {}))
    for (a, b, t), f in zip(mapped, rels, strict=True):
        edge = (ref(a), ref(b), t)
        if edge in remaining:
            remaining.remove(edge)
            right += 1
            if t == "WORKS_FOR":
                titles += 1
                want = {p.get("title") for p in gold_props[edge]}
                titles_right += f["relationship"].get("title") in want
        else:
            wrong.append(f"{edge[0]} -{t}-> {edge[1]}")
    relationship = {
        "gold": len(gold_edges),
        "extracted": len(rels),
        "right": right,
        "recall": right / len(gold_edges),
        "precision": right / max(len(rels), 1),
        "missed": [f"{a} -{t}-> {b}" for a, b, t in remaining],
        "wrong": wrong,
    }

    figures, figures_right = 0, 0
    by_ref = {}
    for typ, e in ents:
        if (typ, e["id"]) in align:
            by_ref[align[(typ, e["id"])]] = e
    for key, n in gold_nodes.items():
        for k in FIGURES:
            if k in n["properties"]:
                figures += 1
                got = by_ref.get(key, {}).get(k)
                figures_right += got is not None and abs(float(got) - float(n["properties"][k])) < 1e-6 * abs(
                    float(n["properties"][k])
                )
    work_titles = sum(
        1 for r in gold["relationships"] if r["type"] == "WORKS_FOR" and "title" in r.get("properties", {})
    )

    sentences = [s for f in facts for s in f["sentences"]]
    not_verbatim = [s for s in sentences if s not in text]
    return {
        "entities": entity,
        "relationships": relationship,
        "titles": {"gold": work_titles, "right": titles_right},
        "figures": {"gold": figures, "right": figures_right},
        "sentences": {"cited": len(sentences), "notVerbatim": len(not_verbatim), "examples": not_verbatim[:3]},
    }


def report(name: str, s: dict) -> str:
    e, r = s["entities"], s["relationships"]
    lines = [
        f"## {name}",
        "",
        "| measure | right | of | score |",
        "|---|--:|--:|--:|",
        f"| entity recall | {e['right']} | {e['gold']} | {e['recall']:.2f} |",
        f"| entity precision | {round(e['precision'] * e['extracted'])} | {e['extracted']} | {e['precision']:.2f} |",
        f"| relationship recall | {r['right']} | {r['gold']} | {r['recall']:.2f} |",
        f"| relationship precision | {r['right']} | {r['extracted']} | {r['precision']:.2f} |",
        f"| titles | {s['titles']['right']} | {s['titles']['gold']} | |",
        f"| figures | {s['figures']['right']} | {s['figures']['gold']} | |",
        f"| sentences not word for word | {s['sentences']['notVerbatim']} | {s['sentences']['cited']} | |",
        "",
        "Entities missed: " + (", ".join(e["missed"]) or "none"),
        "",
        "Entities not in the gold: " + (", ".join(e["wrong"]) or "none"),
        "",
        "Relationships missed: " + (", ".join(r["missed"]) or "none"),
        "",
        "Relationships not in the gold: " + (", ".join(r["wrong"]) or "none"),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description="Scores the extractor on the seed article, the news dev set and KnowledgeNet."
    )
    p.add_argument("--seed", nargs="*", default=[], help="seed files (JSON) whose source text is beside them")
    p.add_argument("--news", help="folder of news articles with gold facts (testdata/news)")
    p.add_argument("--knowledgenet", help="KnowledgeNet rows (JSONL)")
    p.add_argument("--gazetteer", help="starter dump (JSON) read as known company names, as the service does")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = p.parse_args(argv)
    if args.gazetteer:
        gazetteer.load(args.gazetteer)
    nlp = load()
    out, texts = {}, []
    for g in args.seed:
        path = pathlib.Path(g)
        gold = json.loads(path.read_text())
        text = (path.parent / gold["source"]["file"]).read_text()
        facts = extract(nlp, text, gold["source"]["properties"].get("title"))
        out[path.name] = score(gold, facts, text)
        texts.append(report(path.name, out[path.name]))
    if args.news:
        s = news.score(nlp, args.news)
        out["news"] = {
            "total": dict(s["total"]),
            "articles": {k: {"misses": v["misses"], "wrongs": v["wrongs"]} for k, v in s["articles"].items()},
        }
        texts.append(news.report(s))
    if args.knowledgenet:
        s = knowledgenet.score(nlp, args.knowledgenet)
        out["knowledgenet"] = {
            "passages": s["passages"],
            "refused": s["refused"],
            "total": s["total"],
            "properties": {
                k: {n: v[n] for n in ("gold", "found", "extracted", "right")} for k, v in s["properties"].items()
            },
        }
        texts.append(knowledgenet.report(s))
    if args.json:
        json.dump(out, sys.stdout, indent=1)
        print()
    else:
        print("\n\n".join(texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
