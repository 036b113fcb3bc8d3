"""The rules on sentences of other articles than the seed: what they find
and what they must not."""

import unittest

from companygraph_extractor.extract import amount, english, extract, slug
from companygraph_extractor.model import load


def facts(text, title=None, known=None):
    out = extract(load(), text, title, known)
    ents = {}
    rels = []
    for f in out:
        if "relationship" in f:
            r = f["relationship"]
            rels.append(
                (r["type"], r["from"], r["to"], {k: v for k, v in r.items() if k not in ("type", "from", "to")})
            )
        else:
            kind = next(k for k in f if k not in ("sentences", "confidence", "rule"))
            ents[(kind, f[kind]["id"])] = f[kind]
        for s in f["sentences"]:
            assert s in text, f"not word for word: {s!r}"
        assert 0 < f["confidence"] <= 1
    return ents, rels


class Figures(unittest.TestCase):
    def test_amounts(self):
        for text, want in [
            ("$1.1 billion", 1.1e9),
            ("61.1 million", 61.1e6),
            ("one million", 1e6),
            ("$16 billion", 16e9),
            ("close to $45 billion", 45e9),
            ("2,500", 2500),
            ("77", 77),
        ]:
            self.assertEqual(amount(text), want, text)

    def test_slug(self):
        self.assertEqual(slug("Walmart Inc."), "walmart-inc")
        self.assertEqual(slug("Société Générale"), "societe-generale")


class Language(unittest.TestCase):
    def test_english_and_others(self):
        nlp = load()
        en = (
            "The company said on Monday that it would open two new offices in Europe next year, "
            "and that its chief executive would lead the expansion from London."
        )
        fr = (
            "Le groupe a annoncé mardi l'acquisition de la chaîne de supermarchés, pour un montant "
            "de deux milliards d'euros, selon un communiqué publié par la direction à Paris."
        )
        de = (
            "Die Bank hat am Dienstag angekündigt, dass sie im kommenden Jahr zahlreiche Filialen "
            "in Berlin und Hamburg schließen und ihre Geschäfte stärker digital betreiben wird."
        )
        self.assertEqual(english(nlp, en), 1.0)
        self.assertLess(english(nlp, fr), 0.5)
        self.assertLess(english(nlp, de), 0.5)
        self.assertEqual(english(nlp, "小米公司宣布进入美国市场，雷军表示公司将在明年推出新产品。"), 0.0)
        self.assertEqual(english(nlp, "Apple CEO Tim Cook met investors in Paris."), 1.0)

    def test_names_and_nouns_are_still_english(self):
        nlp = load()
        # Mostly names and nouns: few function words, none of another language.
        names = (
            "Serial entrepreneur and award-winning supply chain software architect Maria Lopez, "
            "formerly of Acme Logistics Inc., founded Cargoplan, a freight booking platform "
            "for small retailers and wholesale distributors across Europe."
        )
        self.assertGreaterEqual(english(nlp, names), 0.5)
        others = [
            "La empresa anunció el martes que abrirá dos nuevas oficinas en Europa el próximo año, "
            "y que su director ejecutivo liderará la expansión desde Londres.",
            "La società ha annunciato martedì che aprirà due nuovi uffici in Europa il prossimo anno "
            "e che il suo amministratore delegato guiderà l'espansione da Londra.",
            "Het bedrijf heeft dinsdag aangekondigd dat het volgend jaar twee nieuwe kantoren in Europa "
            "zal openen en dat de topman de uitbreiding vanuit Londen zal leiden.",
            "A empresa anunciou na terça-feira que vai abrir dois novos escritórios na Europa no próximo "
            "ano e que o seu presidente executivo vai liderar a expansão a partir de Londres.",
        ]
        for text in others:
            self.assertLess(english(nlp, text), 0.5, text)


class Rules(unittest.TestCase):
    def test_title_before_and_after_the_name(self):
        ents, rels = facts(
            "Apple's chief executive Tim Cook met investors. "
            "Satya Nadella, chief executive of Microsoft, spoke after him."
        )
        self.assertIn(("executive", "tim-cook"), ents)
        self.assertIn(("company", "apple"), ents)
        works = {(r[1], r[2], r[3].get("title")) for r in rels if r[0] == "WORKS_FOR"}
        self.assertIn(("tim-cook", "apple", "chief executive"), works)
        self.assertIn(("satya-nadella", "microsoft", "chief executive"), works)
        _, rels = facts("Microsoft said that Kevin Scott, its chief technology officer, will speak.")
        self.assertIn(
            ("WORKS_FOR", "kevin-scott", "microsoft", {"title": "chief technology officer", "current": True}), rels
        )

    def test_acquisition_with_stake_and_price(self):
        ents, rels = facts("Walmart Inc. agreed to buy 77% of Flipkart for $16 billion.")
        self.assertEqual(ents[("company", "walmart-inc")]["aliases"], ["Walmart"])
        events = [e for k, e in ents.items() if k[0] == "event"]
        self.assertEqual(len(events), 1, events)
        ev = events[0]
        self.assertEqual(
            (ev["kind"], ev["status"], ev["stakePercent"], ev["amount"], ev["currency"]),
            ("ACQUISITION", "planned", 77, 16e9, "USD"),
        )
        roles = {(r[1], r[3].get("role")) for r in rels if r[0] == "PARTICIPATED_IN"}
        self.assertEqual(roles, {("walmart-inc", "acquirer"), ("flipkart", "target")})

    def test_the_company_is_the_main_organisation(self):
        text = (
            "Acme Robotics opened an office in Berlin. Acme Robotics makes warehouse robots. "
            "The company raised $20 million in March."
        )
        ents, rels = facts(text)
        funding = [e for k, e in ents.items() if k[0] == "event" and e["kind"] == "FUNDING"]
        self.assertEqual(len(funding), 1)
        self.assertEqual(funding[0]["amountUsd"], 20e6)
        self.assertEqual(funding[0]["date"], "March")
        self.assertIn(("PARTICIPATED_IN", "acme-robotics", funding[0]["id"], {"role": "fundraiser"}), rels)

    def test_market_entry_occurred_and_planned(self):
        ents, rels = facts("Spotify entered Japan in 2016. Spotify plans to enter Nigeria next year.")
        status = {r[2]: r[3].get("status") for r in rels if r[0] == "IN_MARKET"}
        self.assertEqual(status, {"japan": "entered", "nigeria": "planned"})
        entries = [e for k, e in ents.items() if k[0] == "event"]
        self.assertEqual([(e["kind"], e.get("date")) for e in entries], [("MARKET_ENTRY", "2016")])

    def test_a_surname_is_the_person_already_named(self):
        ents, rels = facts("Hugo Barra joined Xiaomi. Barra said the phones sell well.")
        people = [k for k in ents if k[0] == "executive"]
        self.assertEqual(people, [("executive", "hugo-barra")])
        self.assertEqual(ents[("executive", "hugo-barra")]["aliases"], ["Barra"])

    def test_two_people_with_one_surname_stay_two(self):
        ents, _ = facts("Anne Smith leads Acme. John Smith founded Beta Corp.")
        self.assertEqual(sorted(k[1] for k in ents if k[0] == "executive"), ["anne-smith", "john-smith"])

    def test_the_graph_decides_an_organisation_type(self):
        ents, _ = facts("Analysts praised Flipkart.", known=[{"name": "Flipkart", "aliases": [], "type": "Partner"}])
        self.assertIn(("partner", "flipkart"), ents)

    def test_a_partner_sells(self):
        _, rels = facts("Nokia partnered with Amazon for selling phones and other devices such as tablets in India.")
        self.assertIn(("PARTNERED_WITH", "nokia", "amazon"), {r[:3] for r in rels})
        sells = {(r[1], r[2], r[3].get("market")) for r in rels if r[0] == "SELLS"}
        self.assertEqual(sells, {("amazon", "phones", "India"), ("amazon", "tablets", "India")})

    def test_company_news(self):
        def events(text):
            ents, rels = facts(text)
            evs = [e for k, e in ents.items() if k[0] == "event"]
            self.assertEqual(len(evs), 1, (text, evs))
            return evs[0], {(r[0], r[1], r[3].get("role")) for r in rels if r[0] == "PARTICIPATED_IN"}, rels

        ev, roles, _ = events("Microsoft invested $10 billion in OpenAI in January.")
        self.assertEqual((ev["kind"], ev["amount"], ev["currency"], ev["date"]), ("INVESTMENT", 10e9, "USD", "January"))
        self.assertEqual(
            roles, {("PARTICIPATED_IN", "microsoft", "investor"), ("PARTICIPATED_IN", "openai", "investee")}
        )

        ev, roles, _ = events("Arm listed on the Nasdaq in September, raising $4.87 billion at $51 a share.")
        self.assertEqual((ev["kind"], ev["exchange"], ev["amount"], ev["pricePerShare"]), ("IPO", "Nasdaq", 4.87e9, 51))
        self.assertEqual(roles, {("PARTICIPATED_IN", "arm", "issuer")})

        ev, roles, _ = events("Alibaba's IPO on the New York Stock Exchange raised $25 billion.")
        self.assertEqual((ev["kind"], ev["exchange"], ev["amount"]), ("IPO", "New York Stock Exchange", 25e9))

        ev, roles, rels = events("Acme Corp appointed Jane Doe as chief financial officer in May.")
        self.assertEqual((ev["kind"], ev["date"]), ("APPOINTMENT", "May"))
        self.assertIn(
            (
                "WORKS_FOR",
                "jane-doe",
                "acme-corp",
                {"title": "chief financial officer", "current": True, "since": "May"},
            ),
            rels,
        )

        ev, roles, rels = events("John Smith stepped down as chief executive of Beta Inc. last week.")
        self.assertEqual((ev["kind"], ev["status"]), ("DEPARTURE", "occurred"))
        self.assertIn(
            (
                "WORKS_FOR",
                "john-smith",
                "beta-inc",
                {"title": "chief executive", "current": False, "until": "last week"},
            ),
            rels,
        )
        self.assertEqual(
            roles, {("PARTICIPATED_IN", "john-smith", "departing"), ("PARTICIPATED_IN", "beta-inc", "employer")}
        )

        ev, roles, rels = events("Google was founded by Larry Page and Sergey Brin in 1998.")
        self.assertEqual((ev["kind"], ev["date"]), ("FOUNDING", "1998"))
        founded = {(r[1], r[2], r[3].get("when")) for r in rels if r[0] == "FOUNDED"}
        self.assertEqual(founded, {("larry-page", "google", "1998"), ("sergey-brin", "google", "1998")})

    def test_text_without_facts(self):
        self.assertEqual(facts("It rained all day and nobody went out."), ({}, []))
        self.assertEqual(facts(""), ({}, []))


if __name__ == "__main__":
    unittest.main()


class Reference(unittest.TestCase):
    def test_a_description_with_a_place_is_not_the_article_organisation(self):
        # The headquarters a "<place>-based company" states belongs to the
        # organisation based there, not to the one the article is about.
        ents, _ = facts(
            "Tesco said on Monday it will buy Booker for 3.7 billion pounds. "
            "Tesco plans to keep the Wellingborough-based company's brand."
        )
        self.assertNotEqual(ents[("company", "tesco")].get("headquarters"), "Wellingborough")

    def test_a_name_tagged_once_is_an_organisation_everywhere(self):
        ents, rels = facts(
            "Nuro Inc. raised $600 million last year. Nuro is laying off about 300 people, or 20% of its workforce."
        )
        layoffs = [e for k, e in ents.items() if k[0] == "event" and e.get("kind") == "LAYOFF"]
        self.assertEqual(len(layoffs), 1, ents)
        self.assertEqual(layoffs[0]["headcount"], 300)
        self.assertEqual(layoffs[0]["sharePercent"], 20)


class Gazetteer(unittest.TestCase):
    def test_a_listed_name_is_an_organisation_where_the_model_reads_a_proper_noun(self):
        import json as _json
        import tempfile

        from companygraph_extractor import gazetteer

        text = "Halvorsen Ferris said on Tuesday that it would cut 200 jobs."
        before = gazetteer.names()
        try:
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                _json.dump({"indices": [{"companies": [{"name": "Halvorsen Ferris Inc."}]}]}, f)
            self.assertEqual(gazetteer.load(f.name), 2)  # with and without "Inc."
            self.assertEqual(gazetteer.variants("ADMA Biologics, Inc."), {"ADMA Biologics, Inc.", "ADMA Biologics"})
            ents, _ = facts(text)
            self.assertIn(("company", "halvorsen-ferris"), ents)
            self.assertNotIn(("executive", "halvorsen-ferris"), ents)
        finally:
            gazetteer._names = before
