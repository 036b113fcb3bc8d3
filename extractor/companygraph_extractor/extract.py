"""Rules over spaCy's parse that turn an article into companygraph facts.

An article is read paragraph by paragraph (its own line breaks first: the
model's sentence splitter sometimes joins two lines), sentence by sentence.
Every sentence a fact gives is a slice of the article, so it is word for
word what the source says.

What the rules find:
- entities: organisations (Company, or Partner when the article says it
  partners with one, or Product when the article treats the name as a
  thing that is sold, launched or owned), people (Executive), places where
  business is done (Market), products from lists ("devices such as A, B
  and C") and from what is sold, launched or included, and events:
  market entries, launches, fundraising, sales, announcements and
  acquisitions, with their figures as numbers and their dates as worded;
- relationships: WORKS_FOR with the title, IN_MARKET with its status,
  PARTNERED_WITH, SELLS, HAS_PRODUCT, PART_OF ("India and other Asian
  regions"), PARTICIPATED_IN with a role, CONCERNS, LAUNCHES and ABOUT.

"The company", "it" and "its" are the article's main organisation (the one
it names most), or the organisation named last in the sentence; "he" and
"she" are the person named last. A surname alone is the person of the
article with that surname.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from spacy.tokens import Span
from spacy.util import filter_spans

from .relations import EXECUTIVE_TITLES, TITLES, Patterns

# Words that end an organisation's legal name: "Walmart Inc." is also
# known as Walmart.
ORG_SUFFIXES = {
    "inc",
    "inc.",
    "incorporated",
    "corp",
    "corp.",
    "corporation",
    "co",
    "co.",
    "company",
    "ltd",
    "ltd.",
    "limited",
    "plc",
    "llc",
    "l.l.c.",
    "lp",
    "llp",
    "group",
    "holdings",
    "ag",
    "sa",
    "s.a.",
    "se",
    "nv",
    "n.v.",
    "gmbh",
    "bv",
    "b.v.",
    "ab",
    "asa",
    "spa",
    "s.p.a.",
    "srl",
    "s.r.l.",
    "sas",
    "s.a.s.",
    "kg",
    "kgaa",
    "oy",
    "oyj",
    "a/s",
    "as",
    "aps",
    "pty",
    "pte",
    "bhd",
    "berhad",
    "tbk",
    "kk",
    "k.k.",
    "sarl",
    "s.a.r.l.",
    "sl",
    "s.l.",
    "nv/sa",
    "ulc",
}

# Names places are also written as.
PLACE_NAMES = {
    "us": "United States",
    "u.s.": "United States",
    "usa": "United States",
    "u.s.a.": "United States",
    "america": "United States",
    "uk": "United Kingdom",
    "u.k.": "United Kingdom",
    "britain": "United Kingdom",
    "uae": "United Arab Emirates",
    "eu": "European Union",
}

# Adjectives of regions and countries ("the Indian market", "Asian regions").
DEMONYMS = {
    "asian": "Asia",
    "european": "Europe",
    "african": "Africa",
    "american": "United States",
    "latin american": "Latin America",
    "middle eastern": "Middle East",
    "indian": "India",
    "chinese": "China",
    "japanese": "Japan",
    "korean": "South Korea",
    "german": "Germany",
    "french": "France",
    "british": "United Kingdom",
    "italian": "Italy",
    "spanish": "Spain",
    "brazilian": "Brazil",
    "russian": "Russia",
    "canadian": "Canada",
    "mexican": "Mexico",
    "australian": "Australia",
    "indonesian": "Indonesia",
    "vietnamese": "Vietnam",
    "thai": "Thailand",
    "swiss": "Switzerland",
    "dutch": "Netherlands",
    "swedish": "Sweden",
    "taiwanese": "Taiwan",
    "singaporean": "Singapore",
    "israeli": "Israel",
}

# Words for a job; a title is the run of such words (and their modifiers)
# before or after a person's name.
TITLE_WORDS = TITLES | {"deputy", "general", "global", "lead", "managing", "regional", "senior", "vice"}

PRONOUNS_ORG = {"it", "its", "they", "their"}
# Last words of organisations' names: such a name is never a person's or a
# product's.
ORG_WORDS = ORG_SUFFIXES | {
    "capital",
    "partners",
    "ventures",
    "investment",
    "investments",
    "bank",
    "group",
    "holdings",
    "fund",
    "trust",
    "technologies",
    "technology",
    "motors",
    "airlines",
    "systems",
    "solutions",
    "industries",
    "labs",
    "media",
    "networks",
    "communications",
    "pharmaceuticals",
    "energy",
    "electronics",
    "entertainment",
    "foods",
    "beverages",
    "insurance",
    "securities",
    "exchange",
    "robotics",
    "studios",
    "management",
    "advisors",
    "advisers",
    "associates",
    "consulting",
    "enterprises",
    "international",
    "financial",
    "bancorp",
}
# The name of a funding round.
ROUND = re.compile(
    r"\b(?:pre-seed|seed|Series [A-H]\d?(?:\+| extension)?|bridge|angel|pre-IPO)(?= (?:funding |financing |investment )?round\b)|\bSeries [A-H]\d?\b",
    re.I,
)

# Parts of an organisation that are sold without a name of their own.
UNITS = {
    "business",
    "businesses",
    "unit",
    "units",
    "division",
    "divisions",
    "arm",
    "operations",
    "assets",
    "subsidiary",
    "subsidiaries",
}
# What a company sells when it sells part of itself, not a product.
DIVESTED = {
    "stake",
    "share",
    "shares",
    "percent",
    "%",
    "asset",
    "assets",
    "business",
    "businesses",
    "unit",
    "units",
    "division",
    "divisions",
    "subsidiary",
    "subsidiaries",
    "headquarters",
    "building",
    "property",
    "operation",
    "operations",
    "arm",
    "company",
    "firm",
    "interest",
    "holding",
    "holdings",
    "bond",
    "bonds",
    "debt",
    "note",
    "notes",
    "brand",
    "brands",
    "portfolio",
    "plant",
    "plants",
    "factory",
    "factories",
}
# Words the model tags as organisations that are not one.
NOT_ORGS = {
    "ipo",
    "ceo",
    "cfo",
    "cto",
    "coo",
    "board",
    "nasdaq",
    "nyse",
    "new york stock exchange",
    "london stock exchange",
    "stock exchange",
}
PRONOUNS_PERSON = {"he", "she", "his", "her", "him"}
ORG_NOUNS = {
    "company",
    "firm",
    "group",
    "maker",
    "giant",
    "retailer",
    "manufacturer",
    "startup",
    "start-up",
    "conglomerate",
    "business",
    "corporation",
    "carmaker",
    "automaker",
    "e-tailer",
    "etailer",
    "lender",
    "bank",
    "insurer",
    "airline",
    "carrier",
    "chipmaker",
    "operator",
    "provider",
    "platform",
    "marketplace",
    "outfit",
    "multinational",
    "developer",
    "publisher",
    "producer",
    "supplier",
    "brand",
    "chain",
    "broadcaster",
    "exchange",
    "investor",
    "fund",
}
MARKET_NOUNS = {"market", "markets", "region", "regions", "country", "countries"}
LIST_HEADS = {"device", "product", "item", "gadget", "service", "brand", "accessory", "appliance"}
QUANTIFIERS = {"any", "some", "all", "none", "each", "most", "many", "few", "one"}

MAGNITUDES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "bln": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "cr": 1e7,
}
WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "half": 0.5,
}

EVENT_ROLES = {
    "MARKET_ENTRY": "entrant",
    "PRODUCT_LAUNCH": "launcher",
    "FUNDING": "fundraiser",
    "SALES": "seller",
    "ANNOUNCEMENT": "announcer",
    "ACQUISITION": "acquirer",
}

PLANNED = {
    "plan",
    "plans",
    "planning",
    "planned",
    "aim",
    "aims",
    "intend",
    "intends",
    "expect",
    "expects",
    "set",
    "prepare",
    "prepares",
    "will",
    "would",
    "could",
    "may",
    "might",
    "soon",
    "coming",
}


_listed = {}


def _listed_matcher(nlp):
    """A matcher of the gazetteer's names, made once per list."""
    from spacy.matcher import PhraseMatcher

    from . import gazetteer

    names = gazetteer.names()
    if not names:
        return None
    key = (id(nlp), len(names))
    if key not in _listed:
        m = PhraseMatcher(nlp.vocab)
        m.add("ORG", list(nlp.tokenizer.pipe(sorted(names))))
        _listed.clear()
        _listed[key] = m
    return _listed[key]


def named(tok) -> bool:
    """Whether a word is (part of) a name: a proper noun, a named entity,
    or written as one ("Mi4", "iPhone", a capital not at the sentence's
    start)."""
    t = tok.text
    return (
        tok.pos_ == "PROPN"
        or tok.ent_type_ in ("PRODUCT", "ORG", "WORK_OF_ART")
        or any(c.isdigit() for c in t)
        and any(c.isalpha() for c in t)
        or any(c.isupper() for c in t[1:])
        or (t[:1].isupper() and tok.i != tok.sent.start)
    )


def slug(text: str) -> str:
    """An id from a name: ascii, lower case, words joined by hyphens; a name
    in another script keeps its own letters ("денис-рамил"), so two such
    names never share an id."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    if not out:
        out = re.sub(r"[\W_]+", "-", text.lower()).strip("-")
    return out or "x"


def norm(text: str) -> str:
    """A name as names are compared: case, quotes and "the" ignored."""
    text = text.replace("\u2019", "'").strip().lower()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"'s$", "", text)
    return re.sub(r"\s+", " ", text)


def amount(text: str) -> float | None:
    """The number a figure such as "$1.1 billion", "61.1 million" or
    "one million" states."""
    t = text.lower().replace(",", "").replace("$", " ").replace("us$", " ")
    words = re.findall(r"[0-9]+(?:\.[0-9]+)?|[a-z]+", t)
    value, seen = None, False
    for w in words:
        if re.fullmatch(r"[0-9.]+", w):
            if seen:
                break  # "Rs 1,002 crore (about $120 million)": the first figure
            value, seen = float(w), True
        elif w in WORD_NUMBERS and not seen:
            value, seen = float(WORD_NUMBERS[w]), True
        elif w in MAGNITUDES and seen:
            value *= MAGNITUDES[w]
    return value


# Marks of currencies, the longer first ("HK$" before "$").
CURRENCIES = [
    ("us$", "USD"),
    ("hk$", "HKD"),
    ("s$", "SGD"),
    ("a$", "AUD"),
    ("c$", "CAD"),
    ("nz$", "NZD"),
    ("r$", "BRL"),
    ("nt$", "TWD"),
    ("$", "USD"),
    ("\u20ac", "EUR"),
    ("\u00a3", "GBP"),
    ("\u20b9", "INR"),
    ("rs.", "INR"),
    ("rs ", "INR"),
    ("inr", "INR"),
    ("\u00a5", "JPY"),
    ("\u20a9", "KRW"),
    ("usd", "USD"),
    ("eur", "EUR"),
    ("gbp", "GBP"),
    ("cny", "CNY"),
    ("rmb", "CNY"),
    ("jpy", "JPY"),
    ("hkd", "HKD"),
    ("dollar", "USD"),
    ("euro", "EUR"),
    ("pound", "GBP"),
    ("sterling", "GBP"),
    ("rupee", "INR"),
    ("yen", "JPY"),
    ("yuan", "CNY"),
    ("renminbi", "CNY"),
    ("reais", "BRL"),
    ("real", "BRL"),
    ("won", "KRW"),
    ("franc", "CHF"),
    ("krona", "SEK"),
    ("kronor", "SEK"),
    ("krone", "NOK"),
    ("ringgit", "MYR"),
    ("rupiah", "IDR"),
    ("baht", "THB"),
    ("peso", "MXN"),
    ("rand", "ZAR"),
    ("lira", "TRY"),
    ("ruble", "RUB"),
    ("rouble", "RUB"),
    ("dirham", "AED"),
    ("riyal", "SAR"),
]


def currency(text: str) -> str | None:
    """The ISO 4217 code of the currency a figure is written in."""
    t = text.lower() + " "
    for mark, code in CURRENCIES:
        if mark in t:
            return code
    return None


@dataclass
class Entity:
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    props: dict = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    confidence: float = 0.8
    rule: str = ""

    @property
    def id(self) -> str:
        return slug(self.name)

    def cite(self, sentence: str) -> None:
        if sentence not in self.sentences:
            self.sentences.append(sentence)


@dataclass
class Relationship:
    type: str
    source: Entity
    target: Entity
    props: dict = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    confidence: float = 0.7
    rule: str = ""


class Article:
    """One article's facts, collected sentence by sentence."""

    def __init__(self, nlp, text: str, title: str | None = None, known: list[dict] | None = None):
        self.nlp = nlp
        self.text = text
        self.entities: dict[tuple[str, str], Entity] = {}
        self.by_name: dict[str, Entity] = {}
        self.relationships: dict[tuple, Relationship] = {}
        # Names the graph already has, with their types: they decide an
        # organisation's type before the article's own wording does.
        self.known = {norm(n): k["type"] for k in (known or []) for n in [k["name"], *k.get("aliases", [])]}
        self.known_names = {n: k["type"] for k in (known or []) for n in [k["name"], *k.get("aliases", [])]}
        self.last_market = None
        self.last_person = None
        self._retyped: set[str] = set()
        self.sentences = list(self._sentences(title))
        self._one_type_per_name()
        self.main = self._main_organisation()
        self.patterns = Patterns(self)

    def key(self, name: str) -> str:
        """The key a name is looked up by: "the Walmart Inc.'s" is
        "walmart inc."."""
        return norm(re.sub(r"^the\s+", "", self._org_name(name), flags=re.I))

    # -- reading ---------------------------------------------------------

    def _sentences(self, title):
        seen_title = False
        paras = []
        for para in self.text.splitlines():
            para = para.strip()
            if not para:
                continue
            # "Tags: US, Xiaomi" and the like are the page's, not statements.
            if (
                re.fullmatch(r"[A-Z][A-Za-z ]{1,20}:\s.*", para)
                and len(para.split()) < 15
                and not re.search(r"\b(is|are|was|were|has|have|said)\b", para)
            ):
                continue
            if title and para == title.strip():
                if seen_title:
                    continue
                seen_title = True
            paras.append(para)
        # One call for all paragraphs: the model batches them.
        for doc in self.nlp.pipe(paras):
            for s in doc.sents:
                text = s.text.strip()
                if len(text) > 1:
                    yield s

    def _one_type_per_name(self):
        """One type per name in an article: a name the model tags as an
        organisation anywhere, that the graph holds as one, or that ends in
        an organisation's word ("Capital", "Inc") is an organisation
        wherever the model took it for a person; a single word the model
        tags as an organisation that is the surname of a person of the
        article is that person."""
        docs = list({id(s.doc): s.doc for s in self.sentences}.values())
        orgs, people = set(), set()
        for doc in docs:
            for e in doc.ents:
                k = norm(self._org_name(e.text))
                if e.label_ == "ORG":
                    orgs.add(k)
                elif e.label_ == "PERSON" and len(e) > 1:
                    people.add(k)
        surnames = {p.split()[-1] for p in people}
        # "Zoom" after "Zoom Video Communications", "Nio" after "Nio Inc.":
        # the short name of an organisation of the article
        short = set()
        for k in list(orgs):
            words = k.split()
            if len(words) > 2 and words[-1].strip(",") in ORG_WORDS and words[0] not in surnames:
                short.add(words[0])
            if len(words) > 1:
                if words[-1].strip(",") in ORG_SUFFIXES:
                    short.add(" ".join(words[:-1]).rstrip(","))
        orgs |= {k for k in short if k not in surnames and k not in people}
        for k, t in self.known.items():
            (orgs if t in ("Company", "Partner") else people if t == "Executive" else set()).add(k)
        self._tag_every_mention(docs, orgs, people)
        for doc in docs:
            ents, changed = [], False
            for e in doc.ents:
                k = norm(self._org_name(e.text))
                words = k.split()
                label = e.label_
                if e.label_ == "PERSON" and k not in people and (k in orgs or (words and words[-1] in ORG_WORDS)):
                    label = "ORG"
                elif e.label_ == "PERSON" and self._described_as_organisation(e):
                    # "Dutch dairy group Royal FrieslandCampina"
                    label = "ORG"
                elif e.label_ == "PERSON" and self._holds_a_position(e.root):
                    # "CEO of Telsis", "Adidas CEO Herbert Hainer": what a
                    # chief's title is of is an organisation
                    label = "ORG"
                elif (
                    e.label_ == "ORG"
                    and len(words) == 1
                    and k in surnames
                    and self.known.get(k) not in ("Company", "Partner")
                ):
                    label = "PERSON"
                elif e.label_ == "ORG" and k in people:
                    label = "PERSON"
                end = e.end
                if (
                    e.label_ in ("PERSON", "ORG", "GPE")
                    and end < len(doc)
                    and doc[end].lower_ in ORG_SUFFIXES - {"company", "group", "co", "as", "se", "sl"}
                    and doc[end].text[:1].isupper()
                ):
                    # "Pirelli SpA": a legal suffix makes the name an organisation's
                    label, end = "ORG", end + 1
                if label != e.label_ or end != e.end:
                    ents.append(Span(doc, e.start, end, label=label))
                    changed = True
                else:
                    ents.append(e)
            if changed:
                doc.ents = filter_spans(ents)

    def _tag_every_mention(self, docs, orgs, people):
        """A name the article (or the graph) gives as an organisation is
        one wherever the article writes it, also where the model tagged
        nothing: "Nuro is laying off" after "Nuro Inc." or a tagged
        "Nuro". "Walmart Inc." also names Walmart."""
        from spacy.matcher import PhraseMatcher

        names = set()
        for doc in docs:
            for e in doc.ents:
                if e.label_ == "ORG":
                    name = re.sub(r"^the\s+", "", self._org_name(e.text), flags=re.I)
                    names.add(name)
                    words = name.split()
                    if len(words) > 1 and words[-1].lower().strip(",") in ORG_SUFFIXES:
                        names.add(" ".join(words[:-1]).rstrip(","))
        for n in list(names):
            words = n.split()
            # "Zoom" after "Zoom Video Communications"
            if (
                len(words) > 2
                and words[-1].lower().strip(",") in ORG_WORDS
                and words[0].lower() not in {p.split()[-1] for p in people}
            ):
                names.add(words[0])
        names |= {n for n, t in self.known_names.items() if t in ("Company", "Partner")}
        names = {
            n
            for n in names
            if n
            and norm(n) not in people
            and norm(n) not in NOT_ORGS
            and (len(n) > 2 or n.isupper())
            and n[:1].isupper()
        }
        matcher = PhraseMatcher(self.nlp.vocab)
        for n in names:
            matcher.add("ORG", [self.nlp.make_doc(n)])
        from . import gazetteer  # it reads this module's suffixes

        listed = _listed_matcher(self.nlp)
        people -= {norm(n) for n in gazetteer.names()}
        for doc in docs:
            taken = {
                i
                for e in doc.ents
                if e.label_ in ("ORG", "DATE", "MONEY", "PERCENT", "CARDINAL", "GPE")
                for i in range(e.start, e.end)
            }
            new = []
            # A listed company's name where the model read a proper noun
            # (and tagged it a person, a product, or nothing).
            for _, start, end in listed(doc) if listed is not None else []:
                if any(i in taken for i in range(start, end)) or not all(t.pos_ == "PROPN" for t in doc[start:end]):
                    continue
                new.append(Span(doc, start, end, label="ORG"))
                taken.update(range(start, end))
            if new:
                doc.ents = filter_spans(
                    [e for e in doc.ents if not any(e.start < n.end and n.start < e.end for n in new)] + new
                )
                new = []
            taken = {i for e in doc.ents for i in range(e.start, e.end)}
            for _, start, end in matcher(doc) if names else []:
                if any(i in taken for i in range(start, end)):
                    continue
                # a word inside a longer capitalised name is not this name
                if (start > 0 and doc[start - 1].is_title and doc[start - 1].pos_ == "PROPN") or (
                    end < len(doc) and doc[end].is_title and doc[end].pos_ == "PROPN"
                ):
                    continue
                new.append(Span(doc, start, end, label="ORG"))
            if new:
                doc.ents = filter_spans(list(doc.ents) + new)

    @staticmethod
    def _described_as_organisation(e) -> bool:
        """Whether a name stands beside a noun for a kind of organisation:
        "dairy group Royal FrieslandCampina", "the carmaker, Stellantis"."""
        from .relations import ORG_KINDS

        root = e.root
        beside = [c for c in root.children if c.dep_ in ("compound", "nmod") and c.i < e.start]
        if root.dep_ in ("appos", "compound") and root.head.i < e.start:
            beside.append(root.head)
        return any(t.lemma_.lower() in ORG_KINDS and t.pos_ == "NOUN" for t in beside)

    @staticmethod
    def _holds_a_position(root) -> bool:
        # a chief's title, or a spokesperson's
        chiefs = EXECUTIVE_TITLES - {"chairperson", "officer"} | {
            "executive",
            "spokesman",
            "spokeswoman",
            "spokesperson",
        }
        h = root.head
        if root.dep_ == "pobj" and h.lower_ in ("of", "at") and h.head.lower_ in chiefs:
            return True
        return (
            root.dep_ in ("compound", "poss")
            and h.lower_ in chiefs
            and h.i > root.i
            and any(c.ent_type_ == "PERSON" and c.i > h.i for c in h.head.subtree)
        )

    def _main_organisation(self):
        counts: dict[str, int] = {}
        first: dict[str, int] = {}
        for i, s in enumerate(self.sentences):
            for e in s.ents:
                if e.label_ == "ORG":
                    k = norm(self._org_name(e.text))
                    counts[k] = counts.get(k, 0) + 1
                    first.setdefault(k, i)
        if not counts:
            return None
        return max(counts, key=lambda k: (counts[k], -first[k]))

    @staticmethod
    def _org_name(text: str) -> str:
        return re.sub(r"['\u2019]s$", "", text.strip())

    # -- entities --------------------------------------------------------

    def entity(self, type_: str, name: str, sentence: str, rule: str, confidence=0.8, alias=None) -> Entity:
        key = norm(name)
        e = self.by_name.get(key)
        if e is None and alias:
            # "Walmart Inc." after "Walmart": one organisation
            e = self.by_name.get(norm(alias))
            if e is not None:
                e.aliases.add(name)
                self.by_name[key] = e
        if e is None or (e.type != type_ and not self._retype(e, type_)):
            e = self.entities.get((type_, slug(name)))
        if e is None:
            e = Entity(type_, name, confidence=confidence, rule=rule)
            self.entities[(type_, e.id)] = e
        self.by_name.setdefault(key, e)
        if alias and norm(alias) != norm(e.name):
            e.aliases.add(alias)
            self.by_name.setdefault(norm(alias), e)
        e.cite(sentence)
        return e

    def retype_person(self, e: Entity) -> bool:
        """Make a name read as a person an organisation, where nothing
        the article says relates it as a person yet."""
        if any(r.source is e or r.target is e for r in self.relationships.values()):
            return False
        self.entities.pop((e.type, e.id), None)
        e.type = "Company"
        self.entities[("Company", e.id)] = e
        if e is self.last_person:
            self.last_person = None
        self._retyped.add(e.id)
        return True

    def _retype(self, e: Entity, type_: str) -> bool:
        """Whether an organisation first read as one type is another:
        a name an article partners with is a Partner, one it sells is a
        Product; the graph's own type wins over both."""
        orgs = {"Company", "Partner", "Product"}
        if e.type not in orgs or type_ not in orgs or norm(e.name) in self.known:
            return False
        rank = {"Company": 0, "Partner": 1, "Product": 2}
        if rank[type_] <= rank[e.type]:
            return True  # the entity keeps its more specific type
        old = (e.type, e.id)
        e.type = type_
        self.entities.pop(old, None)
        self.entities[(type_, e.id)] = e
        return True

    def relate(self, type_, a: Entity | None, b: Entity | None, sentence: str, rule: str, confidence=0.7, **props):
        if a is None or b is None or a is b:
            return None
        key = (type_, a.type, a.id, b.type, b.id, props.get("key"))
        r = self.relationships.get(key)
        if r is None:
            r = Relationship(
                type_, a, b, {k: v for k, v in props.items() if v is not None}, confidence=confidence, rule=rule
            )
            self.relationships[key] = r
        else:
            for k, v in props.items():
                if v is None:
                    continue
                old = r.props.get(k)
                # Of two rules' titles for one position, the fuller one
                # ("executive vice president", not "executive").
                if (
                    k == "title"
                    and isinstance(old, str)
                    and isinstance(v, str)
                    and len(v) > len(old)
                    and set(old.lower().split()) <= set(v.lower().split())
                ):
                    r.props[k] = v
                else:
                    r.props.setdefault(k, v)
        if sentence not in r.sentences:
            r.sentences.append(sentence)
        return r

    # -- the rules ---------------------------------------------------------

    def run(self):
        people: list[Entity] = []
        for s in self.sentences:
            self._sentence(s, people)
        return self

    def _org_type(self, span, sent) -> str:
        name = norm(self._org_name(span.text))
        if name in self.known and self.known[name] in ("Company", "Partner", "Product"):
            return self.known[name]
        root = span.root
        head = root.head
        if name.split() and name.split()[-1] in ORG_WORDS:
            return "Company"
        # "partnered with Flipkart", "a partnership with Flipkart"
        if (
            root.dep_ == "pobj"
            and head.lower_ == "with"
            and head.head.lemma_.lower() in ("partner", "partnership", "team", "ally", "tie")
        ):
            return "Partner"
        if self._productish(span):
            return "Product"
        return "Company"

    def _productish(self, span) -> bool:
        root = span.root
        # "its Mi Band", "Xiaomi's Mi Band"
        for t in span:
            if t.dep_ == "poss" and t.head.i in range(span.start, span.end) and t.i < span.start:
                return True
        for t in root.children:
            if t.dep_ == "poss" and (t.lower_ in PRONOUNS_ORG or t.ent_type_ == "ORG"):
                return True
        if span.start > 0 and span.doc[span.start - 1].lower_ in ("its", "their"):
            return True
        head = root.head
        # "the launch of the Mi4", "launch the Mi Band"
        if (
            root.dep_ == "pobj"
            and head.lower_ == "of"
            and head.head.lemma_.lower() in ("launch", "release", "rollout", "unveiling", "sale", "sales")
        ):
            return True
        if root.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in (
            "launch",
            "release",
            "unveil",
            "sell",
            "ship",
            "introduce",
        ):
            return True
        # "devices such as ... its Mi Band"
        if self._in_list(root):
            return True
        return False

    def _in_list(self, tok) -> bool:
        return self._list_head(tok) is not None

    def _list_head(self, tok):
        """The noun a list of examples hangs from: "devices" in "devices
        such as headphones, power banks and its Mi Band"."""
        t = tok
        while t.dep_ == "conj":
            t = t.head
        if t.dep_ == "pobj" and t.head.lower_ == "as" and t.head.head.lower_ == "such":
            n = t.head.head.head
            if n.lemma_.lower() in LIST_HEADS:
                return n
        if t.dep_ == "pobj" and t.head.lower_ == "as" and t.head.i > 0 and t.doc[t.head.i - 1].lower_ == "such":
            n = t.head.head
            if n.lemma_.lower() in LIST_HEADS:
                return n
        return None

    def _resolve_org(self, tok, sent, default=True) -> Entity | None:
        """The organisation a word refers to: a named one, one named beside
        it ("Brazil's biggest education company, Kroton"), or "the
        company", "the retailer", "it" and "its" as the one the sentence or
        the article is about. "The Bangalore-based company" is the
        organisation based there, never another by default; default=False
        keeps any description from falling back on the article's
        organisation."""
        if tok.ent_type_ == "ORG":
            span = next((e for e in sent.ents if e.start <= tok.i < e.end), None)
            if span is not None:
                e = self.by_name.get(norm(self._org_name(span.text)))
                if e is not None:
                    return e
        if tok.pos_ in ("NOUN", "PROPN") and tok.ent_type_ != "ORG":
            beside = [c for c in tok.children if c.dep_ == "appos" and c.ent_type_ == "ORG"]
            if tok.dep_ == "appos" and tok.head.ent_type_ == "ORG":
                beside.append(tok.head)
            for b in beside:
                e = self._resolve_org(b, sent)
                if e is not None:
                    return e
        low = tok.lower_
        based = next((c for c in tok.children if c.lower_ == "based" and c.dep_ == "amod"), None)
        if based is not None and tok.lemma_.lower() in ORG_NOUNS | {"company"}:
            place = " ".join(c.text for c in based.children if c.ent_type_ in ("GPE", "LOC"))
            if not place and based.i >= 2 and sent.doc[based.i - 1].text == "-":
                place = sent.doc[based.i - 2].text
            for e in self.entities.values():
                if (
                    e.type in ("Company", "Partner")
                    and place
                    and place in (e.props.get("headquarters", ""), e.props.get("country", ""))
                ):
                    return e
            return None
        if not default:
            return None
        if low in PRONOUNS_ORG or tok.lemma_.lower() in ORG_NOUNS and any(c.lower_ == "the" for c in tok.children):
            named = [e for e in sent.ents if e.label_ == "ORG" and e.end <= tok.i]
            for span in reversed(named):
                e = self.by_name.get(norm(self._org_name(span.text)))
                if e is not None and e.type in ("Company", "Partner"):
                    return e
            if self.main is not None and self._named_before(self.main, tok):
                e = self.by_name.get(self.main)
                if e is not None and e.type in ("Company", "Partner"):
                    return e
        return None

    def _named_before(self, key, tok) -> bool:
        """Whether the organisation was named before the word: "it" does not
        point forward to a name the sentence gives only after it."""
        for s in self.sentences:
            for e in s.ents:
                if e.label_ == "ORG" and norm(self._org_name(e.text)) == key:
                    if e.doc is not tok.doc or e.start < tok.i:
                        return True
            if s.doc is tok.doc and s.start <= tok.i < s.end:
                return False
        return False

    def _subject_org(self, verb, sent) -> Entity | None:
        """The organisation that does what verb says: its subject, or the
        subject of the clause it hangs from ("Xiaomi is in plans to enter",
        "after entering"). A passive subject is what is done, not who."""
        v = verb
        for _ in range(6):
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                return self._resolve_org(subj, sent)
            # "The company, ..., partnered with": the noun a clause describes
            if v.dep_ == "acl":
                org = self._resolve_org(v.head, sent)
                if org is not None:
                    return org
            if v.head is v:
                return None
            v = v.head
        return None

    def _planned(self, verb) -> bool:
        # A headline's "Xiaomi finally entering US" and "Walmart to buy
        # Flipkart" are news of a plan.
        if verb.dep_ == "ROOT" and verb.tag_ == "VBG" and not any(c.dep_ == "aux" for c in verb.children):
            return True
        if verb.dep_ == "ROOT" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
            return True
        t = verb
        for _ in range(5):
            if any(c.lower_ in PLANNED and c.dep_ in ("aux", "advmod") for c in t.children):
                return True
            if t.lower_ in ("plans", "plan") or t.head.lower_ in ("plans", "plan"):
                return True
            # "agreed to buy", "aims to enter": not done yet
            if t.dep_ == "xcomp" and t.head.lemma_.lower() in (
                "agree",
                "plan",
                "aim",
                "intend",
                "expect",
                "prepare",
                "seek",
                "want",
                "hope",
                "look",
            ):
                return True
            if t.head is t:
                break
            t = t.head
        return False

    def _date(self, sent, near) -> str | None:
        dates = [e for e in sent.ents if e.label_ == "DATE"]
        # A date within the word's own phrase comes first.
        own = [e for e in dates if e.root.i in {t.i for t in near.subtree}]
        if own:
            return own[0].text
        best = None
        for e in dates:
            d = abs(e.root.i - near.i)
            # a date that hangs from the word, or from its clause
            if e.root.head.i == near.i or e.root.head.head.i == near.i or d < 8:
                if best is None or d < abs(best.root.i - near.i):
                    best = e
        return best.text if best is not None else None

    def _market_of(self, tok, sent) -> Entity | None:
        """The market a word names: a country or region, "the Indian
        market", or "the country" as the last one named."""
        if tok.ent_type_ in ("GPE", "LOC"):
            span = next((e for e in sent.ents if e.start <= tok.i < e.end), None)
            if span is not None:
                return self._market(span.text, sent.text, "place name")
        if (
            tok.lemma_.lower() in ("country", "region", "market")
            and any(c.lower_ == "the" for c in tok.children)
            and not any(c.dep_ in ("amod", "compound") for c in tok.children)
            and self.last_market is not None
        ):
            # "in the country": the one named last
            self.last_market.cite(sent.text.strip())
            return self.last_market
        if tok.lemma_.lower() in MARKET_NOUNS:
            for c in tok.children:
                if c.dep_ in ("amod", "compound") and c.lower_ in DEMONYMS:
                    return self._market(
                        DEMONYMS[c.lower_], sent.text, "adjective of a place", alias=f"{c.text} {tok.text}"
                    )
                if c.dep_ == "compound" and c.ent_type_ in ("GPE", "LOC"):
                    return self._market(c.text, sent.text, "place name")
        return None

    def _market(self, name, sentence, rule, alias=None):
        canonical = PLACE_NAMES.get(norm(name))
        if canonical:
            alias, name = name, canonical
        m = self.entity("Market", name, sentence, rule, alias=alias)
        self.last_market = m
        return m

    def _sentence(self, s, people):
        text = s.text.strip()
        orgs: dict[int, Entity] = {}
        # Names first: organisations, people, places.
        last_org = None
        for e in s.ents:
            if e.label_ == "ORG" and norm(e.text) in NOT_ORGS:
                continue
            if e.label_ == "ORG" and last_org is not None and self._in_brackets_after(e, last_org):
                # "Sony Computer Entertainment Europe (SCEE)": another name
                ent = orgs[last_org.start]
                ent.aliases.add(self._org_name(e.text))
                self.by_name.setdefault(self.key(e.text), ent)
                for i in range(e.start, e.end):
                    orgs[i] = ent
                continue
            if e.label_ == "ORG":
                last_org = e
                name = self._org_name(e.text)
                name = re.sub(r"^the\s+", "", name, flags=re.I)
                type_ = self._org_type(e, s)
                words = name.split()
                alias = None
                if len(words) > 1 and words[-1].lower() in ORG_SUFFIXES:
                    alias = " ".join(words[:-1]).rstrip(",")
                ent = self.entity(type_, name, text, "named organisation", 0.85, alias=alias)
                for i in range(e.start, e.end):
                    orgs[i] = ent
                self._bracketed_names(e, ent)
            elif e.label_ == "PERSON":
                name = self._org_name(e.text)
                known = self.by_name.get(norm(name))
                if known is not None and known.id in self._retyped:
                    # read as an organisation earlier in the article
                    known.cite(text)
                    for i in range(e.start, e.end):
                        orgs[i] = known
                    continue
                person = self._person(name, text, people)
                for i in range(e.start, e.end):
                    orgs[i] = person
        for t in s:
            if t.lower_ in PRONOUNS_PERSON and people:
                people[-1].cite(text)
        for e in s.ents:
            ent = orgs.get(e.start)
            if ent is not None and ent.type == "Product":
                self._owned(ent, e.root, s, text)
        self._titles(s, text)
        self.patterns.people_and_organisations(s, text)
        self.patterns.titles_alone(s, text)
        self.patterns.work_without_subject(s, text)
        self.patterns.founding(s, text)
        self.patterns.headquarters(s, text)
        self.patterns.kind_in_place(s, text)
        self.patterns.ownership(s, text)
        self.patterns.country(s, text)
        self.patterns.markets(s, text)
        self.patterns.layoffs(s, text)
        self.patterns.stakes(s, text)
        self._places(s, text)
        self._lists(s, text)
        self._verbs(s, text)
        self.patterns.alliances(s, text)
        self.patterns.possessed_products(s, text)
        self.patterns.backers(s, text)
        self.patterns.listings(s, text)
        self.patterns.figures(s, text)
        # The article's main organisation is cited where the sentence
        # speaks of it as "the company".
        for t in s:
            if t.lemma_.lower() in ORG_NOUNS and any(c.lower_ == "the" for c in t.children):
                o = self._resolve_org(t, s)
                if o is not None:
                    o.cite(text)
                    for c in t.children:
                        if c.ent_type_ == "NORP" and c.lower_ in DEMONYMS and "country" not in o.props:
                            o.props["country"] = DEMONYMS[c.lower_]

    @staticmethod
    def _in_brackets_after(e, before) -> bool:
        doc = e.doc
        return (
            e.start >= 1
            and doc[e.start - 1].text == "("
            and before.end in (e.start - 1, e.start - 2)
            and e.end < len(doc)
            and doc[e.end].text == ")"
        )

    def _bracketed_names(self, e, ent):
        """What follows an organisation's name in brackets: its short name
        ("(CMI)"), a former name ("(formerly Möbius Entertainment)") or its
        ticker ("(NYSE: LUV)")."""
        doc = e.doc
        if e.end >= len(doc) - 2 or doc[e.end].text != "(":
            return
        close = next((t.i for t in doc[e.end + 1 : e.end + 9] if t.text == ")"), None)
        if close is None:
            return
        inner = doc[e.end + 1 : close].text.strip()
        m = re.fullmatch(
            r"(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|ASX|NSE|BSE|HKEX|SGX|TYO|FWB|Euronext)\s*:\s*([A-Z0-9.]{1,8})", inner
        )
        if m:
            ent.props.setdefault("ticker", m.group(1))
            return
        m = re.fullmatch(r"(?:formerly|previously|now|also known as|known as)\s+(.+)", inner)
        name = m.group(1) if m else inner
        if m or re.fullmatch(r"[A-Z][A-Za-z0-9&.\-]{1,9}", name):
            ent.aliases.add(name)
            self.by_name.setdefault(self.key(name), ent)

    def _person(self, name, sentence, people) -> Entity:
        words = name.split()
        if len(words) == 1:
            # A surname alone is the person of this article with that surname.
            for p in reversed(people):
                if p.type == "Executive" and p.name.split()[-1].lower() == name.lower():
                    p.aliases.add(name)
                    self.by_name.setdefault(norm(name), p)
                    p.cite(sentence)
                    return p
        p = self.entity("Executive", name, sentence, "named person", 0.85)
        self.last_person = p
        if p not in people:
            people.append(p)
        else:
            people.remove(p)
            people.append(p)
        return p

    def _titles(self, s, text):
        """WORKS_FOR from "Xiaomi's Global Vice President Hugo Barra",
        "Tim Cook, chief executive of Apple" and "Apple CEO Tim Cook"."""
        for e in s.ents:
            if e.label_ != "PERSON":
                continue
            person = self.by_name.get(norm(self._org_name(e.text)))
            if person is None:
                continue
            # Words before the name, within its noun phrase.
            i = e.start - 1
            title = []
            while i >= s.start and (
                s.doc[i].lower_ in TITLE_WORDS
                or s.doc[i].dep_ == "compound"
                and s.doc[i].pos_ in ("PROPN", "NOUN")
                and s.doc[i].ent_type_ != "ORG"
            ):
                title.insert(0, s.doc[i])
                i -= 1
            org_tok = None
            if title and i >= s.start:
                t = s.doc[i]
                if t.dep_ == "case" and i - 1 >= s.start:
                    t = s.doc[i - 1]
                if t.ent_type_ == "ORG" or t.lower_ in PRONOUNS_ORG:
                    org_tok = t
            if title and any(w.lower_ in TITLE_WORDS for w in title):
                org = self._resolve_org(org_tok, s) if org_tok is not None else None
                if org is not None:
                    self.relate(
                        "WORKS_FOR",
                        person,
                        org,
                        text,
                        "title before the name",
                        0.8,
                        title=" ".join(w.text for w in title),
                    )
                    continue
            # "Tim Cook, chief executive of Apple"
            for c in e.root.children:
                if c.dep_ == "appos" and (c.lower_ in TITLE_WORDS or any(w.lower_ in TITLE_WORDS for w in c.subtree)):
                    words = [
                        w
                        for w in c.subtree
                        if w.i <= c.i
                        and w.dep_ != "poss"
                        and w.dep_ != "case"
                        and w.dep_ != "det"
                        and not any(a.dep_ == "poss" for a in w.ancestors if a.i < c.i)
                    ]
                    orgs = [w for w in c.subtree if w.ent_type_ == "ORG" and w.i > c.i]
                    # "Kevin Scott, its chief technology officer"
                    orgs += [w for w in c.children if w.dep_ == "poss"]
                    if orgs:
                        org = self._resolve_org(orgs[0], s)
                        if org is not None:
                            self.relate(
                                "WORKS_FOR",
                                person,
                                org,
                                text,
                                "title after the name",
                                0.75,
                                title=" ".join(w.text for w in words),
                            )

    def _places(self, s, text):
        """Headquarters ("Beijing-based Xiaomi"), regions ("India and other
        Asian regions")."""
        for t in s:
            if t.lower_ == "based" and t.dep_ == "amod":
                place = [c for c in t.children if c.ent_type_ in ("GPE", "LOC")]
                org = self._resolve_org(t.head, s, default=False)
                if place and org is not None and org.type in ("Company", "Partner"):
                    org.props.setdefault("headquarters", place[0].text)
                    org.cite(text)
            # "A and other B regions"
            if t.lemma_.lower() in MARKET_NOUNS and any(c.lower_ == "other" for c in t.children) and t.dep_ == "conj":
                region = next((c for c in t.children if c.lower_ in DEMONYMS), None)
                part = self._market_of(t.head, s)
                if region is not None and part is not None:
                    whole = self._market(DEMONYMS[region.lower_], text, "adjective of a place")
                    self.relate("PART_OF", part, whole, text, "one of other regions", 0.7)

    def _lists(self, s, text):
        """Products listed as examples: "devices such as headphones, power
        banks and its Mi Band". The organisation that owns one of them
        ("its Mi Band"), or that sells them, has them all."""
        lists: dict[int, list] = {}
        for t in s:
            head = self._list_head(t)
            if head is None or t.pos_ not in ("NOUN", "PROPN"):
                continue
            p = self._product(t, s, text, f"{head.lemma_.lower()}")
            if p is not None:
                lists.setdefault(head.i, []).append((t, p))
        for head_i, items in lists.items():
            owner = None
            head = s.doc[head_i]
            # "Unilever, which owns brands such as Ben & Jerry's ice cream":
            # the owner is who owns the list, not a name inside an item
            if head.dep_ == "dobj" and head.head.lemma_.lower() in ("own", "make", "produce", "include", "have"):
                subj = next((c for c in head.head.children if c.dep_ == "nsubj"), None)
                owner = self.patterns._org_end(subj, s) if subj is not None else None
            for t, _ in items:
                for c in t.children:
                    if c.dep_ == "poss" and c.ent_type_ != "ORG":
                        owner = owner or self._resolve_org(c, s)
            if owner is None and head.dep_ == "dobj" and head.head.lemma_.lower() in ("sell", "offer"):
                owner = self._seller(head.head, s)
            if owner is not None and owner.type in ("Company", "Partner"):
                for _, p in items:
                    self.relate("HAS_PRODUCT", owner, p, text, "sells a list of products", 0.65)

    def _seller(self, verb, s) -> Entity | None:
        """Who sells: the clause's subject, or the organisation whose
        product (a shop, a site) it is."""
        v = verb
        for _ in range(6):
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                span = next((e for e in s.ents if e.start <= subj.i < e.end), None)
                named = self.by_name.get(norm(self._org_name(span.text))) if span is not None else None
                if named is not None and named.type == "Product":
                    owners = [
                        r.source for r in self.relationships.values() if r.type == "HAS_PRODUCT" and r.target is named
                    ]
                    return owners[0] if owners else None
                return self._resolve_org(subj, s)
            if v.head is v:
                return None
            v = v.head
        return None

    def _product(self, tok, s, text, kind=None) -> Entity | None:
        span = next((e for e in s.ents if e.start <= tok.i < e.end), None)
        if span is not None and span.label_ not in ("ORG", "PRODUCT", "WORK_OF_ART"):
            return None
        if span is not None and span.label_ == "ORG":
            # an organisation's name ("Guoxin International Investment Corp",
            # a company already named) is not a product
            words = self.key(span.text).split()
            known = self.by_name.get(self.key(span.text))
            if (words and words[-1] in ORG_WORDS) or (known is not None and known.type in ("Company", "Partner")):
                return None
        if span is not None:
            name = re.sub(r"^the\s+", "", self._org_name(span.text), flags=re.I)
        else:
            words = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i] + [tok]
            name = " ".join(w.text for w in words)
            if tok.pos_ == "NOUN":
                name = name[:1].upper() + name[1:]
        if tok.pos_ == "NOUN" and tok.tag_ == "NNS":
            kind = f"{kind} category" if kind else "product category"
        p = self.entity("Product", name, text, "product", 0.7)
        if kind and "kind" not in p.props:
            p.props["kind"] = kind
        return p

    def _objects(self, verb):
        """The things a verb acts on, through "any of" and conjunctions."""
        out = []
        for c in verb.children:
            if c.dep_ in ("dobj", "nsubjpass"):
                for t in [c, *(x for x in c.conjuncts if x.i > c.i)]:
                    if t.lower_ in QUANTIFIERS or t.lemma_.lower() in ("range", "line", "lineup", "portfolio"):
                        of = [p for p in t.children if p.lower_ == "of"]
                        t = next((g for g in of[0].children if g.dep_ == "pobj"), t) if of else t
                    out.append(t)
                    out.extend(x for x in t.conjuncts if x.i > t.i and x not in out)
        return out

    def _verbs(self, s, text):
        for t in s:
            lemma = t.lemma_.lower()
            if t.pos_ == "VERB" and lemma in ("enter", "expand"):
                self._entry(t, s, text)
            elif lemma == "partner" and t.pos_ == "VERB":
                self._partnership(t, s, text)
            elif lemma in ("launch", "release", "unveil", "introduce") and t.pos_ in ("VERB", "NOUN"):
                self._launch(t, s, text)
            elif lemma in ("raise", "secure") and t.pos_ == "VERB":
                self._funding(t, s, text)
            elif lemma == "sell" and t.pos_ == "VERB":
                self._sales(t, s, text)
            elif lemma in ("include", "offer") and t.pos_ == "VERB":
                # "any of its smartphones or even tablets": whose one of
                # them is, all of them are
                objs = [o for o in self._objects(t) if o.pos_ in ("NOUN", "PROPN")]
                owner = None
                for o in objs:
                    for c in o.children:
                        if c.dep_ == "poss":
                            owner = owner or self._resolve_org(c, s)
                for o in objs:
                    p = self._product(o, s, text)
                    if p is not None and owner is not None and owner.type in ("Company", "Partner"):
                        self.relate("HAS_PRODUCT", owner, p, text, "possessive", 0.7)
            elif (
                lemma in ("buy", "acquire", "purchase")
                or (lemma == "pay" and any(c.lower_ == "for" for c in t.children))
            ) and t.pos_ == "VERB":
                self._acquisition(t, s, text)
            elif lemma in ("acquisition", "purchase", "takeover", "buyout") and t.pos_ == "NOUN":
                self._acquisition_noun(t, s, text)
            elif (
                lemma == "take"
                and t.pos_ == "VERB"
                and any(c.dep_ == "dobj" and c.lower_ == "control" for c in t.children)
            ):
                # "to take control of Japan Telecom"
                self._take_control(t, s, text)
            elif lemma == "invest" and t.pos_ == "VERB":
                self._investment(t, s, text)
            elif (lemma == "list" and t.pos_ == "VERB") or (
                t.lower_ in ("ipo", "listing") and t.pos_ in ("NOUN", "PROPN")
            ):
                self._listing(t, s, text)
            elif lemma in ("appoint", "name", "hire", "join", "promote", "replace", "succeed") and t.pos_ == "VERB":
                self._appointment(t, s, text)
            elif lemma in ("leave", "quit", "resign", "step", "depart", "retire") and t.pos_ == "VERB":
                self._departure(t, s, text)
            elif lemma in ("found", "co-found", "cofound", "establish", "start") and t.pos_ == "VERB":
                self._founding(t, s, text)
            elif lemma in ("reveal", "announce", "unveil", "present") and t.pos_ == "VERB":
                self._announcement(t, s, text)
            elif lemma in ("state", "say", "tell", "mention") and t.pos_ == "VERB":
                self._speaker(t, s, text)

    def _owned(self, p, tok, s, text):
        """HAS_PRODUCT for "its X" and for what the organisation itself sells."""
        if p is None:
            return
        owner = None
        for c in tok.children:
            if c.dep_ == "poss":
                owner = self._resolve_org(c, s)
        first = tok
        while first.dep_ == "conj":
            first = first.head
            for c in first.children:
                if c.dep_ == "poss" and owner is None:
                    owner = self._resolve_org(c, s)
        if owner is not None and owner.type in ("Company", "Partner"):
            self.relate("HAS_PRODUCT", owner, p, text, "possessive", 0.75)

    def _entry(self, verb, s, text):
        org = self._subject_org(verb, s)
        markets = []
        for o in self._objects(verb):
            m = self._market_of(o, s)
            if m is not None:
                markets.append(m)
        if verb.lemma_.lower() == "expand":
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "into", "to"):
                    for g in c.children:
                        m = self._market_of(g, s)
                        if m is not None:
                            markets.append(m)
        if org is None or org.type not in ("Company", "Partner"):
            return
        for m in markets:
            planned = self._planned(verb)
            date = self._date(s, verb)
            if verb.lemma_.lower() == "expand":
                status = "planned" if planned else "expanded"
            else:
                status = "planned" if planned else "entered"
            self.relate(
                "IN_MARKET",
                org,
                m,
                text,
                f"{verb.lemma_} a market",
                0.75,
                status=status,
                since=date if status == "entered" else None,
            )
            if verb.lemma_.lower() == "enter" and not planned:
                ev = self.entity("Event", f"{org.name} enters {m.name}", text, "market entry", 0.7)
                ev.props.update({"kind": "MARKET_ENTRY", "status": "occurred"})
                if date:
                    ev.props.setdefault("date", date)
                self.relate("PARTICIPATED_IN", org, ev, text, "market entry", 0.7, role="entrant")
                self.relate("CONCERNS", ev, m, text, "market entry", 0.7)

    def _partnership(self, verb, s, text):
        org = self._subject_org(verb, s)
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "with":
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    partner = self._resolve_org(g, s)
                    if partner is None or org is None:
                        continue
                    exclusive = True if any(w.lower_ in ("exclusively", "exclusive") for w in verb.subtree) else None
                    market = None
                    for w in verb.subtree:
                        if w.dep_ == "pobj" and w.head.lower_ == "in":
                            market = market or self._market_of(w, s)
                    self.relate(
                        "PARTNERED_WITH",
                        org,
                        partner,
                        text,
                        "partnered with",
                        0.75,
                        exclusive=exclusive,
                        market=market.name if market else None,
                    )
                    # "partnered with Flipkart for selling X": the partner sells X.
                    for f in verb.children:
                        if f.dep_ == "prep" and f.lower_ == "for":
                            for v in f.children:
                                if v.lemma_.lower() == "sell":
                                    for o in self._objects(v):
                                        market = None
                                        for w in v.subtree:
                                            if w.dep_ == "pobj" and w.head.lower_ == "in":
                                                market = market or self._market_of(w, s)
                                        for item in self._sold_items(o, s, text):
                                            self.relate(
                                                "SELLS",
                                                partner,
                                                item,
                                                text,
                                                "partner sells",
                                                0.7,
                                                exclusive=exclusive,
                                                market=market.name if market else None,
                                            )

    def _sold_items(self, o, s, text):
        items = []
        for t in [o, *o.conjuncts]:
            # "(other) devices such as A and B": the examples, not the kind
            examples = [
                d
                for d in t.subtree
                if (h := self._list_head(d)) is not None and h.i == t.i and d.pos_ in ("NOUN", "PROPN")
            ]
            if examples or any(c.lower_ == "other" for c in t.children):
                for d in examples:
                    p = self._product(d, s, text, t.lemma_.lower())
                    if p is not None:
                        items.append(p)
                continue
            if t.pos_ in ("NOUN", "PROPN"):
                p = self._product(t, s, text)
                if p is not None:
                    items.append(p)
        return items

    def _launch(self, tok, s, text):
        products = []
        if tok.pos_ == "NOUN":
            for c in tok.children:
                if c.lower_ == "of":
                    products += [g for g in c.children if g.dep_ == "pobj"]
            anchor = tok.head.head if tok.dep_ == "pobj" else tok.head
        else:
            products = self._objects(tok)
            anchor = tok
        # A named product, not a common noun ("presales", "handsets").
        products = [p for p in products if named(p) or any(c.dep_ == "compound" and named(c) for c in p.children)]
        if not products:
            return
        org = self._subject_org(tok, s)
        planned = self._planned(tok)
        market = None
        for v in {tok, anchor, tok.head}:
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "into"):
                    for g in c.children:
                        market = market or self._market_of(g, s)
        date = self._date(s, tok)
        for pt in products:
            p = self._product(pt, s, text)
            if p is None:
                continue
            name = f"Launch of the {p.name}" + (f" in {market.name}" if market else "")
            if planned:
                name = "Planned l" + name[1:]
            ev = self.entity("Event", name, text, "launch", 0.7)
            ev.props.update({"kind": "PRODUCT_LAUNCH", "status": "planned" if planned else "occurred"})
            if date:
                ev.props.setdefault("date", date)
            self.relate("LAUNCHES", ev, p, text, "launch", 0.7)
            if market:
                self.relate("CONCERNS", ev, market, text, "launch", 0.7)
            if org is not None:
                self.relate("PARTICIPATED_IN", org, ev, text, "launch", 0.7, role="launcher")
                self.relate("HAS_PRODUCT", org, p, text, "launches its product", 0.65)

    def _money(self, tok, s):
        span = next((e for e in s.ents if e.label_ == "MONEY" and e.start <= tok.i < e.end), None)
        return span

    def _funding(self, verb, s, text):
        org = self._subject_org(verb, s)
        # Money raised by a listing is the listing's (figures), not a round;
        # "has raised $2.2 billion to date" is a total, not a round.
        if org is not None and (
            any(t.lower_ in ("offering", "ipo", "listing", "float", "flotation", "debut") for t in s)
            or any(
                r.type == "PARTICIPATED_IN" and r.source is org and r.target.props.get("kind") == "IPO"
                for r in self.relationships.values()
            )
        ):
            return
        if any(t.lower_ == "date" and t.head.lower_ == "to" and t.head.head.i == verb.i for t in s) or any(
            c.lower_ in ("total", "totalling", "cumulative", "overall")
            for o in verb.children
            if o.dep_ == "dobj"
            for c in o.children
        ):
            return
        money = None
        for o in self._objects(verb):
            money = money or self._money(o, s)
        if org is None or money is None:
            return
        ev = self.entity("Event", f"{org.name} raises {money.text}", text, "fundraising", 0.7)
        ev.props.update({"kind": "FUNDING", "status": "planned" if self._planned(verb) else "occurred"})
        value = amount(money.text)
        code = currency(money.text)
        if value is not None and code == "USD":
            ev.props["amountUsd"] = value
        elif value is not None and code:
            ev.props["amount"], ev.props["currency"] = value, code
        # "a Series E funding round", "its seed round"
        m = ROUND.search(s.text)
        if m:
            ev.props.setdefault("round", m.group(0)[:1].upper() + m.group(0)[1:])
        investors = []
        # Who put the money in: "from SoftBank and Tiger Global", "led by
        # Accel", "investors including A, B and C", "backed by".
        for w in verb.subtree:
            if w.ent_type_ != "ORG" or w.dep_ not in ("pobj", "conj", "appos", "dobj"):
                continue
            anchor = w
            while anchor.dep_ in ("conj", "appos") and anchor.head.i != anchor.i:
                anchor = anchor.head
            if (
                anchor.dep_ == "pobj"
                and anchor.head.lower_ in ("from", "by", "including", "with")
                and (
                    anchor.head.lower_ != "by" or anchor.head.head.lemma_.lower() in ("lead", "back", "co-lead", "join")
                )
            ):
                investor = self._resolve_org(w, s)
                if investor is not None and investor is not org:
                    self.relate("PARTICIPATED_IN", investor, ev, text, "investor in a round", 0.65, role="investor")
                    investors.append(investor)
        date = self._date(s, verb)
        if date:
            ev.props.setdefault("date", date)
        # "... made its total valuation close to $45 billion"
        for t in s:
            if t.lemma_.lower() == "valuation":
                for e in s.ents:
                    if e.label_ == "MONEY" and e.start > t.i:
                        words = e.text.split("$")[0].strip()
                        v = amount(e.text)
                        if v is not None:
                            ev.props["valuationUsd"] = v
                            if words:
                                ev.props["valuationQualifier"] = words
                        break
        self.relate("PARTICIPATED_IN", org, ev, text, "fundraising", 0.7, role="fundraiser")
        for investor in investors:
            self.relate(
                "INVESTED_IN",
                investor,
                org,
                text,
                "investor in a round",
                0.65,
                round=ev.props.get("round"),
                date=ev.props.get("date"),
            )

    def _sales(self, verb, s, text):
        org = self._subject_org(verb, s)
        for o in self._objects(verb):
            if o.ent_type_ == "ORG" or o.lemma_.lower() in DIVESTED or o.lower_ in DIVESTED:
                # Selling a company, a unit or a stake is a deal, not a product.
                self._divestiture(verb, o, org, s, text)
                continue
            count = next((c for c in o.children if c.dep_ == "nummod"), None)
            product_tok = o
            if o.pos_ == "NUM":
                count, product_tok = o, None
            if count is None:
                # "Flipkart sells smartphones": what it sells, not a sale
                if org is not None and org.type in ("Company", "Partner") and o.pos_ in ("NOUN", "PROPN"):
                    for item in self._sold_items(o, s, text):
                        self.relate("SELLS" if org.type == "Partner" else "HAS_PRODUCT", org, item, text, "sells", 0.65)
                continue
            units = amount(" ".join(w.text for w in count.subtree))
            product = self._product(product_tok, s, text) if product_tok is not None else None
            if product is None:
                # "of which one million were sold": the items of the sales
                # sentence before
                prior = [r for r in self.relationships.values() if r.type == "ABOUT" and text in r.sentences]
                product = prior[-1].target if prior else None
            market = None
            for c in verb.children:
                if c.dep_ == "prep" and c.lower_ == "in":
                    for g in c.children:
                        market = market or self._market_of(g, s)
            if org is None:
                continue
            name = (
                f"{org.name} sells {' '.join(w.text for w in count.subtree)}"
                + (f" {product.name.lower()}" if product else "")
                + (f" in {market.name}" if market else "")
            )
            ev = self.entity("Event", name, text, "sales", 0.65)
            ev.props.update({"kind": "SALES", "status": "occurred"})
            if units is not None:
                ev.props["unitsSold"] = int(units)
            date = self._date(s, verb)
            if date:
                ev.props.setdefault("date", date)
            self.relate("PARTICIPATED_IN", org, ev, text, "sales", 0.65, role="seller")
            if product is not None:
                self.relate("ABOUT", ev, product, text, "sales", 0.65)
            if market is not None:
                self.relate("CONCERNS", ev, market, text, "sales", 0.65)
            # Sales in a market that are part of the sales the sentence
            # states first.
            if verb.dep_ == "relcl":
                whole = [
                    r.target
                    for r in self.relationships.values()
                    if r.type == "PARTICIPATED_IN"
                    and text in r.sentences
                    and r.target is not ev
                    and r.target.props.get("kind") == "SALES"
                ]
                if whole:
                    self.relate("PART_OF", ev, whole[0], text, "sales within sales", 0.6)

    def _divestiture(self, verb, obj, seller, s, text):
        """ "LG sells its water units to Techcross": an acquisition by the
        buyer "to" names, of the organisation sold or its stake."""
        buyer = self._org_after(verb, "to", s)
        target, stake = None, None
        if obj.ent_type_ == "ORG":
            target = self._resolve_org(obj, s)
        else:
            for w in obj.subtree:
                if w.dep_ == "pobj" and w.head.lower_ in ("in", "of") and w.ent_type_ == "ORG":
                    target = target or self._resolve_org(w, s)
                if w.like_num and w.head.lower_ in ("%", "percent", "stake") or (w.like_num and w.head.i == obj.i):
                    stake = stake if stake is not None else amount(w.text)
            # "its IT subsidiary, LG CNS"
            target = target or next((self._resolve_org(c, s) for c in obj.children if c.dep_ == "appos"), None)
        if (
            target is None
            and buyer is not None
            and seller is not None
            and buyer is not seller
            and (obj.lemma_.lower() in UNITS or obj.lower_ in UNITS)
        ):
            # "3M sold its prisoner electronic-monitoring business to Apax"
            self._unit_sale(verb, buyer, seller, s, text)
            return
        if seller is None or target is None or target is seller:
            return
        planned = self._planned(verb)
        name = f"{buyer.name} buys {target.name}" if buyer is not None else f"{seller.name} sells {target.name}"
        ev = self.entity("Event", name, text, "divestiture", 0.65)
        ev.props.update({"kind": "ACQUISITION", "status": "planned" if planned else "occurred"})
        if (
            stake is not None
            and 0 < stake <= 100
            and obj.lower_ in ("stake", "%", "percent", "share", "shares", "interest")
        ):
            ev.props["stakePercent"] = stake
        self._price(self._for(verb), s, ev)
        self.relate("PARTICIPATED_IN", seller, ev, text, "divestiture", 0.65, role="seller")
        self.relate("PARTICIPATED_IN", target, ev, text, "divestiture", 0.65, role="target")
        if buyer is not None and buyer not in (seller, target):
            self.relate("PARTICIPATED_IN", buyer, ev, text, "divestiture", 0.65, role="acquirer")
            if not planned:
                self.relate("OWNS", buyer, target, text, "divestiture", 0.7, stakePercent=ev.props.get("stakePercent"))

    def _org_after(self, tok, prep, s):
        """The organisation a preposition of the word names: "to Techcross",
        "of Estacio", "by Y"."""
        for c in tok.children:
            if c.dep_ in ("prep", "agent") and c.lower_ == prep:
                for g in c.children:
                    if g.dep_ == "pobj":
                        org = self._resolve_org(g, s)
                        if org is not None:
                            return org
        return None

    def _price(self, heads, s, ev):
        """The price of a deal: the first money the phrases of heads give
        ("for $16 billion", or what "pay" takes)."""
        for c in heads:
            for g in c.subtree:
                m = self._money(g, s)
                if m is not None and currency(m.text):
                    ev.props.setdefault("amount", amount(m.text))
                    ev.props.setdefault("currency", currency(m.text))
                    return

    @staticmethod
    def _for(verb):
        return [c for c in verb.children if c.dep_ == "prep" and c.lower_ == "for"]

    def _take_control(self, verb, s, text):
        control = next(c for c in verb.children if c.dep_ == "dobj" and c.lower_ == "control")
        target = next((self._resolve_org(g, s) for c in control.children if c.lower_ == "of" for g in c.children), None)
        buyer = self._subject_org(verb, s)
        if buyer is None or target is None or buyer is target:
            return
        planned = self._planned(verb)
        ev = self.entity("Event", f"{buyer.name} buys {target.name}", text, "takes control", 0.65)
        ev.props.update({"kind": "ACQUISITION", "status": "planned" if planned else "occurred"})
        self.relate("PARTICIPATED_IN", buyer, ev, text, "takes control", 0.65, role="acquirer")
        self.relate("PARTICIPATED_IN", target, ev, text, "takes control", 0.65, role="target")

    def _consortium(self, verb, s):
        """ "A group of Chinese investors including ChemChina agreed to buy":
        the first organisation the subject names as a member."""
        v = verb
        for _ in range(4):
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            if subj is not None:
                for w in subj.subtree:
                    if w.dep_ == "pobj" and w.head.lower_ in ("including", "led") and w.ent_type_ == "ORG":
                        return self._resolve_org(w, s)
                return None
            if v.head is v:
                return None
            v = v.head
        return None

    def _unit_sale(self, verb, buyer, seller, s, text):
        """A sale of an unnamed part of an organisation: the buyer and the
        seller of it."""
        planned = self._planned(verb)
        ev = self.entity("Event", f"{buyer.name} buys a unit of {seller.name}", text, "sale of a unit", 0.6)
        ev.props.update({"kind": "ACQUISITION", "status": "planned" if planned else "occurred"})
        self._price(self._for(verb), s, ev)
        self.relate("PARTICIPATED_IN", buyer, ev, text, "sale of a unit", 0.6, role="acquirer")
        self.relate("PARTICIPATED_IN", seller, ev, text, "sale of a unit", 0.6, role="seller")

    def _acquisition_noun(self, tok, s, text):
        """ "its planned purchase of Estacio", "a $150m acquisition of
        Pro-Trader", "the takeover of X by Y": a deal named by a noun."""
        target = self._org_after(tok, "of", s)
        if target is None:
            return
        buyer = next((self._resolve_org(c, s) for c in tok.children if c.dep_ == "poss"), None)
        if buyer is None:
            buyer = self._org_after(tok, "by", s)
        if buyer is None and tok.dep_ in ("dobj", "nsubj"):
            # "It made its first acquisition ... with the purchase of X"
            buyer = self._subject_org(tok.head, s) if tok.dep_ == "dobj" else None
        if buyer is None and tok.dep_ == "pobj" and tok.head.head.pos_ in ("VERB", "NOUN"):
            h = tok.head.head
            buyer = (
                self._subject_org(h, s)
                if h.pos_ == "VERB"
                else next((self._resolve_org(c, s) for c in h.children if c.dep_ == "poss"), None)
            )
        if buyer is None or buyer is target:
            return
        planned = any(
            c.lower_ in ("planned", "proposed", "potential", "possible") for c in tok.children
        ) or self._planned(tok.head)
        ev = self.entity("Event", f"{buyer.name} buys {target.name}", text, "acquisition", 0.6)
        ev.props.update({"kind": "ACQUISITION", "status": "planned" if planned else "occurred"})
        for w in tok.subtree:
            m = self._money(w, s)
            if m is not None and currency(m.text) and w.i < tok.i:
                ev.props.setdefault("amount", amount(m.text))
                ev.props.setdefault("currency", currency(m.text))
                break
        self.relate("PARTICIPATED_IN", buyer, ev, text, "acquisition", 0.6, role="acquirer")
        self.relate("PARTICIPATED_IN", target, ev, text, "acquisition", 0.6, role="target")

    def _acquisition(self, verb, s, text):
        """ "Acme agreed to buy a 77% stake in Beta for $16 billion",
        "Beta was acquired by Acme", "bought Beta from Gamma"."""
        passive = any(c.dep_ in ("nsubjpass", "auxpass", "agent") for c in verb.children) or (
            verb.tag_ == "VBN" and verb.dep_ == "acl"
        )
        if passive:
            buyer = next(
                (
                    self._resolve_org(g, s)
                    for c in verb.children
                    if c.dep_ == "agent"
                    for g in c.children
                    if g.dep_ == "pobj"
                ),
                None,
            )
            objs = [c for c in verb.children if c.dep_ == "nsubjpass"] or ([verb.head] if verb.dep_ == "acl" else [])
        else:
            buyer = self._subject_org(verb, s) or self._consortium(verb, s)
            objs = self._objects(verb)
        # "pay $16 billion for a 77 percent stake in Flipkart"
        if verb.lemma_.lower() == "pay":
            objs = [
                g
                for c in verb.children
                if c.dep_ == "prep" and c.lower_ == "for"
                for g in c.children
                if g.dep_ == "pobj"
            ]
        seller = None
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "from":
                seller = next((self._resolve_org(g, s) for g in c.children if g.dep_ == "pobj"), None)
        for o in objs:
            target_tok, stake = o, None
            if o.lower_ in ("%", "percent", "stake", "share", "shares", "interest") or o.lemma_.lower() in (
                "stake",
                "share",
                "interest",
                "percent",
            ):
                num = next((c for c in o.subtree if c.like_num and c.i < o.i + 3), None)
                stake = amount(num.text) if num is not None and o.lower_ != "shares" else None
                target_tok = next(
                    (g for c in o.children if c.lower_ in ("of", "in") for g in c.children if g.dep_ == "pobj"), None
                )
                if target_tok is None:
                    target_tok = next(
                        (
                            g
                            for w in o.subtree
                            if w.lower_ in ("of", "in") and w.dep_ == "prep"
                            for g in w.children
                            if g.dep_ == "pobj"
                        ),
                        None,
                    )
            if target_tok is None:
                continue
            target = self._resolve_org(target_tok, s)
            if (
                target is None
                and buyer is not None
                and (target_tok.lemma_.lower() in UNITS or target_tok.lower_ in UNITS)
            ):
                # "Gemalto bought 3M's identity management business": a part
                # of the seller, unnamed
                seller = seller or next(
                    (self._resolve_org(c, s) for c in target_tok.children if c.dep_ == "poss"), None
                )
                if seller is not None and seller is not buyer:
                    self._unit_sale(verb, buyer, seller, s, text)
                continue
            if buyer is None or target is None or buyer is target:
                continue
            planned = self._planned(verb)
            ev = self.entity("Event", f"{buyer.name} buys {target.name}", text, "acquisition", 0.65)
            ev.props.update({"kind": "ACQUISITION", "status": "planned" if planned else "occurred"})
            if stake is not None and 0 < stake <= 100:
                ev.props["stakePercent"] = stake
            self._price([verb] if verb.lemma_.lower() == "pay" else self._for(verb), s, ev)
            date = self._date(s, verb)
            if date:
                ev.props.setdefault("date", date)
            self.relate("PARTICIPATED_IN", buyer, ev, text, "acquisition", 0.65, role="acquirer")
            self.relate("PARTICIPATED_IN", target, ev, text, "acquisition", 0.65, role="target")
            if seller is not None and seller not in (buyer, target):
                self.relate("PARTICIPATED_IN", seller, ev, text, "acquisition", 0.65, role="seller")
            if not planned:
                self.relate(
                    "OWNS",
                    buyer,
                    target,
                    text,
                    "acquisition",
                    0.7,
                    stakePercent=ev.props.get("stakePercent"),
                    since=date,
                )

    def _announcement(self, verb, s, text):
        org = self._subject_org(verb, s)
        place = None
        at_event = False
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "at":
                for g in c.children:
                    if g.lemma_.lower() in ("event", "conference", "launch", "briefing", "keynote", "show", "summit"):
                        at_event = True
                        for p in g.children:
                            if p.lower_ == "in":
                                for gg in p.children:
                                    if gg.ent_type_ in ("GPE", "LOC"):
                                        place = s.doc[
                                            min(w.i for w in gg.subtree) : max(w.i for w in gg.subtree) + 1
                                        ].text
        if org is None or not at_event:
            return
        name = f"{org.name} announcement" + (f" in {place}" if place else "")
        ev = self.entity("Event", name, text, "announcement at an event", 0.65)
        ev.props.update({"kind": "ANNOUNCEMENT", "status": "occurred"})
        if place:
            ev.props["place"] = place
        self.relate("PARTICIPATED_IN", org, ev, text, "announcement", 0.65, role="announcer")
        self._event = ev

    def _speaker(self, verb, s, text):
        """A person who states something "at the event" took part in it."""
        ev = getattr(self, "_event", None)
        if ev is None:
            return
        for c in verb.children:
            if (
                c.dep_ == "prep"
                and c.lower_ == "at"
                and any(g.lemma_.lower() == "event" and any(d.lower_ == "the" for d in g.children) for g in c.children)
            ):
                subj = next((x for x in verb.children if x.dep_ == "nsubj"), None)
                if subj is None or subj.ent_type_ != "PERSON":
                    continue
                span = next((e for e in s.ents if e.start <= subj.i < e.end), None)
                person = self.by_name.get(norm(self._org_name(span.text))) if span is not None else None
                if person is None:
                    continue
                works = [r for r in self.relationships.values() if r.type == "WORKS_FOR" and r.source is person]
                title = works[0].props.get("title") if works else None
                self.relate(
                    "PARTICIPATED_IN", person, ev, text, "speaker at the event", 0.6, role="announcer", title=title
                )
                ev.cite(text)

    def _person_of(self, tok, s) -> Entity | None:
        if tok is None:
            return None
        span = next((e for e in s.ents if e.label_ == "PERSON" and e.start <= tok.i < e.end), None)
        if span is None:
            return None
        e = self.by_name.get(norm(self._org_name(span.text)))
        return e if e is not None and e.type == "Executive" else None

    def _as_title(self, verb, s):
        """The title in "as chief financial officer (of Acme)", and the
        organisation after it."""
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ == "as":
                for g in c.children:
                    if g.dep_ == "pobj":
                        words = [w for w in g.subtree if w.i <= g.i and w.dep_ not in ("det", "poss", "case")]
                        org = None
                        for w in g.subtree:
                            if w.i > g.i and w.ent_type_ == "ORG":
                                org = self._resolve_org(w, s)
                                break
                        return " ".join(w.text for w in words), org
        return None, None

    def _people_event(self, kind, person, org, s, text, title, verb, rule):
        date = self._date(s, verb)
        planned = self._planned(verb)
        name = {"APPOINTMENT": f"{person.name} joins {org.name}", "DEPARTURE": f"{person.name} leaves {org.name}"}[kind]
        ev = self.entity("Event", name, text, rule, 0.65)
        ev.props.update({"kind": kind, "status": "planned" if planned else "occurred"})
        if date:
            ev.props.setdefault("date", date)
        role = "appointee" if kind == "APPOINTMENT" else "departing"
        self.relate("PARTICIPATED_IN", person, ev, text, rule, 0.65, role=role, title=title)
        self.relate("PARTICIPATED_IN", org, ev, text, rule, 0.65, role="employer")
        if kind == "APPOINTMENT":
            self.relate("WORKS_FOR", person, org, text, rule, 0.7, title=title, current=True, since=date)
        else:
            self.relate("WORKS_FOR", person, org, text, rule, 0.7, title=title, current=planned, until=date)

    def _appointment(self, verb, s, text):
        """ "Acme appointed Jane Doe as CFO", "Jane Doe joined Acme as CFO",
        "Jane Doe was named chief executive of Acme"."""
        lemma = verb.lemma_.lower()
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        title, title_org = self._as_title(verb, s)
        person = org = None
        if lemma == "join":
            person, org = self._person_of(subj, s), self._resolve_org(obj, s) if obj is not None else None
        elif passive is not None:
            person = self._person_of(passive, s)
            attr = next((c for c in verb.children if c.dep_ in ("oprd", "attr", "xcomp")), None)
            if attr is not None and title is None:
                title = " ".join(w.text for w in attr.subtree if w.i <= attr.i and w.dep_ not in ("det", "poss"))
                for w in attr.subtree:
                    if w.i > attr.i and w.ent_type_ == "ORG":
                        title_org = self._resolve_org(w, s)
                        break
            org = title_org
        elif lemma in ("replace", "succeed"):
            # "Parag Agrawal will replace Dorsey as CEO": one comes, one goes
            person = self._person_of(subj, s)
            leaving = self._person_of(obj, s)
            if person is not None and leaving is not None:
                org = title_org or self._employer(leaving) or self._employer(person) or self._article_org(verb)
                if org is not None and org.type in ("Company", "Partner"):
                    self._people_event("DEPARTURE", leaving, org, s, text, title, verb, "replaced")
        else:
            person = self._person_of(obj, s)
            org = self._resolve_org(subj, s) if subj is not None else None
        org = org or title_org
        if org is None and person is not None and title is not None:
            # "Jane Doe was named chief executive": of the article's organisation
            org = self._employer(person) or self._article_org(verb)
        if person is None or org is None or org.type not in ("Company", "Partner"):
            return
        self._people_event("APPOINTMENT", person, org, s, text, title, verb, "appointment")

    def _employer(self, person):
        """The organisation the article says the person works for, if one."""
        works = {
            r.target.id: r.target for r in self.relationships.values() if r.type == "WORKS_FOR" and r.source is person
        }
        return next(iter(works.values())) if len(works) == 1 else None

    def _article_org(self, tok):
        """The organisation the article is about, once it has been named."""
        if self.main is not None and self._named_before(self.main, tok):
            e = self.by_name.get(self.main)
            if e is not None and e.type in ("Company", "Partner"):
                return e
        return None

    def _departure(self, verb, s, text):
        """ "John Smith will leave Acme", "John Smith stepped down as chief
        executive of Beta Inc.", "resigned from Acme"."""
        lemma = verb.lemma_.lower()
        if lemma == "step" and not any(c.lower_ in ("down", "aside") for c in verb.children):
            return
        if lemma == "start":
            return
        person = self._person_of(next((c for c in verb.children if c.dep_ == "nsubj"), None), s)
        title, org = self._as_title(verb, s)
        if org is None:
            for c in verb.children:
                if c.dep_ == "dobj":
                    org = self._resolve_org(c, s)
                elif c.dep_ == "prep" and c.lower_ in ("from", "at"):
                    for g in c.children:
                        org = org or self._resolve_org(g, s)
        if person is not None and org is None:
            # "Tesla's finance chief Zachary Kirkhorn has stepped down"
            org = self._employer(person) or self._article_org(verb)
        if person is None or org is None or org.type not in ("Company", "Partner"):
            return
        if title is None:
            works = [
                r
                for r in self.relationships.values()
                if r.type == "WORKS_FOR" and r.source is person and r.target is org
            ]
            title = works[0].props.get("title") if works else None
        self._people_event("DEPARTURE", person, org, s, text, title, verb, "departure")

    def _founding(self, verb, s, text):
        """ "Google was founded by Larry Page and Sergey Brin in 1998",
        "Elon Musk founded SpaceX"."""
        if verb.lemma_.lower() == "start" and not any(c.dep_ == "dobj" and c.ent_type_ == "ORG" for c in verb.children):
            return
        founders, org = [], None
        passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
        if passive is not None:
            org = self._resolve_org(passive, s)
            for c in verb.children:
                if c.dep_ == "agent":
                    for g in c.children:
                        for p in [g, *g.conjuncts]:
                            founders.append(self._person_of(p, s))
        else:
            subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
            if subj is not None:
                founders = [self._person_of(p, s) for p in [subj, *subj.conjuncts]]
            org = self._resolve_org(obj, s) if obj is not None else None
        founders = [f for f in founders if f is not None]
        if org is None or org.type not in ("Company", "Partner") or not founders:
            return
        date = self._date(s, verb)
        ev = self.entity("Event", f"Founding of {org.name}", text, "founding", 0.7)
        ev.props.update({"kind": "FOUNDING", "status": "occurred"})
        if date:
            ev.props.setdefault("date", date)
        self.relate("PARTICIPATED_IN", org, ev, text, "founding", 0.7, role="founded")
        for f in founders:
            self.relate("PARTICIPATED_IN", f, ev, text, "founding", 0.7, role="founder")
            self.relate("FOUNDED", f, org, text, "founding", 0.7, when=date)

    def _investment(self, verb, s, text):
        """ "Microsoft invested $10 billion in OpenAI"."""
        investor = self._subject_org(verb, s)
        money, investee = None, None
        for c in verb.children:
            if c.dep_ == "dobj":
                money = money or self._money(c, s)
            for w in c.subtree if c.dep_ in ("dobj", "prep") else []:
                if w.dep_ == "pobj" and w.head.lower_ == "in":
                    investee = investee or self._org_at(w, s)
        if investor is None or investee is None:
            return
        ev = self.entity("Event", f"{investor.name} invests in {investee.name}", text, "investment", 0.65)
        ev.props.update({"kind": "INVESTMENT", "status": "planned" if self._planned(verb) else "occurred"})
        if money is not None and currency(money.text):
            ev.props["amount"], ev.props["currency"] = amount(money.text), currency(money.text)
        date = self._date(s, verb)
        if date:
            ev.props.setdefault("date", date)
        self.relate("PARTICIPATED_IN", investor, ev, text, "investment", 0.65, role="investor")
        self.relate("PARTICIPATED_IN", investee, ev, text, "investment", 0.65, role="investee")
        self.relate(
            "INVESTED_IN",
            investor,
            investee,
            text,
            "investment",
            0.65,
            amount=ev.props.get("amount"),
            currency=ev.props.get("currency"),
            date=ev.props.get("date"),
        )

    def _org_at(self, tok, s) -> Entity | None:
        """The organisation a word names, where the model did not tag it
        one (a name such as "OpenAI" read as a place): a proper noun."""
        org = self._resolve_org(tok, s)
        if org is not None:
            return org
        if tok.pos_ in ("PROPN", "NOUN") and tok.text[:1].isupper():
            span = next((e for e in s.ents if e.start <= tok.i < e.end), None)
            name = span.text if span is not None else tok.text
            return self.entity("Company", name, s.text.strip(), "named organisation", 0.6)
        return None

    def _listing(self, tok, s, text):
        """ "Arm listed on the Nasdaq, raising $4.87 billion at $51 a share",
        "Alibaba's IPO on the New York Stock Exchange raised $25 billion"."""
        if tok.pos_ == "VERB":
            issuer = self._subject_org(tok, s) or (self._resolve_org(tok.head, s) if tok.dep_ == "acl" else None)
            if issuer is None and tok.dep_ == "acl" and tok.head.pos_ in ("PROPN", "NOUN"):
                issuer = self._org_at(tok.head, s)
            scope = tok
        else:
            issuer = next((self._resolve_org(c, s) for c in tok.children if c.dep_ == "poss"), None)
            if issuer is None and tok.dep_ == "pobj" and tok.head.lower_ == "of":
                issuer = None
            scope = tok.head if tok.dep_ in ("nsubj", "dobj") else tok
            if issuer is None:
                poss = next((c for c in tok.children if c.dep_ == "poss"), None)
                issuer = self._org_at(poss, s) if poss is not None else None
        if issuer is None or issuer.type not in ("Company", "Partner"):
            return
        exchange = None
        for w in list(tok.subtree) + list(scope.subtree):
            if w.dep_ == "pobj" and w.head.lower_ == "on":
                span = next((e for e in s.ents if e.start <= w.i < e.end), None)
                exchange = re.sub(r"^the\s+", "", span.text if span is not None else w.text, flags=re.I)
                break
        if exchange is None and tok.pos_ == "VERB":
            return
        ev = self.entity("Event", f"{issuer.name} IPO", text, "listing", 0.65)
        ev.props.update(
            {"kind": "IPO", "status": "planned" if self._planned(tok if tok.pos_ == "VERB" else scope) else "occurred"}
        )
        if exchange:
            ev.props["exchange"] = exchange
        for w in scope.subtree:
            if w.lemma_.lower() == "raise":
                for o in self._objects(w):
                    m = self._money(o, s)
                    if m is not None and currency(m.text):
                        ev.props["amount"], ev.props["currency"] = amount(m.text), currency(m.text)
            if w.lower_ == "share" and w.head.pos_ == "NUM":
                price = amount(w.head.text)
                if price is not None:
                    ev.props["pricePerShare"] = price
        date = self._date(s, scope)
        if date:
            ev.props.setdefault("date", date)
        self.relate("PARTICIPATED_IN", issuer, ev, text, "listing", 0.65, role="issuer")

    # -- answer --------------------------------------------------------------

    def facts(self) -> list[dict]:
        """The facts as the API's FactInput, each with its confidence and
        the rule that found it: entities first, then relationships."""
        out = []
        types = {
            "Company": "company",
            "Executive": "executive",
            "Event": "event",
            "Market": "market",
            "Product": "product",
            "Partner": "partner",
        }
        for e in self.entities.values():
            body = {"id": e.id, "name": e.name}
            if e.type != "Event":
                body["aliases"] = sorted(e.aliases)
            body.update(e.props)
            out.append({types[e.type]: body, "sentences": e.sentences, "confidence": e.confidence, "rule": e.rule})
        for r in self.relationships.values():
            body = {"type": r.type, "from": r.source.id, "to": r.target.id}
            body.update(r.props)
            out.append(
                {
                    "relationship": body,
                    "sentences": r.sentences,
                    "confidence": r.confidence,
                    "rule": r.rule,
                    "fromType": r.source.type,
                    "toType": r.target.type,
                }
            )
        return out


def extract(nlp, text: str, title: str | None = None, known: list[dict] | None = None) -> list[dict]:
    """The facts text states (see Article.facts)."""
    return Article(nlp, text, title, known).run().facts()


def english(nlp, text: str) -> float:
    """How English the text reads, 0 to 1: the share of its words that are
    English function words ("the", "of", "and"...), which are a third to a
    half of any English prose and few of another language's, scaled so that
    a third or more is 1; a text mostly in another script is 0. A passage
    made mostly of names (company names, a person's titles) has few
    function words among all its words but many among its common ones
    (words not written with a capital), so it is scored on those too, where
    a fifth is one half. The rules read English only."""
    text = text[:20000]
    letters = [c for c in text if c.isalpha()]
    if letters and sum(1 for c in letters if c < "\u0250") < len(letters) / 2:
        return 0.0
    words = [t for t in nlp.make_doc(text) if t.is_alpha]
    if len(words) < 20:
        # too short to tell: a headline has few function words
        return 1.0
    share = 3 * sum(1 for t in words if t.is_stop) / len(words)
    common = [t for t in words if not t.text[:1].isupper()]
    if len(common) >= 6:
        share = max(share, 2.5 * sum(1 for t in common if t.is_stop) / len(common))
        # Prose dense with nouns ("a health plan expense management portal")
        # has few function words, but none of another language's.
        foreign = sum(1 for t in common if t.lower_ in FOREIGN_FUNCTION_WORDS)
        if foreign == 0 and sum(1 for t in common if t.is_stop) >= 0.12 * len(common):
            share = max(share, 0.5)
    return min(1.0, share)


# Function words of French, German, Spanish, Italian, Portuguese and Dutch
# that are not English words.
FOREIGN_FUNCTION_WORDS = {
    "le",
    "les",
    "des",
    "du",
    "et",
    "une",
    "dans",
    "pour",
    "avec",
    "sur",
    "est",
    "sont",
    "und",
    "der",
    "ist",
    "nicht",
    "mit",
    "von",
    "zu",
    "auf",
    "für",
    "sich",
    "dass",
    "el",
    "los",
    "las",
    "del",
    "y",
    "que",
    "por",
    "una",
    "como",
    "pero",
    "il",
    "di",
    "che",
    "della",
    "sono",
    "questo",
    "het",
    "een",
    "van",
    "niet",
    "zijn",
    "voor",
    "naar",
    "deze",
    "uma",
    "os",
    "em",
    "não",
    "também",
    "à",
    "às",
    "ao",
    "nel",
    "nella",
    "degli",
    "dei",
    "al",
    "je",
}
