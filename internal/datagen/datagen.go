// Package datagen generates a synthetic company knowledge graph for
// benchmarks: companies, their executives, markets, products, partners,
// events and the sources that mention them, with evidence on every
// relationship, as graph/schema/*.graphqls describes it. The graph is a pure
// function of its size and seed, so two runs, or the loader and the
// benchmark choosing its requests, see the same graph without sharing
// files. Degrees are skewed the way real news graphs are: a few huge
// companies and many small ones, a handful of markets with most of the
// edges. It is not the seed article and not test data for the API's
// semantics; it is load.
package datagen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Sizes are the named dataset sizes, in nodes. Each node has about four
// relationships.
var Sizes = map[string]int{"S": 10_000, "M": 100_000, "L": 1_000_000}

// Kind is a node label of the schema.
type Kind int

// The kinds, in the order their nodes are loaded.
const (
	Market Kind = iota
	Company
	Executive
	Product
	Partner
	Event
	Source
	numKinds
)

var kindLabels = [numKinds]string{"Market", "Company", "Executive", "Product", "Partner", "Event", "Source"}

// Label is the Neo4j label of the kind.
func (k Kind) Label() string { return kindLabels[k] }

// EventKinds are the values of Event.kind the generator gives.
var EventKinds = []string{"ANNOUNCEMENT", "MARKET_ENTRY", "PRODUCT_LAUNCH", "FUNDING", "SALES", "LAYOFF"}

// eventKindWeights say how often each of the first kinds is drawn. A
// LAYOFF is an ANNOUNCEMENT made one (layoffShare of them), from a stream
// of its own, so the draws of every other event stay what they were.
var eventKindWeights = []float64{0.30, 0.15, 0.25, 0.15, 0.15}

// Graph is one generated graph. Entities are numbered per kind by rank:
// entity 0 of a kind is its most connected one. Ids hide the rank (see ID),
// so sorting by id, as the APIs do, does not sort by size.
type Graph struct {
	Nodes int
	Seed  uint64
	count [numKinds]int

	companyPick, marketPick, partnerPick, countryPick, eventKindPick *sampler

	names   [numKinds][]string
	country []int32 // per company
	// employers of each executive, and the reverse index, so events can
	// pick participants among the people of the companies taking part.
	employers      [][2]int32
	companyExecs   [][]int32
	productOwner   []int32
	companyProduct [][]int32

	// memo is nil but in a copy for one goroutine (withEventMemo).
	memo *eventMemo
}

// New generates the graph of about nodes nodes from seed. It computes what
// relationships need to agree on (names, employers, owners); properties
// and relationships are produced while loading, from per-entity random
// streams, so a million-node graph never sits in memory as maps.
func New(nodes int, seed uint64) (*Graph, error) {
	if nodes < 1000 {
		return nil, fmt.Errorf("datagen: want at least 1000 nodes, got %d", nodes)
	}
	g := &Graph{Nodes: nodes, Seed: seed}
	g.count[Market] = len(markets)
	g.count[Company] = nodes / 10
	g.count[Executive] = nodes * 22 / 100
	g.count[Product] = nodes * 15 / 100
	g.count[Partner] = nodes * 5 / 100
	g.count[Event] = nodes * 30 / 100
	used := 0
	for k := range numKinds {
		used += g.count[k]
	}
	g.count[Source] = nodes - used

	g.companyPick = newSampler(g.count[Company], 1.0)
	g.marketPick = newSampler(g.count[Market], 1.3)
	g.partnerPick = newSampler(g.count[Partner], 1.0)
	g.countryPick = newSampler(len(countries), 1.0)
	g.eventKindPick = &sampler{cdf: cumulative(eventKindWeights)}

	for k := range numKinds {
		g.names[k] = make([]string, g.count[k])
	}
	for i := range g.count[Market] {
		g.names[Market][i] = markets[i]
	}
	g.country = make([]int32, g.count[Company])
	for i := range g.count[Company] {
		r := g.rng(Company, i, 0)
		g.names[Company][i] = companyName(r)
		g.country[i] = int32(g.countryPick.pick(r))
	}
	g.employers = make([][2]int32, g.count[Executive])
	g.companyExecs = make([][]int32, g.count[Company])
	for i := range g.count[Executive] {
		r := g.rng(Executive, i, 0)
		g.names[Executive][i] = personName(r)
		e := [2]int32{int32(g.companyPick.pick(r)), -1}
		if r.Float64() < 0.15 {
			if c := int32(g.companyPick.pick(r)); c != e[0] {
				e[1] = c
			}
		}
		g.employers[i] = e
		for _, c := range e {
			if c >= 0 {
				g.companyExecs[c] = append(g.companyExecs[c], int32(i))
			}
		}
	}
	g.productOwner = make([]int32, g.count[Product])
	g.companyProduct = make([][]int32, g.count[Company])
	for i := range g.count[Product] {
		r := g.rng(Product, i, 0)
		c := int32(g.companyPick.pick(r))
		g.productOwner[i] = c
		g.companyProduct[c] = append(g.companyProduct[c], int32(i))
		g.names[Product][i] = productName(r, g.names[Company][c])
	}
	for i := range g.count[Partner] {
		g.names[Partner][i] = partnerName(g.rng(Partner, i, 0))
	}
	for i := range g.count[Event] {
		g.names[Event][i] = g.event(i).name
	}
	for i := range g.count[Source] {
		g.names[Source][i] = g.source(i)["title"].(string)
	}
	return g, nil
}

// Count is the number of nodes of kind k.
func (g *Graph) Count(k Kind) int { return g.count[k] }

// Name is the name (the title, for a source) of entity i of kind k.
func (g *Graph) Name(k Kind, i int) string { return g.names[k][i] }

// ID is the id of entity i of kind k: "company-123". Ids are unique across
// kinds, as node(id:) requires. The number is a fixed permutation of the
// rank, so the biggest companies are spread over the id order.
func (g *Graph) ID(k Kind, i int) string {
	n := g.count[k]
	return strings.ToLower(kindLabels[k]) + "-" + itoa(permute(i, n))
}

// Country is the country of company i.
func (g *Graph) Country(i int) string { return countries[g.country[i]] }

// Countries lists the countries companies come from, most common first.
func Countries() []string { return append([]string(nil), countries...) }

// Executives lists the executives of company i.
func (g *Graph) Executives(i int) []int32 { return g.companyExecs[i] }

// PickCompany draws a company rank with the graph's popularity skew.
func (g *Graph) PickCompany(r *rand.Rand) int { return g.companyPick.pick(r) }

// PickMarket draws a market rank with the graph's popularity skew.
func (g *Graph) PickMarket(r *rand.Rand) int { return g.marketPick.pick(r) }

// PickCountry draws a country with the graph's skew.
func (g *Graph) PickCountry(r *rand.Rand) string { return countries[g.countryPick.pick(r)] }

// rng is the random stream of one entity; stream tells apart the uses
// (properties, each kind of relationship), so each can be regenerated alone.
func (g *Graph) rng(k Kind, i, stream int) *rand.Rand {
	return rand.New(rand.NewPCG(g.Seed^uint64(k)<<56^uint64(stream)<<48, uint64(i)))
}

// The streams of one entity, below 256: 0 and 1 for its properties, 2 +
// from*16 + to (at most 104) for the relationships of a set with those
// ends, and gapStream + 1 minus that (from 152) for their gaps. What came
// later draws from streams between the two, so that adding it changed
// nothing drawn before: the figures of layoffs and rounds, and the sets
// whose ends another set already has.
const (
	figureStream   = 120 // an event's
	ownsStream     = 121 // a company's OWNS, gaps in 135
	investedStream = 122 // a company's INVESTED_IN, gaps in 134
)

// permute maps 0..n-1 onto itself, scrambled: i*p+o mod n with p prime to n.
func permute(i, n int) int {
	p := 7919
	for gcd(p, n) != 1 {
		p += 2
	}
	return int((int64(i)*int64(p) + int64(n/3)) % int64(n))
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// sampler draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s:
// a Zipf law, the shape of company sizes and of attention in the news.
type sampler struct{ cdf []float64 }

func newSampler(n int, s float64) *sampler {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
	}
	return &sampler{cdf: cumulative(w)}
}

func cumulative(w []float64) []float64 {
	cdf := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		cdf[i] = sum
	}
	for i := range cdf {
		cdf[i] /= sum
	}
	return cdf
}

func (s *sampler) pick(r *rand.Rand) int {
	i := sort.SearchFloat64s(s.cdf, r.Float64())
	return min(i, len(s.cdf)-1)
}

// distinct draws up to n different ranks.
func distinct(r *rand.Rand, s *sampler, n int) []int {
	out := make([]int, 0, n)
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		c := s.pick(r)
		dup := false
		for _, x := range out {
			dup = dup || x == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// others draws up to n different ranks of 0..count-1 other than self,
// uniformly.
func others(r *rand.Rand, count, self, n int) []int {
	out := make([]int, 0, n)
	for range n {
		c := r.IntN(count)
		if c != self && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
