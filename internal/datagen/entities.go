package datagen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The vocabulary. Markets come first by popularity: a handful of them get
// most of the companies and events.
var (
	markets = []string{
		"United States", "China", "India", "Europe", "Germany", "United Kingdom", "Japan", "Southeast Asia",
		"Brazil", "France", "Indonesia", "South Korea", "Canada", "Australia", "Mexico", "Russia", "Italy",
		"Spain", "Turkey", "Saudi Arabia", "Latin America", "Africa", "Nigeria", "South Africa", "Egypt",
		"Vietnam", "Thailand", "Philippines", "Malaysia", "Singapore", "Poland", "Netherlands", "Sweden",
		"Switzerland", "Israel", "United Arab Emirates", "Argentina", "Chile", "Colombia", "Peru", "Pakistan",
		"Bangladesh", "Kenya", "Ukraine", "Czech Republic", "Austria", "Belgium", "Norway", "Denmark", "New Zealand",
	}
	countries = []string{
		"United States", "China", "India", "Germany", "Japan", "United Kingdom", "France", "South Korea",
		"Canada", "Israel", "Sweden", "Netherlands", "Switzerland", "Singapore", "Brazil", "Australia", "Spain",
		"Italy", "Taiwan", "Finland", "Denmark", "Norway", "Ireland", "Poland", "Indonesia", "Mexico",
		"Nigeria", "Estonia", "Austria", "Belgium",
	}
	cities = []string{
		"San Francisco", "New York", "Beijing", "Shenzhen", "Bangalore", "Mumbai", "Berlin", "Munich", "Tokyo",
		"Osaka", "London", "Paris", "Seoul", "Toronto", "Tel Aviv", "Stockholm", "Amsterdam", "Zurich",
		"Singapore", "Sao Paulo", "Sydney", "Madrid", "Milan", "Taipei", "Helsinki", "Copenhagen", "Oslo",
		"Dublin", "Warsaw", "Jakarta", "Mexico City", "Lagos", "Tallinn", "Vienna", "Brussels", "Austin",
	}
	syllables = []string{
		"vel", "mor", "zen", "tra", "kor", "lum", "nex", "aro", "bri", "cal", "dyn", "eco", "fal", "gra",
		"hel", "ion", "jun", "kip", "lex", "mar", "nov", "orb", "pax", "qui", "ros", "sol", "tek", "ula",
		"vor", "wyn", "xan", "yar", "zul", "ber", "cor", "dal", "fen", "gol", "hal", "ish",
	}
	companySuffixes = []string{
		"Systems", "Labs", "Technologies", "Mobile", "Electronics", "Networks", "Robotics", "Energy",
		"Foods", "Motors", "Health", "Capital", "Logistics", "Retail", "Media", "Software", "Devices",
		"Semiconductors", "Telecom", "Biotech",
	}
	partnerSuffixes = []string{"Retail", "Mart", "Distribution", "Telecom", "Bank", "Cart", "Stores", "Ventures"}
	firstNames      = []string{
		"Anna", "Hugo", "Lei", "Priya", "Marco", "Sofia", "Kenji", "Amara", "Lucas", "Mei", "Omar", "Elena",
		"Raj", "Chloe", "Tomas", "Aisha", "Jonas", "Yuki", "Carlos", "Nadia", "Felix", "Ines", "Arjun", "Lina",
		"Mateo", "Sara", "Wei", "Olga", "David", "Fatima", "Leon", "Hana", "Victor", "Maya", "Ivan", "Zara",
		"Samuel", "Nora", "Ken", "Laura", "Diego", "Emma", "Bruno", "Ava", "Ahmed", "Julia", "Min", "Clara",
	}
	lastNames = []string{
		"Barra", "Lin", "Sharma", "Rossi", "Garcia", "Tanaka", "Okafor", "Silva", "Chen", "Haddad", "Petrova",
		"Patel", "Dubois", "Novak", "Khan", "Berg", "Sato", "Mendes", "Ivanova", "Weber", "Costa", "Iyer",
		"Larsen", "Alvarez", "Nilsson", "Wang", "Kowalski", "Cohen", "Schmidt", "Kim", "Moreau", "Santos",
		"Fischer", "Yamamoto", "Adeyemi", "Romano", "Lindqvist", "Gupta", "Hoffmann", "Park", "Nakamura",
		"Mensah", "Ferreira", "Jensen", "Ali", "Bauer", "Torres", "Lee", "Murphy", "Ortiz",
	}
	titles       = []string{"CEO", "CFO", "CTO", "COO", "Global Vice President", "Head of Sales", "Chief Scientist", "Managing Director", "Head of Product", "General Counsel"}
	productLines = []string{"Phone", "Band", "Pad", "Book", "Watch", "Buds", "Cloud", "Hub", "Cam", "TV", "Router", "Scooter"}
	productKinds = []string{"device", "smartphone", "service", "device category", "e-commerce site", "software"}
	sourceKinds  = []string{"news article", "press release", "blog post", "interview", "filing"}
	categories   = []string{"Smartphones", "Funding", "Retail", "Markets", "Wearables", "Semiconductors", "Energy", "Health"}
	statuses     = []string{"planned", "entered", "operating", "expanded"}
	rounds       = []string{"Seed", "Series A", "Series B", "Series C", "Series D", "Series E"}
	currencies   = []string{"USD", "USD", "USD", "EUR", "CNY", "INR", "GBP", "JPY"}
)

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func word(r *rand.Rand) string {
	w := pick(r, syllables) + pick(r, syllables)
	if r.IntN(2) == 0 {
		w += pick(r, syllables)
	}
	return capitalize(w)
}

func companyName(r *rand.Rand) string { return word(r) + " " + pick(r, companySuffixes) }
func partnerName(r *rand.Rand) string { return word(r) + " " + pick(r, partnerSuffixes) }
func personName(r *rand.Rand) string  { return pick(r, firstNames) + " " + pick(r, lastNames) }

func productName(r *rand.Rand, company string) string {
	brand, _, _ := strings.Cut(company, " ")
	return brand + " " + pick(r, productLines) + " " + string(rune('A'+r.IntN(26))) + strconv.Itoa(1+r.IntN(9))
}

// SearchWord is a word the search finds: the first word of a company's name.
func (g *Graph) SearchWord(company int) string {
	w, _, _ := strings.Cut(g.names[Company][company], " ")
	return strings.ToLower(w)
}

// node returns the properties of entity i of kind k, id included.
func (g *Graph) node(k Kind, i int) map[string]any {
	if k == Event {
		return g.event(i).props
	}
	if k == Source {
		return g.source(i)
	}
	p := map[string]any{"id": g.ID(k, i), "name": g.names[k][i]}
	r := g.rng(k, i, 1)
	aliases := []string{}
	switch k {
	case Company:
		first, _, _ := strings.Cut(g.names[k][i], " ")
		if r.IntN(3) == 0 {
			aliases = append(aliases, first)
		}
		p["country"] = g.Country(i)
		p["headquarters"] = pick(r, cities)
	case Executive:
		if r.IntN(2) == 0 {
			_, last, _ := strings.Cut(g.names[k][i], " ")
			aliases = append(aliases, last)
		}
	case Product:
		p["kind"] = pick(r, productKinds)
	}
	p["aliases"] = aliases
	g.gaps(k, i, p)
	return p
}

// gaps leaves optional properties out of some entities, so that filters
// and sorts meet missing values as they do in real data. It draws from a
// stream of its own, so every other property stays what it was.
func (g *Graph) gaps(k Kind, i int, p map[string]any) {
	r := g.rng(k, i, gapStream)
	drop := func(key string, chance float64) {
		if r.Float64() < chance {
			delete(p, key)
		}
	}
	switch k {
	case Company:
		drop("country", 0.1)
		drop("headquarters", 0.15)
	case Product:
		drop("kind", 0.1)
	case Event:
		drop("status", 0.05)
		drop("date", 0.05)
		drop("place", 0.1)
	case Source:
		drop("kind", 0.1)
		drop("url", 0.2)
		drop("published", 0.1)
	}
}

// gapStream is the random stream of gaps, past those of relationships.
const gapStream = 255

func (g *Graph) source(i int) map[string]any {
	r := g.rng(Source, i, 0)
	c := g.companyPick.pick(r)
	m := g.marketPick.pick(r)
	brand, _, _ := strings.Cut(g.names[Company][c], " ")
	title := brand + " " + pick(r, []string{"expands in", "bets on", "struggles in", "eyes", "doubles down on"}) + " " + markets[m]
	p := map[string]any{
		"id": g.ID(Source, i), "title": title, "kind": pick(r, sourceKinds),
		"categories": []string{pick(r, categories)}, "tags": []string{brand, markets[m]},
	}
	// Drawn after the others, so that they stay what they were.
	p["url"] = "https://news.example.com/" + g.ID(Source, i)
	p["published"] = fmt.Sprintf("20%02d-%02d-%02d", 10+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28))
	g.gaps(Source, i, p)
	return p
}

// eventRec is an event with who and what it involves; relationships and
// the node are both produced from it.
type eventRec struct {
	name      string
	props     map[string]any
	companies []int
	execs     []int
	markets   []int
	product   int
	kind      string
}

// eventMemo holds the last event computed. Every relationship set an
// event owns asks for it; written in one pass, they ask one after another.
type eventMemo struct {
	i   int
	rec eventRec
}

// withEventMemo is a copy of g, for one goroutine, that computes an event
// once for consecutive asks. Its RelSets are its own, so they use the memo.
func (g *Graph) withEventMemo() *Graph {
	c := *g
	c.memo = &eventMemo{i: -1}
	return &c
}

func (g *Graph) event(i int) eventRec {
	if g.memo == nil {
		return g.makeEvent(i)
	}
	if g.memo.i != i {
		g.memo.i, g.memo.rec = i, g.makeEvent(i)
	}
	return g.memo.rec
}

func (g *Graph) makeEvent(i int) eventRec {
	r := g.rng(Event, i, 0)
	e := eventRec{kind: EventKinds[g.eventKindPick.pick(r)], product: -1}
	e.companies = distinct(r, g.companyPick, 1+r.IntN(3))
	e.markets = distinct(r, g.marketPick, 1+boolInt(r.Float64() < 0.3))
	for range r.IntN(4) {
		var x int
		if staff := g.companyExecs[pick(r, e.companies)]; len(staff) > 0 && r.Float64() < 0.8 {
			x = int(pick(r, staff))
		} else {
			x = r.IntN(g.count[Executive])
		}
		dup := false
		for _, y := range e.execs {
			dup = dup || x == y
		}
		if !dup {
			e.execs = append(e.execs, x)
		}
	}
	lead := g.names[Company][e.companies[0]]
	market := markets[e.markets[0]]
	year := 2012 + r.IntN(14)
	p := map[string]any{
		"id": g.ID(Event, i), "kind": e.kind, "aliases": []string{},
		"status": "occurred", "date": strconv.Itoa(year) + "-" + twoDigits(1+r.IntN(12)), "place": pick(r, cities),
	}
	if r.Float64() < 0.15 {
		p["status"] = "planned"
	}
	switch e.kind {
	case "ANNOUNCEMENT":
		e.name = lead + " announces plans for " + market
	case "MARKET_ENTRY":
		e.name = lead + " enters " + market
	case "PRODUCT_LAUNCH", "SALES":
		if ps := g.companyProduct[e.companies[0]]; len(ps) > 0 {
			e.product = int(pick(r, ps))
		}
		what := "new products"
		if e.product >= 0 {
			what = g.names[Product][e.product]
		}
		if e.kind == "SALES" {
			e.name = lead + " sales of " + what + " in " + market + ", " + strconv.Itoa(year)
			p["unitsSold"] = twoFigures(math.Exp(12 + 1.5*r.NormFloat64()))
		} else {
			e.name = lead + " launches " + what + " in " + market
		}
	case "FUNDING":
		amount := math.Round(math.Exp(16.5+1.5*r.NormFloat64())/1e5) * 1e5
		p["amountUsd"] = amount
		p["valuationUsd"] = amount * float64(5+r.IntN(16))
		e.name = lead + " raises $" + strconv.FormatFloat(amount/1e6, 'f', 1, 64) + "M"
	}
	g.figures(&e, i, lead, p)
	p["name"] = e.name
	g.gaps(Event, i, p)
	e.props = p
	return e
}

// layoffShare is the share of announcements that are layoffs instead.
const layoffShare = 0.2

// figures makes some announcements layoffs, with the jobs cut, and gives
// most funding rounds a name. They come from a stream of their own, drawn
// after the rest of the event, so every other event and property stays
// what it was.
func (g *Graph) figures(e *eventRec, i int, lead string, p map[string]any) {
	r := g.rng(Event, i, figureStream)
	switch {
	case e.kind == "ANNOUNCEMENT" && r.Float64() < layoffShare:
		e.kind = "LAYOFF"
		p["kind"] = e.kind
		headcount := max(twoFigures(math.Exp(5.5+1.2*r.NormFloat64())), 5)
		e.name = lead + " cuts " + strconv.FormatInt(headcount, 10) + " jobs"
		// Sources give the number, the share or both.
		switch r.IntN(5) {
		case 0:
			p["sharePercent"] = float64(1+r.IntN(40)) / 2
		case 1:
			p["headcount"] = headcount
		default:
			p["headcount"] = headcount
			p["sharePercent"] = float64(1+r.IntN(40)) / 2
		}
	case e.kind == "FUNDING" && r.Float64() < 0.8:
		p["round"] = pick(r, rounds)
	}
}

// twoFigures rounds x to two significant figures: sales figures as the
// news reports them, and with ties, as sorts must handle.
func twoFigures(x float64) int64 {
	if x < 10 {
		return int64(math.Round(x))
	}
	scale := math.Pow(10, math.Floor(math.Log10(x))-1)
	return int64(math.Round(x/scale) * scale)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// RelSet is one kind of relationship, (From)-[:Type]->(To), produced by
// walking the entities of the kind Owner.
type RelSet struct {
	From  Kind
	Type  string
	To    Kind
	Owner Kind
	emit  func(i int, r *rand.Rand, out func(from, to int, props map[string]any))
	// stream is the set's random stream, when another set has its ends;
	// 0 for the stream its ends give.
	stream int
}

// streams are the random streams of s's relationships and of their gaps.
func (s RelSet) streams() (rels, gaps int) {
	rels = 2 + int(s.From)*16 + int(s.To)
	if s.stream != 0 {
		rels = s.stream
	}
	return rels, gapStream + 1 - rels
}

// Rels produces the relationships that entity i of s.Owner starts or ends,
// as (from rank, to rank, properties); every one carries evidence.
func (g *Graph) Rels(s RelSet, i int, out func(from, to string, props map[string]any)) {
	g.relRanks(s, i, func(from, to int, props map[string]any) {
		out(g.ID(s.From, from), g.ID(s.To, to), props)
	})
}

// relRanks is Rels with the ends as ranks of their kinds.
func (g *Graph) relRanks(s RelSet, i int, out func(from, to int, props map[string]any)) {
	rs, gs := s.streams()
	r, gaps := g.rng(s.Owner, i, rs), g.rng(s.Owner, i, gs)
	s.emit(i, r, func(from, to int, props map[string]any) {
		src := r.IntN(g.count[Source])
		if s.To == Source {
			// A mention's evidence is in the source that mentions.
			src = to
		}
		props["sources"] = []string{g.ID(Source, src)}
		props["sentences"] = []string{g.sentence(s, from, to, props)}
		// Some relationships lack an optional property; the sentence,
		// worded before, still names it, as sources say more than is kept.
		for _, key := range []string{"title", "role", "since", "market"} {
			if _, ok := props[key]; ok && gaps.Float64() < 0.1 {
				delete(props, key)
			}
		}
		out(from, to, props)
	})
}

// sentence is the evidence for one relationship, worded like a source.
func (g *Graph) sentence(s RelSet, from, to int, props map[string]any) string {
	a, b := g.names[s.From][from], g.names[s.To][to]
	switch s.Type {
	case "WORKS_FOR":
		return a + ", " + props["title"].(string) + " of " + b + ", spoke to reporters."
	case "IN_MARKET":
		return a + " has " + props["status"].(string) + " the " + b + " market."
	case "PARTNERED_WITH":
		return a + " signed a partnership with " + b + "."
	case "HAS_PRODUCT":
		return a + " makes the " + b + "."
	case "PARTICIPATED_IN":
		return a + " took part in \"" + b + "\" as " + props["role"].(string) + "."
	case "CONCERNS":
		return "\"" + a + "\" concerns " + b + "."
	case "MENTIONED_IN":
		return "The report names " + a + "."
	case "OWNS":
		return a + " owns " + b + "."
	case "INVESTED_IN":
		return a + " invested in " + b + "."
	}
	return "\"" + a + "\" is about the " + b + "."
}

// RelSets lists every kind of relationship the generator makes.
func (g *Graph) RelSets() []RelSet {
	sets := []RelSet{
		{From: Executive, Type: "WORKS_FOR", To: Company, Owner: Executive, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			for _, c := range g.employers[i] {
				if c >= 0 {
					out(i, int(c), map[string]any{"title": pick(r, titles)})
				}
			}
		}},
		{From: Company, Type: "IN_MARKET", To: Market, Owner: Company, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			for _, m := range distinct(r, g.marketPick, 1+r.IntN(4)) {
				out(i, m, map[string]any{"status": pick(r, statuses), "since": strconv.Itoa(2005 + r.IntN(20))})
			}
		}},
		{From: Company, Type: "PARTNERED_WITH", To: Partner, Owner: Company, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			for _, p := range distinct(r, g.partnerPick, r.IntN(3)) {
				out(i, p, map[string]any{"market": markets[g.marketPick.pick(r)], "exclusive": r.IntN(5) == 0})
			}
		}},
		{From: Company, Type: "HAS_PRODUCT", To: Product, Owner: Product, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			out(int(g.productOwner[i]), i, map[string]any{})
		}},
		{From: Company, Type: "PARTICIPATED_IN", To: Event, Owner: Event, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			e := g.event(i)
			for n, c := range e.companies {
				role := "announcer"
				if e.kind == "LAYOFF" {
					role = "employer"
				}
				if n > 0 {
					role = pick(r, []string{"participant", "partner", "investor", "competitor"})
				}
				out(c, i, map[string]any{"role": role})
			}
		}},
		{From: Executive, Type: "PARTICIPATED_IN", To: Event, Owner: Event, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			for _, x := range g.event(i).execs {
				out(x, i, map[string]any{"role": pick(r, []string{"announcer", "speaker", "participant"}), "title": pick(r, titles)})
			}
		}},
		{From: Event, Type: "CONCERNS", To: Market, Owner: Event, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			for _, m := range g.event(i).markets {
				out(i, m, map[string]any{})
			}
		}},
		{From: Event, Type: "LAUNCHES", To: Product, Owner: Event, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			if e := g.event(i); e.kind == "PRODUCT_LAUNCH" && e.product >= 0 {
				out(i, e.product, map[string]any{"channel": pick(r, []string{"online", "retail", "carriers"})})
			}
		}},
		{From: Event, Type: "ABOUT", To: Product, Owner: Event, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			if e := g.event(i); e.kind == "SALES" && e.product >= 0 {
				out(i, e.product, map[string]any{})
			}
		}},
		// A few companies own others, wholly or in part; the biggest own most.
		{From: Company, Type: "OWNS", To: Company, Owner: Company, stream: ownsStream, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			n := 0
			if r.Float64() < 0.05+0.5/float64(1+i) {
				n = 1 + r.IntN(3)
			}
			for _, c := range others(r, g.count[Company], i, n) {
				since := 1995 + r.IntN(30)
				p := map[string]any{"since": strconv.Itoa(since)}
				switch x := r.Float64(); {
				case x < 0.5:
					p["stakePercent"] = 100.0
				case x < 0.9:
					p["stakePercent"] = float64(10+r.IntN(180)) / 2
				}
				if r.Float64() < 0.1 {
					p["until"] = strconv.Itoa(since + 1 + r.IntN(8))
				}
				out(i, c, p)
			}
		}},
		// Some companies have investors, the biggest companies most often.
		{From: Company, Type: "INVESTED_IN", To: Company, Owner: Company, stream: investedStream, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			if r.Float64() >= 0.15 {
				return
			}
			for _, c := range distinct(r, g.companyPick, 1+r.IntN(3)) {
				if c == i {
					continue
				}
				p := map[string]any{
					"amount":   math.Round(math.Exp(16+1.5*r.NormFloat64())/1e5) * 1e5,
					"currency": pick(r, currencies),
					"date":     strconv.Itoa(2010+r.IntN(16)) + "-" + twoDigits(1+r.IntN(12)),
				}
				if r.Float64() < 0.8 {
					p["round"] = pick(r, rounds)
				}
				out(c, i, p)
			}
		}},
	}
	// Sources mention every other entity one to three times.
	for _, k := range []Kind{Company, Executive, Market, Product, Partner, Event} {
		sets = append(sets, RelSet{From: k, Type: "MENTIONED_IN", To: Source, Owner: k, emit: func(i int, r *rand.Rand, out func(int, int, map[string]any)) {
			n := 1 + r.IntN(3)
			if k == Market {
				// Markets are mentioned everywhere; keep their degree like
				// the rest of the graph's hubs, not the whole corpus.
				n = 20 + r.IntN(20)
			}
			seen := map[int]bool{}
			for range n {
				s := r.IntN(g.count[Source])
				if !seen[s] {
					seen[s] = true
					out(i, s, map[string]any{})
				}
			}
		}})
	}
	return sets
}
