"""Floors under what the extractor finds in text nobody here wrote: the
news dev set (testdata/news) and KnowledgeNet's folds 1 and 2 (the file
KNOWLEDGENET names; `make extractor-test` sets it). Counts, never time: a
change that loses facts or adds wrong ones fails here, and a change that
gains raises the floor in the same commit."""

import os
import pathlib
import unittest

from companygraph_extractor import knowledgenet, news
from companygraph_extractor.model import load

HERE = pathlib.Path(__file__).resolve().parent.parent

# (found at least, right at least, wrong at most) per measure.
NEWS = {
    "entities": (160, 180, 70),
    "relationships": (60, 54, 26),
    "titles": 17,
    "figures": 4,
}
KNOWLEDGENET = {
    "CEO": (28, 26, 8),
    "EMPLOYEE_OR_MEMBER_OF": (40, 40, 12),
    "FOUNDED_BY": (35, 32, 6),
    "SUBSIDIARY_OF": (40, 40, 5),
    "HEADQUARTERS": (85, 48, 10),
    "DATE_FOUNDED": (40, 38, 10),
}


class Floors(unittest.TestCase):
    def test_news(self):
        t = news.score(load(), HERE / "testdata" / "news")["total"]
        rels = list(news.RELATIONSHIPS) + ["participants"]
        found = sum(t[f"{r} found"] for r in rels)
        right = sum(t[f"{r} right"] for r in rels)
        extracted = sum(t[f"{r} extracted"] for r in rels)
        for name, (f, r, w), (gf, gr, ge) in [
            ("entities", NEWS["entities"], (t["entities found"], t["entities right"], t["entities extracted"])),
            ("relationships", NEWS["relationships"], (found, right, extracted)),
        ]:
            with self.subTest(name):
                self.assertGreaterEqual(gf, f, f"{name}: found")
                self.assertGreaterEqual(gr, r, f"{name}: right")
                self.assertLessEqual(ge - gr, w, f"{name}: wrong")
        self.assertGreaterEqual(t["titles right"], NEWS["titles"])
        self.assertGreaterEqual(t["figures right"], NEWS["figures"])
        self.assertEqual(t["not verbatim"], 0)
        self.assertEqual(t["refused"], 0)

    def test_knowledgenet(self):
        path = os.environ.get("KNOWLEDGENET")
        if not path:
            self.skipTest("KNOWLEDGENET is not set (make extractor-test sets it)")
        self.assertTrue(os.path.exists(path), f"KNOWLEDGENET={path} does not exist")
        s = knowledgenet.score(load(), path)
        for prop, (f, r, w) in KNOWLEDGENET.items():
            v = s["properties"][prop]
            with self.subTest(prop):
                self.assertGreaterEqual(v["found"], f, "found")
                self.assertGreaterEqual(v["right"], r, "right")
                self.assertLessEqual(v["extracted"] - v["right"], w, "wrong")
