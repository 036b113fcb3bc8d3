"""Generic patterns over the dependency parse for the facts a company graph
holds of people and organisations: who works where and as what, who
founded what and when, where an organisation is headquartered, and which
organisation owns which.

Each pattern reads the path the parse draws between two named mentions,
not the words of a particular sentence: "Tim Cook is the chief executive
of Apple", "Apple's chief executive, Tim Cook", "Apple CEO Tim Cook" and
"Tim Cook, who serves as Apple's CEO" are one path shape each, through a
title. A path may pass only through words that carry the relation (titles,
"of", "at", "as", "'s", and a few verbs such as "serve" and "join");
anything else on it (another name, a verb of saying or meeting) means the
two mentions are not related by it, which keeps precision high.
"""

from __future__ import annotations

import re

# Nouns that name a position someone holds in an organisation.
TITLES = {
    "president",
    "ceo",
    "cfo",
    "coo",
    "cto",
    "cmo",
    "cio",
    "cso",
    "cpo",
    "chairman",
    "chairwoman",
    "chair",
    "chairperson",
    "director",
    "officer",
    "executive",
    "head",
    "founder",
    "co-founder",
    "cofounder",
    "manager",
    "partner",
    "treasurer",
    "secretary",
    "vp",
    "svp",
    "evp",
    "md",
    "principal",
    "boss",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "owner",
    "member",
    "employee",
    "engineer",
    "analyst",
    "economist",
    "editor",
    "reporter",
    "correspondent",
    "journalist",
    "columnist",
    "scientist",
    "researcher",
    "consultant",
    "adviser",
    "advisor",
    "counsel",
    "attorney",
    "lawyer",
    "architect",
    "designer",
    "developer",
    "producer",
    "professor",
    "lecturer",
    "instructor",
    "dean",
    "fellow",
    "scholar",
    "strategist",
    "trader",
    "banker",
    "accountant",
    "auditor",
    "chief",
    "leader",
    "chancellor",
    "governor",
    "commissioner",
    "superintendent",
    "administrator",
    "coordinator",
    "specialist",
    "associate",
    "staff",
    "staffer",
    "worker",
    "controller",
    "comptroller",
    "trustee",
    "board",
    "vice-president",
    "vice-chairman",
    "programmer",
    "inventor",
    "entrepreneur",
    "investor",
    "representative",
    "agent",
    "ambassador",
    "presenter",
    "anchor",
    "host",
    "coach",
    "captain",
    "player",
    "pilot",
    "physician",
    "surgeon",
    "nurse",
    "pharmacist",
    "chemist",
    "physicist",
    "technician",
    "officeholder",
    "clerk",
    "steward",
}
# Words that qualify a title and belong to it ("Global Vice President").
TITLE_MODIFIERS = {
    "vice",
    "chief",
    "executive",
    "senior",
    "junior",
    "global",
    "regional",
    "deputy",
    "interim",
    "acting",
    "managing",
    "general",
    "assistant",
    "associate",
    "principal",
    "lead",
    "group",
    "co",
    "founding",
    "non-executive",
    "independent",
    "joint",
    "country",
    "national",
    "international",
    "corporate",
    "creative",
    "financial",
    "operating",
    "technology",
    "technical",
    "marketing",
    "commercial",
    "product",
    "research",
    "sales",
    "communications",
    "investment",
    "legal",
    "digital",
    "information",
    "strategy",
    "brand",
    "business",
    "development",
    "operations",
    "finance",
    "engineering",
    "design",
    "editorial",
    "news",
    "program",
    "project",
    "of",
    "and",
    "&",
    "board",
    "directors",
    "-",
}
FOUNDER_TITLES = {"founder", "co-founder", "cofounder"}
# Words that make a position one held before.
FORMER = {
    "former",
    "ex",
    "ex-",
    "then",
    "previously",
    "erstwhile",
    "outgoing",
    "late",
    "retired",
    "onetime",
    "one-time",
    "once",
}

# Nouns for kinds of organisations: "X is a coin dealer" makes X one.
ORG_KINDS = {
    "company",
    "firm",
    "corporation",
    "business",
    "startup",
    "start-up",
    "band",
    "group",
    "team",
    "club",
    "label",
    "school",
    "university",
    "college",
    "organization",
    "organisation",
    "agency",
    "institute",
    "institution",
    "foundation",
    "charity",
    "society",
    "association",
    "bank",
    "manufacturer",
    "maker",
    "developer",
    "publisher",
    "retailer",
    "chain",
    "brand",
    "network",
    "station",
    "channel",
    "newspaper",
    "magazine",
    "studio",
    "airline",
    "carrier",
    "operator",
    "provider",
    "producer",
    "league",
    "party",
    "church",
    "museum",
    "hospital",
    "orchestra",
    "restaurant",
    "hotel",
    "franchise",
    "cooperative",
    "subsidiary",
    "division",
    "consultancy",
    "fund",
    "trust",
    "conglomerate",
    "insurer",
    "lender",
    "dealer",
    "distributor",
    "supplier",
    "exporter",
    "importer",
    "outlet",
    "broadcaster",
    "publication",
    "journal",
    "theatre",
    "theater",
    "academy",
    "council",
    "committee",
    "union",
    "federation",
    "partnership",
    "practice",
    "enterprise",
    "venture",
    "holding",
    "utility",
    "cinema",
    "festival",
    "choir",
    "ensemble",
    "troupe",
    "imprint",
    "website",
    "service",
    "platform",
    "app",
    "marketplace",
    "exchange",
    "laboratory",
    "lab",
    "centre",
    "center",
    "clinic",
    "department",
    "ministry",
    "regiment",
}
REFUSED_ORG_NAMES = {"it", "he", "she", "they", "this", "that", "which", "who", "company", "firm"}

# Nouns for a position held, through which work reaches an organisation.
WORK_NOUNS = {"position", "post", "role", "job", "appointment", "stint", "tenure", "career"}

# What a person is, through which a title reaches them ("an American
# businessman, chairman of ...").
OCCUPATIONS = {
    "businessman",
    "businesswoman",
    "businessperson",
    "executive",
    "entrepreneur",
    "industrialist",
    "banker",
    "investor",
    "financier",
    "magnate",
    "tycoon",
    "philanthropist",
    "official",
    "administrator",
    "manager",
    "professional",
    "person",
    "man",
    "woman",
    "engineer",
    "lawyer",
    "economist",
    "accountant",
    "politician",
    "academic",
    "mathematician",
    "historian",
    "biologist",
    "physicist",
    "psychologist",
    "sociologist",
    "linguist",
    "philosopher",
    "writer",
    "author",
    "musician",
    "singer",
    "guitarist",
    "drummer",
    "bassist",
    "composer",
    "actor",
    "actress",
    "artist",
    "designer",
    "architect",
    "diplomat",
    "civil",
    "servant",
    "officer",
    "soldier",
    "pilot",
    "physician",
    "doctor",
    "surgeon",
    "teacher",
    "educator",
    "broadcaster",
    "filmmaker",
    "director",
    "producer",
    "publisher",
    "chef",
    "athlete",
    "astronaut",
    "commentator",
    "anchor",
    "correspondent",
    "reporter",
    "journalist",
    "editor",
    "scientist",
    "researcher",
    "programmer",
    "nurse",
    "pharmacist",
    "veteran",
    "agent",
}

# Titles that are of an organisation, not of a field ("Professor of
# Mathematics"): what such a title is "of" is an organisation.
EXECUTIVE_TITLES = {
    "ceo",
    "cfo",
    "coo",
    "cto",
    "president",
    "chairman",
    "chairwoman",
    "chairperson",
    "founder",
    "co-founder",
    "cofounder",
    "director",
    "officer",
    "owner",
    "head",
    "chief",
    "boss",
}

# Titles that, alone before a name in an article about an organisation,
# are a position at that organisation ("CEO Jim Umpleby said").
CHIEF_WORDS = EXECUTIVE_TITLES - {"director", "owner", "head", "boss"} | {"executive"}

# Verbs a path between a person and an organisation may pass through.
EMPLOY_VERBS = {
    "hold",
    "accept",
    "teach",
    "lecture",
    "play",
    "be",
    "serve",
    "become",
    "work",
    "join",
    "remain",
    "act",
    "appoint",
    "name",
    "elect",
    "hire",
    "promote",
    "employ",
    "lead",
    "head",
    "run",
    "chair",
    "manage",
    "rejoin",
    "return",
    "make",
    "recruit",
    "install",
    "tap",
    "choose",
    "select",
}
# Of those, the ones that say the person works there without a title.
WORK_VERBS = {
    "work",
    "join",
    "hire",
    "employ",
    "lead",
    "head",
    "run",
    "chair",
    "manage",
    "rejoin",
    "recruit",
    "teach",
    "lecture",
    "play",
}
# Of those, the ones whose past tense says the position is over.
HELD_VERBS = {"be", "serve", "work", "lead", "head", "run", "chair", "manage", "remain", "act"}
LEAVE_VERBS = {"leave", "resign", "retire", "quit", "depart", "step", "exit", "oust", "fire", "sack", "dismiss"}
PATH_PREPS = {"of", "at", "for", "with", "in", "within", "on", "as", "to", "from"}

FOUND_VERBS = {
    "found",
    "co-found",
    "cofound",
    "establish",
    "start",
    "form",
    "create",
    "set",
    "incorporate",
    "launch",
    "organize",
    "organise",
    "build",
}
HQ_WORDS = {
    "headquarter",
    "headquartered",
    "headquarters",
    "base",
    "based",
    "locate",
    "located",
    "hq",
    "head-quartered",
}
SUBSIDIARY_NOUNS = {
    "subsidiary",
    "division",
    "unit",
    "arm",
    "affiliate",
    "branch",
    "imprint",
    "offshoot",
    "subsidiaries",
    "sub-division",
    "subdivision",
    "daughter",
    "spin-off",
    "spinoff",
}
PLACE_LABELS = ("GPE", "LOC", "FAC")
MAGNITUDE_WORDS = {"m", "mn", "bn", "b", "k", "million", "billion", "trillion", "crore", "lakh", "tn"}


def _named(tok) -> bool:
    from .extract import named

    return named(tok)


def _first_conjunct(t):
    """The first of the words "and" joins t with: "a maker ..., and a
    subsidiary of" gives "maker"."""
    while t.dep_ == "conj" and t.head.i != t.i:
        t = t.head
    return t


def _span_of(tok, sent, labels=None):
    return next((e for e in sent.ents if e.start <= tok.i < e.end and (labels is None or e.label_ in labels)), None)


def _path(a, b):
    """The tokens between a and b along the parse (both excluded), and the
    highest of them, or None when they are in different trees."""
    up_a = [a, *a.ancestors]
    index = {t.i: n for n, t in enumerate(up_a)}
    chain_b = []
    for t in [b, *b.ancestors]:
        if t.i in index:
            top = t
            path = up_a[1 : index[t.i] + 1] + list(reversed(chain_b[1:]))
            return [x for x in path if x.i not in (a.i, b.i)], top
        chain_b.append(t)
    return None, None


def _title_like(tok) -> bool:
    low = tok.lower_
    return (
        low in TITLES
        or tok.lemma_.lower() in TITLES
        or low.rstrip("s") in TITLES
        or (tok.dep_ == "compound" and tok.lemma_.lower() in OCCUPATIONS)
    )


def title_phrase(head, avoid: set[int]):
    """The title a title word heads, with its qualifiers and the titles
    joined to it by "and" ("President and Chief Executive Officer"), as the
    text words it; and whether it is a former one."""
    words = {head.i}
    former = False
    todo = [head, *[c for c in head.conjuncts if _title_like(c)]]
    for t in todo:
        words.add(t.i)
        for c in t.subtree:
            if c.i in avoid or c.ent_type_ in ("ORG", "PERSON", "GPE", "DATE"):
                continue
            if c.lower_ in FORMER or c.lower_.startswith("ex-"):
                former = True
            if (
                c.dep_ in ("amod", "compound", "nmod", "advmod", "npadvmod")
                and (c.lower_ in TITLE_MODIFIERS or _title_like(c))
                and c.head.i in words
            ):
                words.add(c.i)
            if c.dep_ == "conj" and _title_like(c) and c.head.i in words:
                words.add(c.i)
    lo, hi = min(words), max(words)
    doc = head.doc
    # Fill the span between: "and", "-", and words of the title itself.
    span = [doc[i] for i in range(lo, hi + 1)]
    if any(
        t.i not in words and t.lower_ not in ("and", "&", ",", "-", "of", "the") and t.dep_ not in ("cc", "punct")
        for t in span
    ):
        span = [doc[i] for i in sorted(words)]
    while span and span[-1].lower_ in ("and", "&", ",", "-", "of", "the"):
        span.pop()
    while span and span[0].lower_ in ("and", "&", ",", "-", "of", "the"):
        span.pop(0)
    text = " ".join(t.text for t in span)
    text = re.sub(r"\s+([,-])\s*", r"\1 ", text).replace(" - ", "-").replace("- ", "-")
    return text.strip(), former


def title_before(pspan):
    """The title written just before a name, as the text words it:
    "Salesforce president and COO Bret Taylor", "executive vice president
    Seiji Kuraishi", "head of investment strategy Kenny Wen"; and whether
    it is a former one. Empty when the words before are not a title."""
    doc = pspan.doc
    start = pspan.sent.start
    i = pspan.start - 1
    words = []
    while i >= start:
        t = doc[i]
        low = t.lower_
        if (
            t.ent_type_ in ("ORG", "GPE", "PERSON", "NORP", "DATE", "MONEY")
            or t.dep_ in ("poss", "det", "case")
            or low in ("'s", "\u2019s", "the", "a", "an")
        ):
            break
        titleish = (
            _title_like(t) or low in TITLE_MODIFIERS or low in ("and", "&", "-", "co", "of", "ex", "former", "then")
        )
        # "head of investment strategy": the field of a title, after "of"
        field = t.pos_ in ("NOUN", "ADJ") and t.is_lower and any(w.lower_ == "of" for w in doc[max(start, i - 3) : i])
        if not (titleish or field):
            break
        words.insert(0, t)
        i -= 1
    while words and (
        words[0].lower_ in ("and", "&", "-", "of")
        or (words[0].lower_ == "co" and (len(words) < 2 or words[1].text != "-"))
    ):
        words.pop(0)
    if not any(_title_like(w) for w in words):
        return "", False
    former = any(w.lower_ in FORMER or w.lower_ == "ex" for w in words)
    words = [w for w in words if w.lower_ not in FORMER and w.lower_ != "ex"]
    while words and words[0].lower_ in ("and", "&", "-", "of"):
        words.pop(0)
    text = doc[words[0].i : words[-1].i + 1].text if words else ""
    return text, former


class Patterns:
    """The patterns of one article, writing through its Article (entities
    and relationships with their sentences)."""

    def __init__(self, article):
        self.a = article

    # -- mentions ------------------------------------------------------------

    def _orgs(self, s):
        """(token, Entity) for each organisation named in the sentence, and
        for "its", "their" and "the company" where they resolve."""
        out, seen = [], set()
        for e in s.ents:
            # "an GIS & Earth Observation Specialist" tagged as an organisation
            if e.label_ != "ORG" or _title_like(e.root):
                continue
            ent = self.a.by_name.get(self.a.key(e.text))
            if ent is not None and ent.type in ("Company", "Partner") and e.root.i not in seen:
                out.append((e.root, ent, e))
                seen.add(e.root.i)
        for t in s:
            if t.lower_ in ("its", "their") or (
                t.lemma_.lower() in ("company", "firm", "group", "business")
                and any(c.lower_ == "the" for c in t.children)
            ):
                ent = self.a._resolve_org(t, s)
                if ent is not None and ent.type in ("Company", "Partner"):
                    out.append((t, ent, None))
        return out

    def _people(self, s):
        out = []
        for e in s.ents:
            if e.label_ != "PERSON":
                continue
            ent = self.a.by_name.get(self.a.key(e.text))
            if ent is not None and ent.type == "Executive":
                out.append((e.root, ent, e))
        # "where he served as president": the person named last before him
        for t in s:
            if t.lower_ in ("he", "she") and t.dep_ in ("nsubj", "nsubjpass"):
                p = self._person_end(t, s)
                if p is not None:
                    out.append((t, p, s.doc[t.i : t.i + 1]))
        return out

    def _person_end(self, tok, s):
        """The person a word stands for: a name, "who" after one, or "he"
        and "she" as the person the article named last before it."""
        p = self.a._person_of(tok, s)
        if p is not None:
            return p
        low = tok.lower_
        if low in ("who", "that") and tok.head.dep_ == "relcl":
            return self.a._person_of(tok.head.head, s)
        if low in ("he", "she", "him", "her"):
            before = [e for e in s.ents if e.label_ == "PERSON" and e.end <= tok.i]
            if before:
                return self.a._person_of(before[-1].root, s)
            return self.a.last_person
        return None

    # -- WORKS_FOR and FOUNDED through a title or a verb ------------------------

    def people_and_organisations(self, s, text):
        people, orgs = self._people(s), self._orgs(s) + self._unnamed_orgs(s, text)
        for ptok, person, pspan in people:
            for otok, org, ospan in orgs:
                found = self._employment(ptok, pspan, otok, ospan, s)
                if found is None:
                    continue
                _, title, former, founder = found
                if founder:
                    self.a.relate("FOUNDED", person, org, text, "founder of", 0.8)
                    # "was founder of the New Vista Society in 1948"
                    date = self._founder_date(otok, s)
                    if date and "founded" not in org.props:
                        org.props["founded"] = date
                    rest = re.sub(r"(?i)\b(co-?founder|founder)s?\b", "", title or "").strip(" ,&-")
                    rest = re.sub(r"(?i)^(and|&)\s+|\s+(and|&)$", "", rest).strip()
                    if not rest:
                        continue
                self.a.relate(
                    "WORKS_FOR",
                    person,
                    org,
                    text,
                    "title or work between the names",
                    0.8,
                    title=title or None,
                    current=not former,
                )

    def work_without_subject(self, s, text):
        """ "Before joining The Health Trust, Frederick founded ...", "was an
        economist ... and taught at Harvard": a verb of work with no
        subject of its own takes the subject of the clause it hangs from."""
        for v in s:
            lemma = v.lemma_.lower()
            if (
                v.pos_ != "VERB"
                or lemma not in ("join", "rejoin", "teach", "work", "lecture")
                or any(c.dep_ in ("nsubj", "nsubjpass") for c in v.children)
            ):
                continue
            h = v
            person = None
            for _ in range(3):
                if h.head.i == h.i or h.dep_ not in ("pcomp", "advcl", "conj", "xcomp", "acl"):
                    break
                h = h.head if h.dep_ != "pcomp" else h.head.head
                subj = next((c for c in h.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if subj is not None:
                    person = self._person_end(subj, s)
                    break
            if person is None:
                continue
            ends = (
                [c for c in v.children if c.dep_ == "dobj"]
                if lemma in ("join", "rejoin")
                else [
                    g
                    for c in v.children
                    if c.dep_ == "prep" and c.lower_ in ("at", "for", "with")
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
            )
            for o in ends:
                org = self._org_end(o, s, default=False)
                if org is not None:
                    title = next(
                        (
                            g.text
                            for c in v.children
                            if c.dep_ == "prep" and c.lower_ == "as"
                            for g in c.children
                            if g.dep_ == "pobj" and _title_like(g)
                        ),
                        None,
                    )
                    self.a.relate("WORKS_FOR", person, org, text, "work of the clause's subject", 0.7, title=title)

    def titles_alone(self, s, text):
        """ "CEO Jim Umpleby said", "its chairman and chief executive Yu
        Kai", "co-founders Jiajun Zhu and Dave Ferguson": a chief's title
        with no organisation in its phrase is of the organisation "its"
        names, or of the one the article is about."""
        for ptok, person, pspan in self._people(s):
            if any(
                r.type in ("WORKS_FOR", "FOUNDED") and r.source is person and text in r.sentences
                for r in self.a.relationships.values()
            ):
                continue
            head = None
            for c in ptok.children:
                if c.dep_ in ("compound", "nmod") and c.i < pspan.start and _title_like(c):
                    head = c
            if head is None and ptok.dep_ in ("appos", "conj") and _title_like(ptok.head) and ptok.head.i < ptok.i:
                head = ptok.head  # "co-founders Jiajun Zhu and Dave Ferguson"
                while ptok.dep_ == "conj" and head.dep_ != "ROOT" and not _title_like(head):
                    head = head.head
            if head is None or head.lower_.rstrip("s") not in CHIEF_WORDS and head.lemma_.lower() not in CHIEF_WORDS:
                continue
            phrase = [w for w in head.subtree if w.i < pspan.start]
            if any(
                w.ent_type_ in ("ORG", "GPE", "NORP", "PERSON") and w.i not in range(pspan.start, pspan.end)
                for w in phrase
            ):
                continue
            poss = next((w for w in phrase if w.dep_ == "poss"), None)
            org = self.a._resolve_org(poss, s) if poss is not None else None
            if org is None and poss is None and self.a.main is not None and self.a._named_before(self.a.main, ptok):
                org = self.a.by_name.get(self.a.main)
            if org is None or org.type not in ("Company", "Partner"):
                continue
            title, former = title_phrase(head, set(range(pspan.start, pspan.end)))
            before, was = title_before(pspan)
            if head.i < pspan.start and len(before) > len(title):
                title, former = before, former or was
            title = re.sub(r"(?i)^(co-?founder)s$", r"\1", title)
            founder = any(
                w.lower() in FOUNDER_TITLES or w.lower().rstrip("s") in FOUNDER_TITLES
                for w in re.split(r"[\s,&]+", title.lower())
            )
            if founder:
                self.a.relate("FOUNDED", person, org, text, "founder of the article's organisation", 0.65)
            self.a.relate(
                "WORKS_FOR",
                person,
                org,
                text,
                "title of the article's organisation",
                0.65,
                title=title or None,
                current=not former,
            )

    def _founder_date(self, otok, s):
        """The year a "founder of X in 1948" phrase gives for X."""
        t = otok
        for _ in range(4):
            if t.head.i == t.i:
                break
            t = t.head
            if _title_like(t) and t.lemma_.lower() in FOUNDER_TITLES | {"member", "founding"}:
                return self._date_of(t, s)
        return None

    def _unnamed_orgs(self, s, text):
        """Organisations the model did not tag that a title names: "ATA's
        President", "CEO of ip.access": a proper noun that is what a
        position is of or at."""
        out = []
        for t in s:
            if t.ent_type_ or t.pos_ != "PROPN" or t.dep_ == "compound":
                continue
            head = t.head
            if t.dep_ == "poss":
                holder = head
            elif t.dep_ == "pobj" and head.lower_ in ("of", "at") and head.dep_ == "prep":
                holder = head.head
            else:
                continue
            if (
                holder.lemma_.lower() not in EXECUTIVE_TITLES
                or holder.ent_type_
                or _title_like(t)
                or t.lower_ in TITLE_MODIFIERS
            ):
                continue
            words = [c for c in t.children if c.dep_ == "compound" and c.pos_ == "PROPN" and not c.ent_type_] + [t]
            words = [w for w in t.doc[min(w.i for w in words) : t.i + 1]]
            name = " ".join(w.text for w in words if w.lower_ not in ("'s", "\u2019s"))
            if not name[:1].isalpha() or name.lower() in ("board", "directors", "company"):
                continue
            ent = self.a.entity("Company", name, text, "organisation of a position", 0.7)
            out.append((t, ent, t.doc[words[0].i : t.i + 1]))
        return out

    def _employment(self, ptok, pspan, otok, ospan, s):
        """(path length, title, former, founder) when the parse relates the
        person to the organisation as someone who holds a position there."""
        path, top = _path(ptok, otok)
        if path is None:
            return None
        mine = set(range(pspan.start, pspan.end)) | (
            set(range(ospan.start, ospan.end)) if ospan is not None else {otok.i}
        )
        path = [t for t in path if t.i not in mine]
        if len(path) > 7:
            return None
        titles, verbs = [], []
        works = False
        for t in path:
            if t.ent_type_ in ("PERSON", "ORG") and t.i not in mine:
                # "President of Colgate University, and President and CEO of
                # the Newseum": the parse may hang the second title from the
                # first organisation
                if not (
                    t.ent_type_ == "ORG"
                    and any(
                        c.dep_ == "conj"
                        and _title_like(c)
                        and c.head.i
                        in range(
                            (_span_of(t, s) or s.doc[t.i : t.i + 1]).start, (_span_of(t, s) or s.doc[t.i : t.i + 1]).end
                        )
                        for c in path
                    )
                ):
                    return None
            if _title_like(t):
                titles.append(t)
            elif t.lower_ in TITLE_MODIFIERS and t.dep_ in ("amod", "compound", "nmod"):
                continue
            elif t.lemma_.lower() in WORK_NOUNS and t.pos_ == "NOUN":
                # "held engineering positions with GE Aerospace", "his
                # position at Yale"
                works = True
                continue
            elif (
                t.lemma_.lower() in ORG_KINDS
                and t.pos_ == "NOUN"
                and any(c.i in mine and c.dep_ in ("appos", "compound") for c in t.children)
            ):
                # "a reporter for the Metropolis newspaper, the Daily Planet"
                continue
            elif t.lemma_.lower() in OCCUPATIONS and t.dep_ in ("attr", "appos"):
                # "is a Chinese businessman, Chairman and CEO of ..."; "a
                # Monegasque businessman, CEO and owner of Venturi"
                titles += [c for c in t.children if c.dep_ in ("appos", "conj") and _title_like(c) and c.i < otok.i]
                continue
            elif t.ent_type_ == "ORG":
                continue
            elif t.pos_ in ("VERB", "AUX"):
                if t.lemma_.lower() not in EMPLOY_VERBS:
                    return None
                verbs.append(t)
            elif t.lower_ in PATH_PREPS or t.dep_ in ("case", "prep", "agent"):
                if t.lower_ not in PATH_PREPS and t.dep_ != "case" and t.lower_ != "by":
                    return None
            elif t.lower_ in ("'s", "\u2019s", "'"):
                continue
            else:
                return None
        # The person's own title words ("Apple CEO Tim Cook"; "Howard
        # Schultz, Chairman, President and CEO, Starbucks Coffee Company",
        # where the title and the organisation both stand beside the name).
        if not titles:
            for c in ptok.children:
                if c.dep_ in ("compound", "nmod", "appos") and _title_like(c) and (c.i < pspan.start or not path):
                    titles.append(c)
        # "joined Acme as chief financial officer"
        for v in verbs:
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ == "as":
                    titles += [g for g in c.children if g.dep_ == "pobj" and _title_like(g)]
        if (
            not titles
            and len(path) == 1
            and path[0].lower_ in ("of", "at")
            and path[0].head.i == ptok.i
            and otok.dep_ == "pobj"
        ):
            # "George Stibitz of Bell Telephone Laboratories", "Gareth Evans
            # at Investec"
            return (1, None, False, False)
        if not titles:
            # "Huber joined the party", not "... worked with Gestapo chief
            # Müller": without a title, the person is the subject of the
            # verb and the organisation what it acts on.
            if works and any(v.lemma_.lower() in ("hold", "accept", "be") for v in verbs):
                return (len(path), None, False, False)
            if not any(v.lemma_.lower() in WORK_VERBS for v in verbs) or top.pos_ not in ("VERB", "AUX"):
                return None
            if ptok.head.i != top.i or ptok.dep_ not in ("nsubj", "nsubjpass", "dobj"):
                return None
            if not (otok.head.i == top.i and otok.dep_ in ("dobj", "nsubj")) and not (
                otok.dep_ == "pobj" and otok.head.head.i == top.i
            ):
                return None
        # The organisation must be what the title is of, not a word inside
        # another phrase: a verb between them must have the person as its
        # subject or object.
        for v in verbs:
            if v.lemma_.lower() in LEAVE_VERBS:
                return None
        former = False
        title = None
        if titles:
            head = (
                titles[-1] if len(titles) > 1 and titles[-1].i > titles[0].i and titles[0].dep_ == "conj" else titles[0]
            )
            # The title nearest the organisation is the one it is of.
            head = min(titles, key=lambda t: abs(t.i - otok.i))
            while head.dep_ == "conj" and _title_like(head.head):
                head = head.head
            title, former = title_phrase(head, mine)
            # a title written before the name reads best as written
            if head.i < pspan.start and head.i >= pspan.start - 8:
                before, was = title_before(pspan)
                if len(before) > len(title or ""):
                    title, former = before, former or was
        # "was", "served", "worked": a position held before, unless "currently"
        if any(v.lemma_.lower() in HELD_VERBS and v.tag_ == "VBD" for v in verbs):
            former = former or not any(c.lower_ in ("currently", "now", "still") for v in verbs for c in v.children)
        for t in path:
            if t.lower_ in FORMER:
                former = True
        founder = bool(title) and (
            any(w.lower() in FOUNDER_TITLES for w in re.split(r"[\s,&]+", title.lower()))
            or bool(re.search(r"(?i)\bfounding (member|partner|director|chair)", title))
        )
        return (len(path), title, former, founder)

    # -- FOUNDED and the founding date through a verb ------------------------

    def founding(self, s, text):
        for v in s:
            lemma = v.lemma_.lower()
            if v.pos_ != "VERB" or lemma not in FOUND_VERBS:
                continue
            if lemma == "set" and not any(c.lower_ == "up" for c in v.children):
                continue
            passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children) or (
                v.tag_ == "VBN" and v.dep_ in ("acl", "advcl", "amod")
            )
            founders, things = [], []
            for c in v.children:
                if c.dep_ == "agent":
                    founders += [g for g in c.children if g.dep_ == "pobj"]
                elif c.dep_ == "nsubj" and not passive:
                    founders.append(c)
                elif c.dep_ == "dobj" and not passive:
                    things.append(c)
                elif c.dep_ == "nsubjpass":
                    things.append(c)
            # "moved to Japan and set up Fulford Enterprises": the first
            # verb's subject; "a firm based in Seattle and co-founded by":
            # the first verb's noun.
            first = _first_conjunct(v)
            if not founders and not passive and first is not v:
                founders = [c for c in first.children if c.dep_ == "nsubj"]
            if passive and not things:
                if first.dep_ in ("acl", "amod"):
                    things.append(first.head)
                elif first.dep_ == "advcl":
                    things += [c for c in first.head.children if c.dep_ in ("nsubj", "nsubjpass")]
                elif first.dep_ == "relcl":
                    things.append(first.head)
                elif first is not v:
                    things += [c for c in first.children if c.dep_ in ("nsubjpass", "nsubj")]
            # "a firm that she co-founded": the thing is what "that" stands for
            things = [v.head if t.lower_ in ("that", "which") and v.dep_ == "relcl" else t for t in things]
            if (
                not things
                and v.dep_ == "relcl"
                and any(c.dep_ == "dobj" and c.lower_ in ("that", "which") for c in v.children)
            ):
                things.append(v.head)
            if (
                not things
                and v.dep_ == "relcl"
                and not passive
                and any(c.dep_ == "nsubj" for c in v.children)
                and v.head.lemma_.lower() in ORG_KINDS
            ):
                things.append(v.head)
            founders = [x for f in founders for x in (f, *f.conjuncts)]
            strict = lemma in ("found", "co-found", "cofound", "establish", "incorporate", "set") or passive
            orgs = [o for o in (self._org_end(t, s, named_here=strict) for t in things) if o is not None]
            if not orgs:
                continue
            # "launch", "build", "create" make products as often as
            # companies: only a date or a founder named as a person.
            date = self._date_of(v, s)
            people = [p for p in (self._person_end(f, s) for f in founders) if p is not None]
            if lemma in ("launch", "build", "create", "start", "form") and not people and not self._org_word(things):
                continue
            for org in orgs:
                if date and "founded" not in org.props:
                    org.props["founded"] = date
                    org.cite(text)
                for p in people:
                    self.a.relate("FOUNDED", p, org, text, "founded by", 0.8, when=date)

    def _org_word(self, toks) -> bool:
        return any(
            _span_of(t, t.sent, ("ORG",)) is not None or t.lemma_.lower() in ORG_KINDS or self._is_a_kind_of_org(t)
            for t in toks
        )

    def _org_end(self, tok, s, named_here=False, default=True):
        """The organisation a word stands for: a name, "it", "the company",
        or the subject of "is a company that...". named_here: the word's
        place says it is an organisation (what was founded, what is based
        somewhere, what "is a company"), so a proper noun the model did not
        tag as one, or took for a person, is one."""
        span = _span_of(tok, s, ("ORG",))
        if span is not None:
            e = self.a.by_name.get(self.a.key(span.text))
            if e is not None and e.type in ("Company", "Partner"):
                return e
        e = self.a._resolve_org(tok, s, default=default)
        if e is not None and e.type in ("Company", "Partner"):
            return e
        # "Acme is a company founded in 1990": the copula's subject
        if tok.dep_ == "attr" and tok.head.lemma_ == "be":
            subj = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return self._org_end(subj, s, named_here=tok.lemma_.lower() in ORG_KINDS)
        if tok.dep_ == "appos":
            return self._org_end(tok.head, s, named_here)
        if tok.lower_ in ("which", "that", "who") and tok.head.dep_ == "relcl":
            # "EMI Music Publishing, which is based in London"
            return self._org_end(tok.head.head, s, named_here, default)
        if named_here or self._is_a_kind_of_org(tok):
            return self._name_as_org(tok, s)
        return None

    @staticmethod
    def _is_a_kind_of_org(tok) -> bool:
        """ "Bob's Coins is a coin dealer": the subject of a copula whose
        noun is a kind of organisation."""
        if tok.dep_ not in ("nsubj", "nsubjpass"):
            return False
        attr = next((c for c in tok.head.children if c.dep_ == "attr"), None)
        return tok.head.lemma_ == "be" and attr is not None and attr.lemma_.lower() in ORG_KINDS

    def _name_as_org(self, tok, s):
        """An organisation named by a proper noun the model did not tag as
        one: its whole name (the entity span, or the proper nouns joined to
        it)."""
        span = _span_of(tok, s)
        if span is not None and span.label_ in (
            "GPE",
            "LOC",
            "DATE",
            "TIME",
            "MONEY",
            "PERCENT",
            "CARDINAL",
            "ORDINAL",
            "QUANTITY",
            "NORP",
        ):
            return None
        if span is None and tok.pos_ == "NOUN" and tok.lemma_.lower() in ORG_KINDS:
            # "the Civic Platform political party": the name its proper nouns give
            names = [c for c in tok.children if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"]
            if names:
                tok = names[-1]
                span = _span_of(tok, s)
        if span is None:
            if tok.pos_ != "PROPN":
                return None
            words = [
                w
                for w in tok.subtree
                if w.i <= tok.i
                and (w.pos_ == "PROPN" or w.lower_ in ("'s", "&", "of"))
                and w.dep_ in ("compound", "poss", "case", "flat", "cc", "conj", "prep", "pobj")
                or w.i == tok.i
            ]
            lo = tok.i
            for w in sorted(words, key=lambda w: -w.i):
                if w.i == lo - 1:
                    lo = w.i
            text = s.doc[lo : tok.i + 1].text
        else:
            text = span.text
        name = re.sub(r"^the\s+", "", self.a._org_name(text), flags=re.I)
        if not name or not name[:1].isalnum() or name.lower() in REFUSED_ORG_NAMES:
            return None
        # One type per name: a name already read as a person or a product
        # stays that.
        known = self.a.by_name.get(self.a.key(name))
        if known is not None and known.type == "Executive" and span is not None and span.label_ == "PERSON":
            # "Based in Jacksonville, Logimax also has offices": read as a
            # person by the model, an organisation by the sentence; it
            # stays a person once the article has related it as one.
            if not self.a.retype_person(known):
                return None
            return known
        if known is not None and known.type not in ("Company", "Partner"):
            return None
        return self.a.entity("Company", name, s.text.strip(), "organisation by its place in the sentence", 0.7)

    def _date_of(self, v, s):
        for c in v.children:
            cands = []
            if c.dep_ == "prep" and c.lower_ in ("in", "on", "during", "around"):
                cands = [g for g in c.children if g.dep_ == "pobj"]
            elif c.dep_ in ("npadvmod", "tmod"):
                cands = [c]
            for g in cands:
                span = _span_of(g, s, ("DATE",))
                if span is not None and re.search(r"\b(1[5-9]\d\d|20\d\d)\b", span.text):
                    return re.sub(r"^(in|on)\s+", "", span.text)
        return None

    # -- headquarters ----------------------------------------------------------

    def headquarters(self, s, text):
        for t in s:
            low, lemma = t.lower_, t.lemma_.lower()
            if low not in HQ_WORDS and lemma not in HQ_WORDS:
                continue
            place = self._place_after(t, s)
            if (
                place is None
                and lemma in ("headquarters", "hq")
                and t.dep_ == "dobj"
                and t.head.lemma_.lower() in ("move", "relocate", "shift", "switch", "transfer")
            ):
                # "moving its headquarters to Irving": the new place
                place = self._place_after(t.head, s)
            if place is None and low in ("based", "headquartered") and t.dep_ == "amod":
                # "Beijing-based Xiaomi"
                p = next((c for c in t.children if c.ent_type_ in PLACE_LABELS), None)
                if p is None and t.i >= 2 and s.doc[t.i - 1].text == "-" and s.doc[t.i - 2].ent_type_ in PLACE_LABELS:
                    p = s.doc[t.i - 2]
                if p is not None:
                    span = _span_of(p, s, PLACE_LABELS)
                    place = span.text if span is not None else p.text
            if place is None:
                continue
            org = None
            if lemma in ("headquarters", "hq") and t.pos_ == "NOUN":
                org = next((self._org_end(c, s) for c in t.children if c.dep_ == "poss"), None)
                if org is None and t.dep_ in ("dobj", "pobj"):
                    v = t.head if t.dep_ == "dobj" else t.head.head
                    if v.lemma_.lower() in ("have", "move", "relocate", "with", "maintain", "keep", "open"):
                        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
                        org = (
                            self._org_end(subj, s, named_here=True, default=False)
                            if subj is not None
                            else (self._org_end(v.head, s) if v.dep_ in ("prep",) else None)
                        )
                    elif t.head.lower_ == "with":
                        org = self._org_end(t.head.head, s)
                if org is None and t.dep_ == "nsubj":
                    pass
            else:
                if t.dep_ in ("amod", "acl"):
                    org = self._org_end(t.head, s, named_here=True, default=False)
                if org is None:
                    subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    first = t
                    while first.dep_ == "conj" and first.head.i != first.i:
                        first = first.head
                    if subj is None and first is not t:
                        subj = next((c for c in first.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                        if subj is None and first.dep_ in ("acl", "amod"):
                            org = self._org_end(first.head, s, named_here=True, default=False)
                    if subj is None and t.dep_ == "acomp":
                        subj = next((c for c in t.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    if subj is None and first.dep_ == "advcl":
                        # "Founded in 1946 and headquartered in Michigan, Kelly Services is"
                        subj = next((c for c in first.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    if subj is not None and org is None:
                        org = self._org_end(subj, s, named_here=True, default=False)
            if org is None:
                continue
            org.props["headquarters"] = place
            org.cite(text)

    def kind_in_place(self, s, text):
        """ "The National Labour Union of Morocco is a national trade union
        center in Morocco", "a major U.S. airline": the place a copula
        gives an organisation as a kind of organisation there."""
        from .extract import DEMONYMS, PLACE_NAMES, norm

        for attr in s:
            if attr.dep_ != "attr" or attr.head.lemma_ != "be" or attr.lemma_.lower() not in ORG_KINDS:
                continue
            subj = next((c for c in attr.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            org = self._org_end(subj, s, default=False) if subj is not None else None
            if org is None or org.type not in ("Company", "Partner"):
                continue
            place = None
            for c in attr.children:
                if c.dep_ == "prep" and c.lower_ == "in":
                    place = next((p for p in [self._place_after(attr, s)] if p), None)
                elif c.dep_ in ("compound", "nmod", "amod") and c.ent_type_ == "GPE" and "country" not in org.props:
                    span = _span_of(c, s, ("GPE",))
                    name = span.text if span is not None else c.text
                    org.props["country"] = PLACE_NAMES.get(norm(name), name)
                    org.cite(text)
                elif c.dep_ == "amod" and c.lower_ in DEMONYMS and "country" not in org.props:
                    org.props["country"] = DEMONYMS[c.lower_]
                    org.cite(text)
            if place and "headquarters" not in org.props:
                org.props["headquarters"] = place
                org.cite(text)

    def _place_after(self, t, s):
        """The place "in ..." or "at ..." names, with what follows it
        ("Chennai, Tamil Nadu, India")."""
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("in", "at", "near", "out", "to"):
                for g in c.children:
                    if g.dep_ == "pobj" and g.ent_type_ in PLACE_LABELS:
                        span = _span_of(g, s, PLACE_LABELS)
                        end = span.end if span is not None else g.i + 1
                        start = span.start if span is not None else g.i
                        # "Kitchener, Ontario" parsed with Kitchener hanging
                        # from Ontario: the places and commas before it
                        while start - 1 > c.i and (
                            s.doc[start - 1].ent_type_ in PLACE_LABELS
                            or (s.doc[start - 1].text == "," and s.doc[start - 2].ent_type_ in PLACE_LABELS)
                        ):
                            start -= 1
                        # "London, England": places in apposition
                        for x in g.subtree:
                            if (
                                x.i >= end
                                and x.ent_type_ in PLACE_LABELS
                                and x.dep_ in ("appos", "conj", "npadvmod", "compound", "pobj")
                                and all(
                                    s.doc[k].ent_type_ in PLACE_LABELS or s.doc[k].text == "," for k in range(end, x.i)
                                )
                            ):
                                sp = _span_of(x, s, PLACE_LABELS)
                                end = sp.end if sp is not None else x.i + 1
                        return s.doc[start:end].text
                    if (
                        g.dep_ == "pobj"
                        and g.pos_ == "PROPN"
                        and not g.ent_type_
                        and t.lower_ in ("based", "headquartered")
                    ):
                        # "headquartered in Sacramento Ca": a proper noun after
                        # "based in" is a place
                        words = [w for w in g.subtree if w.pos_ == "PROPN" or w.text == ","]
                        lo = min(w.i for w in words)
                        return s.doc[lo : g.i + 1].text.strip(", ")
        return None

    # -- ownership ------------------------------------------------------------

    def ownership(self, s, text):
        from .extract import amount

        for t in s:
            lemma = t.lemma_.lower()
            if lemma in SUBSIDIARY_NOUNS and t.pos_ == "NOUN":
                parent = None
                for c in t.children:
                    if c.dep_ == "prep" and c.lower_ == "of":
                        parent = next(
                            (self._org_end(g, s, named_here=True) for g in c.children if g.dep_ == "pobj"), None
                        )
                    elif c.dep_ in ("poss", "compound", "nmod") and c.i < t.i:
                        parent = parent or self._org_end(c, s)
                child = None
                t0 = _first_conjunct(t)
                if t0.dep_ == "attr" and t0.head.lemma_ in ("be", "become", "remain"):
                    subj = next((c for c in t0.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    child = self._org_end(subj, s, named_here=True) if subj is not None else None
                elif t0.dep_ == "appos":
                    child = self._org_end(t0.head, s, named_here=True)
                elif t.dep_ == "pobj" and t.head.lower_ == "as" and t.head.head.pos_ in ("VERB", "AUX"):
                    subj = next((c for c in t.head.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    child = self._org_end(subj, s, named_here=True) if subj is not None else None
                if child is None:
                    child = next((self._org_end(c, s) for c in t.children if c.dep_ == "appos"), None)
                if child is None and t.dep_ in ("compound", "nmod"):
                    child = self._org_end(t.head, s, named_here=True)
                if parent is not None and child is not None and parent is not child:
                    self.a.relate("OWNS", parent, child, text, "subsidiary of", 0.8)
            elif lemma == "own" and t.pos_ == "VERB":
                passive = any(c.dep_ in ("auxpass", "nsubjpass", "agent") for c in t.children) or t.dep_ in (
                    "acl",
                    "amod",
                )
                owner = child = None
                stake = None
                if passive:
                    owner = next(
                        (
                            self._org_end(g, s, named_here=True)
                            for c in t.children
                            if c.dep_ == "agent"
                            for g in c.children
                            if g.dep_ == "pobj"
                        ),
                        None,
                    )
                    subj = next((c for c in t.children if c.dep_ == "nsubjpass"), None)
                    child = (
                        self._org_end(subj, s, named_here=True)
                        if subj is not None
                        else (self._org_end(t.head, s, named_here=True) if t.dep_ in ("acl",) else None)
                    )
                else:
                    subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
                    owner = self._org_end(subj, s, named_here=True) if subj is not None else None
                    for o in (c for c in t.children if c.dep_ == "dobj"):
                        if o.lower_ in ("%", "percent", "stake") or o.lemma_.lower() in ("stake", "share"):
                            num = next((c for c in o.subtree if c.like_num), None)
                            stake = amount(num.text) if num is not None else None
                            for w in o.subtree:
                                if w.dep_ == "pobj" and w.head.lower_ in ("of", "in"):
                                    child = child or self._org_end(w, s)
                        else:
                            child = child or self._org_end(o, s)
                if owner is not None and child is not None and owner is not child:
                    self.a.relate("OWNS", owner, child, text, "owned by", 0.8, stakePercent=stake)
            elif (
                lemma in ("owner", "company")
                and t.pos_ == "NOUN"
                and any(c.lower_ in ("parent", "owner") and c.dep_ in ("compound", "amod") for c in t.children)
                or (lemma == "owner" and t.dep_ in ("compound", "appos") and t.pos_ == "NOUN")
            ):
                # "Google's parent company, Alphabet", "Facebook owner Meta"
                child = next(
                    (
                        self._org_end(c, s)
                        for c in t.children
                        if c.dep_ in ("poss", "compound") and c.ent_type_ == "ORG"
                    ),
                    None,
                )
                parent = next((self._org_end(c, s) for c in t.children if c.dep_ == "appos"), None)
                if parent is None and t.dep_ in ("compound", "appos") and t.head.ent_type_ == "ORG":
                    parent = self._org_end(t.head, s)
                if parent is not None and child is not None and parent is not child:
                    self.a.relate("OWNS", parent, child, text, "parent of", 0.75)
            elif lemma in ("parent", "owner", "shareholder", "stakeholder") and t.pos_ == "NOUN":
                # "Somos' owner, Tarpon", "Japan Telecom's largest shareholder
                # with a 45% stake"
                child = next(
                    (self._org_end(c, s) for c in t.children if c.dep_ in ("poss", "nmod") and c.i < t.i), None
                )
                parent = next(
                    (
                        self._org_end(c, s)
                        for c in t.children
                        if c.dep_ in ("appos", "conj") and c.i > t.i and c.ent_type_ == "ORG"
                    ),
                    None,
                )
                if parent is None and t.dep_ in ("compound", "nmod", "appos"):
                    parent = self._org_end(t.head, s, named_here=True)
                if parent is None and t.dep_ == "attr":
                    subj = next((c for c in t.head.children if c.dep_ == "nsubj"), None)
                    parent = self._org_end(subj, s, named_here=True) if subj is not None else None
                    child = child or next(
                        (
                            self._org_end(g, s, named_here=True)
                            for c in t.children
                            if c.dep_ == "prep" and c.lower_ == "of"
                            for g in c.children
                        ),
                        None,
                    )
                if parent is not None and child is not None and parent is not child:
                    stake = None
                    for w in t.subtree:
                        if w.lower_ in ("%", "percent") or (w.lower_ == "stake" and any(c.like_num for c in w.subtree)):
                            num = next((c for c in w.subtree if c.like_num), None)
                            stake = amount(num.text) if num is not None else None
                            break
                    self.a.relate(
                        "OWNS",
                        parent,
                        child,
                        text,
                        "parent of",
                        0.75,
                        stakePercent=stake if stake is not None and 0 < stake <= 100 else None,
                    )

    # -- where an organisation comes from and does business ----------------

    def country(self, s, text):
        """ "Japan's SoftBank", "Brazilian buyout firm Tarpon": the country
        an organisation comes from."""
        from .extract import DEMONYMS

        for e in s.ents:
            if e.label_ != "ORG":
                continue
            org = self.a.by_name.get(self.a.key(e.text))
            if org is None or org.type not in ("Company", "Partner") or "country" in org.props:
                continue
            r = e.root
            near = list(r.children)
            if r.dep_ in ("appos", "compound", "pobj", "nsubj", "dobj") and r.head.pos_ == "NOUN" and r.head.i < r.i:
                near += list(r.head.children) + [r.head]
            if r.dep_ == "compound" and r.head.pos_ == "NOUN":
                near += list(r.head.children)
            for c in near:
                if c.i >= e.start and c.i < e.end:
                    continue
                if c.dep_ == "poss" and c.ent_type_ == "GPE" and c.i < e.start:
                    span = _span_of(c, s, ("GPE",))
                    org.props["country"] = self.a._org_name(span.text if span is not None else c.text)
                    org.cite(text)
                    break
                if c.dep_ in ("amod", "compound", "nmod") and c.lower_ in DEMONYMS and c.i < e.start:
                    org.props["country"] = DEMONYMS[c.lower_]
                    org.cite(text)
                    break

    MARKET_VERBS = {
        "enter",
        "expand",
        "launch",
        "open",
        "sell",
        "operate",
        "start",
        "begin",
        "debut",
        "introduce",
        "roll",
        "ship",
        "offer",
        "deliver",
        "grow",
        "invest",
        "build",
        "set",
        "arrive",
        "bring",
    }

    def markets(self, s, text):
        """ "opened its first store in India", "will start selling in
        Norway", "expand its business in the country": the organisation
        does business in the place."""
        for v in s:
            if v.pos_ != "VERB" or v.lemma_.lower() not in self.MARKET_VERBS:
                continue
            org = self.a._subject_org(v, s)
            if org is None or org.type not in ("Company", "Partner"):
                continue
            for c in list(v.children) + [g for d in v.children if d.dep_ == "dobj" for g in d.children]:
                if c.dep_ != "prep" or c.lower_ not in ("in", "into", "to", "across", "throughout"):
                    continue
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    m = self.a._market_of(g, s)
                    if m is None:
                        continue
                    planned = self.a._planned(v)
                    self.a.relate(
                        "IN_MARKET",
                        org,
                        m,
                        text,
                        "does business in a place",
                        0.7,
                        status="planned" if planned else "operating",
                    )

    # -- layoffs, stakes and the figures of a listing ----------------------

    LAYOFF_NOUNS = {
        "job",
        "jobs",
        "worker",
        "workers",
        "employee",
        "employees",
        "staff",
        "people",
        "position",
        "positions",
        "workforce",
        "role",
        "roles",
        "staffer",
        "staffers",
        "headcount",
    }

    def layoffs(self, s, text):
        """ "is laying off about 300 people, or 20% of its workforce",
        "cutting 17% of its workforce, about 1,500 jobs"."""
        from .extract import amount

        for v in s:
            lemma = v.lemma_.lower()
            if v.pos_ != "VERB":
                continue
            if lemma == "lay" and not any(c.lower_ == "off" for c in v.children):
                continue
            if lemma not in ("lay", "cut", "slash", "eliminate", "shed", "axe", "reduce", "trim"):
                continue
            objs = [w for w in v.subtree if w.lemma_.lower() in self.LAYOFF_NOUNS or w.lower_ in self.LAYOFF_NOUNS]
            if not objs:
                continue
            org = self.a._subject_org(v, s)
            if org is None or org.type not in ("Company", "Partner"):
                continue
            headcount = share = None
            for w in v.subtree:
                if w.lower_ in ("%", "percent") or (w.lower_ == "cent" and w.i > 0 and s.doc[w.i - 1].lower_ == "per"):
                    num = next((c for c in w.children if c.like_num), None) or (
                        s.doc[w.i - 1] if w.i > 0 and s.doc[w.i - 1].like_num else None
                    )
                    if num is None and w.lower_ == "cent" and w.i > 1 and s.doc[w.i - 2].like_num:
                        num = s.doc[w.i - 2]
                    if num is not None and share is None:
                        share = amount(num.text)
                elif w.like_num and w.head.lemma_.lower() in self.LAYOFF_NOUNS | {
                    "about",
                    "around",
                    "some",
                    "roughly",
                    "nearly",
                }:
                    words = [x.text for x in w.subtree] if w.head.lemma_.lower() in self.LAYOFF_NOUNS else [w.text]
                    n = amount(" ".join(words))
                    if n is not None and n >= 1 and headcount is None and w.head.lower_ not in ("%", "percent"):
                        headcount = n
            if headcount is None and share is None:
                continue
            planned = self.a._planned(v)
            ev = self.a.entity("Event", f"{org.name} cuts jobs", text, "layoff", 0.7)
            ev.props.update({"kind": "LAYOFF", "status": "planned" if planned else "occurred"})
            if headcount is not None:
                ev.props["headcount"] = int(headcount)
            if share is not None and 0 < share <= 100:
                ev.props["sharePercent"] = share
            date = self.a._date(s, v)
            if date:
                ev.props.setdefault("date", date)
            self.a.relate("PARTICIPATED_IN", org, ev, text, "layoff", 0.7, role="employer")

    def stakes(self, s, text):
        """ "Reuters will retain 86.6% of Instinet", "WestBridge holds a
        32.88% stake in Rapido": the share one organisation owns of another."""
        from .extract import amount

        for v in s:
            if v.pos_ not in ("VERB", "AUX") or v.lemma_.lower() not in (
                "hold",
                "have",
                "own",
                "retain",
                "keep",
                "control",
                "boost",
                "increase",
                "raise",
            ):
                continue
            owner = self.a._subject_org(v, s)
            if owner is None or owner.type not in ("Company", "Partner"):
                continue
            for o in (c for c in v.children if c.dep_ == "dobj"):
                if not (
                    o.lower_ in ("%", "percent", "stake", "share", "holding", "shareholding")
                    or o.lemma_.lower() in ("stake", "share", "holding")
                ):
                    continue
                num = next((w for w in o.subtree if w.like_num), None)
                # "boosted its stake in X to 45%": the figure after "to"
                to = next(
                    (g for c in v.children if c.dep_ == "prep" and c.lower_ == "to" for g in c.subtree if g.like_num),
                    None,
                )
                num = to or num
                stake = amount(num.text) if num is not None else None
                child = None
                for w in list(o.subtree) + [
                    g for c in v.children if c.dep_ == "prep" and c.lower_ in ("in", "of") for g in c.children
                ]:
                    if w.dep_ == "pobj" and w.head.lower_ in ("in", "of"):
                        child = child or self._org_end(w, s)
                if child is None or child is owner or stake is None or not 0 < stake <= 100:
                    continue
                self.a.relate("OWNS", owner, child, text, "holds a stake", 0.7, stakePercent=stake)

    DEAL_WORDS = {
        "IPO": {"ipo", "offering", "listing", "debut", "float", "priced", "listed", "flotation"},
        "FUNDING": {"round", "funding", "raised", "raise", "raises", "raising", "financing", "valuation"},
        "ACQUISITION": {
            "deal",
            "acquisition",
            "purchase",
            "buy",
            "bought",
            "acquire",
            "acquired",
            "takeover",
            "stake",
            "bid",
            "offer",
            "sale",
            "sell",
            "sold",
        },
        "INVESTMENT": {"invest", "invested", "investment"},
    }

    def figures(self, s, text):
        """The figures of a deal the sentence reports, for the deal the
        sentence states or, where it states none, the article's last deal
        its words speak of: "priced at $26 a share", "raised HK$5.4
        billion", "a market value of $18.3 billion", "a 568-million-euro
        deal", "a 73.35 percent share"."""
        from .extract import amount, currency

        events = [e for e in self.a.entities.values() if e.type == "Event" and e.props.get("kind") in self.DEAL_WORDS]
        if not events:
            return
        words = {t.lower_ for t in s}
        here = [e for e in events if text in e.sentences]
        if len(here) == 1:
            ev = here[0]
        elif not here:
            kinds = [k for k, ws in self.DEAL_WORDS.items() if words & ws]
            later = [e for e in events if e.props.get("kind") in kinds]
            if not later:
                return
            ev = later[-1]
        else:
            return
        kind = ev.props.get("kind")
        have = set(ev.props) | {k[:-3] for k in ev.props if k.endswith("Usd")}
        for m in s.ents:
            # "$464m": the scale may be a word of its own after the figure
            text_ = m.text + (
                " " + s.doc[m.end].text if m.end < s.end and s.doc[m.end].lower_ in MAGNITUDE_WORDS else ""
            )
            value = amount(text_) if m.label_ in ("MONEY", "PERCENT", "CARDINAL", "QUANTITY") else None
            if value is None:
                continue
            after = " ".join(t.lower_ for t in s.doc[m.end : min(m.end + 3, s.end)])
            before = " ".join(t.lower_ for t in s.doc[max(s.start, m.start - 5) : m.start])
            if re.search(
                r"\b(between|range|from|to|up to|indications?|expected|estimate[sd]?)\b", before
            ) or after.startswith(("to $", "-")):
                continue  # a range or an estimate, not the figure
            key = None
            if m.label_ == "MONEY" and currency(m.text):
                head = m.root.head
                while head.dep_ in ("prep", "pobj", "quantmod", "compound", "nummod") and head.head.i != head.i:
                    head = head.head
                if after.startswith(("a share", "per share", "each", "apiece", "a piece")) or re.search(
                    r"(ipo|offer|issue) price|priced (at|them at)", before
                ):
                    key = "pricePerShare"
                elif re.search(r"valu|market value|worth|capitali", before) or after.startswith(
                    ("valuation", "market value")
                ):
                    key = "valuation"
                elif (
                    head.lemma_.lower()
                    in (
                        "raise",
                        "fetch",
                        "bring",
                        "net",
                        "pay",
                        "buy",
                        "acquire",
                        "purchase",
                        "deal",
                        "acquisition",
                        "purchase",
                        "sell",
                        "invest",
                        "bid",
                    )
                    or re.search(r"\b(raise[sd]?|raising|for|pay|paid|worth)\b", before)
                    or after.startswith(("deal", "purchase", "acquisition", "takeover"))
                ):
                    key = "amount"
                if key == "valuation" and kind not in ("IPO", "FUNDING", "ACQUISITION", "INVESTMENT"):
                    key = None
            elif (
                m.label_ == "PERCENT"
                and kind in ("ACQUISITION", "INVESTMENT")
                and re.search(r"\b(stake|share|holding|shareholding|interest|of)\b", after + " " + before)
            ):
                key = "stakePercent"
                if not 0 < value <= 100:
                    key = None
            if key is None or key in have:
                continue
            have.add(key)
            ev.props[key] = value
            if m.label_ == "MONEY":
                ev.props.setdefault("currency", currency(m.text))
            ev.cite(text)

    # -- alliances and listings ------------------------------------------------

    ALLIANCE_NOUNS = {
        "partnership",
        "alliance",
        "agreement",
        "pact",
        "collaboration",
        "tie-up",
        "venture",
        "cooperation",
        "deal",
        "memorandum",
        "mou",
    }
    ALLIANCE_VERBS = {"partner", "team", "collaborate", "ally", "tie", "cooperate", "join"}

    def alliances(self, s, text):
        """ "GM and Honda signed an agreement to form an alliance",
        "Stellantis signed a strategic partnership with Foxconn", "a joint
        venture between Tata and Starbucks", "teamed up with"."""
        for t in s:
            lemma = t.lemma_.lower()
            pairs = []
            if t.pos_ == "NOUN" and lemma in self.ALLIANCE_NOUNS:
                if lemma in ("deal", "agreement", "venture") and not any(
                    c.lower_
                    in (
                        "strategic",
                        "joint",
                        "partnership",
                        "alliance",
                        "cooperation",
                        "collaboration",
                        "licensing",
                        "distribution",
                        "supply",
                    )
                    for c in t.children
                ):
                    continue
                # "between A and B"
                for c in t.children:
                    if c.dep_ == "prep" and c.lower_ == "between":
                        ends = [g for g in c.children if g.dep_ == "pobj"]
                        ends += [x for g in ends for x in g.conjuncts]
                        orgs = [o for o in (self._org_end(x, s) for x in ends) if o is not None]
                        pairs += [(orgs[0], o) for o in orgs[1:]]
                # "A signed a partnership with B", "A and B formed an alliance"
                v = t.head
                while v.dep_ in ("xcomp", "dobj", "pobj", "prep") and v.head.i != v.i and v.pos_ != "VERB":
                    v = v.head
                if v.pos_ == "VERB":
                    subjects = [c for c in v.children if c.dep_ == "nsubj"]
                    if not subjects and v.dep_ == "xcomp":
                        subjects = [c for c in v.head.children if c.dep_ == "nsubj"]
                    subj_orgs = [
                        o
                        for o in (self._org_end(x, s) for sub in subjects for x in (sub, *sub.conjuncts))
                        if o is not None
                    ]
                    withs = [
                        g
                        for c in list(t.children) + list(v.children)
                        if c.dep_ == "prep" and c.lower_ == "with"
                        for g in c.children
                        if g.dep_ == "pobj"
                    ]
                    with_orgs = [
                        o for o in (self._org_end(x, s) for w in withs for x in (w, *w.conjuncts)) if o is not None
                    ]
                    for a in subj_orgs:
                        pairs += [(a, b) for b in with_orgs]
                    if not with_orgs and len(subj_orgs) > 1:
                        pairs += [(subj_orgs[0], b) for b in subj_orgs[1:]]
            elif t.pos_ == "VERB" and lemma in self.ALLIANCE_VERBS:
                if lemma in ("team", "tie", "join") and not any(
                    c.lower_ in ("up", "hands", "forces") for c in t.children
                ):
                    continue
                a = self.a._subject_org(t, s)
                withs = [
                    g
                    for c in t.children
                    if c.dep_ == "prep" and c.lower_ == "with"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
                for w in withs:
                    for x in (w, *w.conjuncts):
                        b = self._org_end(x, s)
                        if a is not None and b is not None:
                            pairs.append((a, b))
            for a, b in pairs:
                if a is not b and a.type in ("Company", "Partner") and b.type in ("Company", "Partner"):
                    self.a.relate("PARTNERED_WITH", a, b, text, "alliance", 0.7)

    def listings(self, s, text):
        """ "Twitter priced its IPO at $26 a share", "Horizon's shares
        debuted in Hong Kong", "Reuters floats its Instinet arm on Nasdaq":
        an organisation's listing."""
        for v in s:
            lemma = v.lemma_.lower()
            if v.pos_ != "VERB" or lemma not in ("price", "debut", "float", "list", "go"):
                continue
            if lemma == "go" and not any(c.lower_ == "public" for c in v.children):
                continue
            issuer = None
            objs = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass", "nsubj")]
            for o in objs:
                if o.lemma_.lower() in ("ipo", "offering", "share", "stock", "listing") or o.lower_ in (
                    "ipo",
                    "shares",
                ):
                    issuer = issuer or next(
                        (self._org_end(c, s) for c in o.children if c.dep_ in ("poss", "compound")), None
                    )
                elif o.dep_ in ("dobj",) and lemma == "float":
                    issuer = (
                        issuer
                        or self._org_end(o, s)
                        or next((self._org_end(c, s) for c in o.children if c.dep_ in ("compound", "appos")), None)
                    )
            if (
                issuer is None
                and lemma in ("debut", "list", "go", "price")
                and any(o.dep_ == "nsubj" for o in objs)
                and not any(o.lemma_.lower() in ("share", "stock", "ipo", "offering") for o in objs)
            ):
                issuer = (
                    self.a._subject_org(v, s)
                    if lemma != "price"
                    or any(o.dep_ == "dobj" and o.lemma_.lower() in ("ipo", "offering", "share", "stock") for o in objs)
                    else None
                )
            if issuer is None or issuer.type not in ("Company", "Partner"):
                continue
            ev = next(
                (
                    e
                    for e in self.a.entities.values()
                    if e.type == "Event"
                    and e.props.get("kind") == "IPO"
                    and any(
                        r.type == "PARTICIPATED_IN" and r.source is issuer and r.target is e
                        for r in self.a.relationships.values()
                    )
                ),
                None,
            )
            if ev is None:
                ev = self.a.entity("Event", f"{issuer.name} IPO", text, "listing", 0.65)
                ev.props.update({"kind": "IPO", "status": "planned" if self.a._planned(v) else "occurred"})
            for w in v.subtree:
                if w.dep_ == "pobj" and w.head.lower_ == "on" and w.ent_type_ == "ORG":
                    ev.props.setdefault(
                        "exchange",
                        re.sub(r"^the\s+", "", _span_of(w, s).text if _span_of(w, s) else w.text, flags=re.I),
                    )
            self.a.relate("PARTICIPATED_IN", issuer, ev, text, "listing", 0.65, role="issuer")
            ev.cite(text)

    # -- products an organisation owns ---------------------------------------

    NOT_PRODUCTS = {
        "subsidiary",
        "unit",
        "division",
        "arm",
        "headquarters",
        "stake",
        "share",
        "shares",
        "business",
        "board",
        "shareholder",
        "shareholders",
        "investor",
        "investors",
        "employee",
        "employees",
        "staff",
        "workforce",
        "office",
        "offices",
        "plant",
        "factory",
        "store",
        "stores",
        "market",
        "markets",
        "revenue",
        "profit",
        "sales",
        "price",
        "valuation",
        "deal",
        "acquisition",
        "ipo",
        "offering",
        "chief",
        "ceo",
        "founder",
        "president",
        "executive",
        "chairman",
        "rival",
        "rivals",
        "parent",
        "owner",
        "partner",
        "customers",
        "users",
        "brand",
        "name",
        "website",
        "site",
        "app",
        "mall",
        "operations",
        "strategy",
        "plan",
        "plans",
        "results",
        "report",
        "statement",
        "team",
    }

    def possessed_products(self, s, text):
        """ "Audi's e-Tron SUV", "Tesla Inc.'s Model 3 sedan", "its Mate 60
        Pro handset", "Huawei's latest Harmony 4.0 operating system": a
        name an organisation's possessive puts before a common noun is a
        product of the organisation."""
        for poss in s:
            if poss.dep_ != "poss":
                continue
            head = poss.head
            if (
                head.pos_ not in ("NOUN", "PROPN")
                or head.lemma_.lower() in self.NOT_PRODUCTS
                or head.lower_ in self.NOT_PRODUCTS
            ):
                continue
            org = self.a._resolve_org(poss, s) if poss.ent_type_ == "ORG" or poss.lower_ in ("its", "their") else None
            if org is None and poss.dep_ == "poss":
                span = _span_of(poss, s, ("ORG",))
                org = self.a.by_name.get(self.a.key(span.text)) if span is not None else None
            if org is None or org.type not in ("Company", "Partner"):
                continue
            # the name: named words between the possessive and the noun
            words = [
                w
                for w in s.doc[poss.i + 1 : head.i + (1 if head.pos_ == "PROPN" else 0)]
                if w.dep_ in ("compound", "nmod", "amod", "nummod", "punct") or w.i == head.i
            ]
            words = [
                w for w in words if w.lower_ not in ("'s", "\u2019s", "latest", "new", "newest", "flagship", "own")
            ]
            while words and not _named(words[0]):
                words.pop(0)
            if (
                not words
                or not any(_named(w) for w in words)
                or any(
                    w.ent_type_ in ("ORG", "GPE", "PERSON", "NORP", "DATE", "MONEY", "PERCENT", "CARDINAL")
                    and w.ent_type_ != "PRODUCT"
                    for w in words
                )
            ):
                continue
            name = s.doc[words[0].i : words[-1].i + 1].text.strip(" ,")
            if len(name) < 2 or self.a.key(name) == self.a.key(org.name):
                continue
            known = self.a.by_name.get(self.a.key(name))
            if known is not None and known.type != "Product":
                continue
            p = self.a.entity("Product", name, text, "product of an organisation", 0.7)
            self.a.relate("HAS_PRODUCT", org, p, text, "possessive", 0.7)

    def backers(self, s, text):
        """ "Nuro, the delivery startup backed by SoftBank, Google and Tiger
        Global": investors of the organisation."""
        for v in s:
            if v.lemma_.lower() != "back" or v.tag_ != "VBN":
                continue
            agents = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            agents = [x for g in agents for x in (g, *g.conjuncts)]
            if not agents:
                continue
            if v.dep_ in ("acl", "amod"):
                backed = self._org_end(v.head, s)
            else:
                subj = next((c for c in v.children if c.dep_ == "nsubjpass"), None)
                backed = self._org_end(subj, s) if subj is not None else None
            if backed is None:
                continue
            for a in agents:
                investor = self._org_end(a, s)
                if investor is not None and investor is not backed:
                    self.a.relate("INVESTED_IN", investor, backed, text, "backed by", 0.7)
