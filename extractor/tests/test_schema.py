"""What the extractor says, the graph can hold: every fact it gives on the
news dev set and the seed article fits the API's FactInput as the schema
(graph/schema.graphqls) declares it, so ingestArticle never skips a fact
for a field or a type the schema does not have."""

import json
import pathlib
import re
import unittest

from companygraph_extractor.extract import extract
from companygraph_extractor.model import load

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
INPUTS = {
    "company": "CompanyFact",
    "executive": "ExecutiveFact",
    "event": "EventFact",
    "market": "MarketFact",
    "product": "ProductFact",
    "partner": "PartnerFact",
    "relationship": "RelationshipFact",
}


def schema():
    sdl = (ROOT / "graph" / "schema.graphqls").read_text()
    sdl = re.sub(r'"""(.|\n)*?"""', "", sdl)  # descriptions
    sdl = re.sub(r'"[^"\n]*"', "", sdl)
    types = {}
    for kind, name, body in re.findall(r"\b(input|enum)\s+(\w+)\s*\{([^}]*)\}", sdl):
        if kind == "input":
            types[name] = dict(re.findall(r"^\s*(\w+)\s*:\s*([\w\[\]!]+)", body, re.M))
        else:
            types[name] = set(re.findall(r"^\s*([A-Z_]+)\s*$", body, re.M))
    return types


def texts():
    for path in sorted((ROOT / "extractor" / "testdata" / "news").glob("*.json")):
        gold = json.loads(path.read_text())
        yield path.name, gold["text"], gold.get("title")
    for path in sorted((ROOT / "seed").glob("*.json")):
        gold = json.loads(path.read_text())
        yield path.name, (path.parent / gold["source"]["file"]).read_text(), gold["source"]["properties"].get("title")


class Schema(unittest.TestCase):
    def test_every_fact_fits_the_schema(self):
        types = schema()
        # the reading of the schema itself
        self.assertIn("LAYOFF", types["EventKind"])
        self.assertIn("headcount", types["EventFact"])
        self.assertIn("OWNS", types["RelationshipType"])
        nlp = load()
        checked = 0
        for name, text, title in texts():
            for f in extract(nlp, text, title):
                key = next(k for k in f if k in INPUTS)
                fields = types[INPUTS[key]]
                body = f[key]
                for k, v in body.items():
                    with self.subTest(article=name, fact=key, field=k):
                        self.assertIn(k, fields, f"{key} {body.get('id') or body.get('type')}")
                        if fields[k].startswith("Int"):
                            self.assertIsInstance(v, int)
                if key == "relationship":
                    self.assertIn(body["type"], types["RelationshipType"], name)
                if key == "event" and "kind" in body:
                    self.assertIn(body["kind"], types["EventKind"], name)
                checked += 1
        self.assertGreater(checked, 500)
