package app_test

import (
	"strings"
	"testing"
)

// ids lists the id of each item, in order.
func ids(items []struct{ ID string }) string {
	var out []string
	for _, i := range items {
		out = append(out, i.ID)
	}
	return strings.Join(out, ",")
}

func TestFilters(t *testing.T) {
	a := seeded(t)
	tests := []struct {
		name, where, want string
	}{
		{"eq", `{kind: {eq: "device category"}}`, "headphones,power-banks,smartphones,tablets"},
		{"in and ne", `{id: {in: ["mi4", "miui", "tablets"]}, kind: {ne: "smartphone"}}`, "tablets"},
		{"case-insensitive contains", `{name: {contains: "BAND", caseInsensitive: true}}`, "mi-band"},
		{"case-sensitive contains misses", `{name: {contains: "BAND"}}`, ""},
		{"startsWith and endsWith", `{name: {startsWith: "Mi", endsWith: "com"}}`, "mi-com"},
		{"isNull", `{kind: {isNull: true}}`, "miui"},
		{"list includes, any case", `{aliases: {includes: "E-COMMERCE SITE", caseInsensitive: true}}`, "mi-com"},
		{"OR and NOT", `{OR: [{id: {eq: "mi4"}}, {id: {eq: "miui"}}], NOT: {kind: {isNull: true}}}`, "mi4"},
		{"some over edges with the far end", `{sellers: {some: {market: {eq: "India"}, partner: {name: {eq: "Flipkart"}}}}}`, "headphones,power-banks,smartphones"},
		{"none", `{companies: {none: {}}}`, "miui"},
		// all holds for a product no announcement offers, too.
		{"all", `{offeredAt: {all: {channel: {eq: "Mi.com"}}}, kind: {startsWith: "device"}}`, "headphones,mi-band,power-banks,smartphones,tablets"},
		{"single", `{excludedAt: {single: {reason: {contains: "MIUI"}}}}`, "smartphones,tablets"},
		{"nested relationship filters", `{launches: {some: {event: {markets: {some: {market: {id: {eq: "india"}}}}}}}}`, "mi-band,mi4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Products []struct{ ID string } }
			a.post(t, `{ products(where: `+tt.where+`) { id } }`, nil).data(t, &got)
			if s := ids(got.Products); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestNumericFiltersAndSorting(t *testing.T) {
	a := seeded(t)
	var got struct {
		Big, Desc, ByKind []struct{ ID string }
	}
	a.post(t, `query($min: Int) {
	  big: events(where: {unitsSold: {gte: $min}}) { id }
	  desc: events(where: {kind: {in: [SALES, FUNDING]}}, sort: [{unitsSold: DESC}]) { id }
	  byKind: events(sort: [{kind: ASC}, {date: DESC}], limit: 3) { id }
	}`, map[string]any{"min": 2_000_000}).data(t, &got)
	if s := ids(got.Big); s != "xiaomi-smartphone-sales" {
		t.Errorf("unitsSold >= 2M: %s", s)
	}
	// Items without the sort key come last in either direction.
	if s := ids(got.Desc); s != "xiaomi-smartphone-sales,xiaomi-smartphone-sales-india,xiaomi-funding-december" {
		t.Errorf("sorted by units, descending: %s", s)
	}
	if s := ids(got.ByKind); s != "xiaomi-us-announcement,xiaomi-funding-december,xiaomi-india-entry" {
		t.Errorf("sorted by kind then date: %s", s)
	}
}

func TestLimitOffsetAndConnections(t *testing.T) {
	a := seeded(t)
	type page struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ ID string }
		}
	}
	var first struct {
		Offset []struct{ ID string }
		Page   page
	}
	a.post(t, `{
	  offset: products(limit: 2, offset: 3) { id }
	  page: productsConnection(first: 3) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } }
	}`, nil).data(t, &first)
	// Ordered by id: headphones, mi-band, mi-com, mi4, miui, power-banks, smartphones, tablets.
	if s := ids(first.Offset); s != "mi4,miui" {
		t.Errorf("limit 2 offset 3: %s", s)
	}
	p := first.Page
	if p.TotalCount != 8 || len(p.Edges) != 3 || !p.PageInfo.HasNextPage || p.PageInfo.HasPreviousPage || *p.PageInfo.EndCursor != p.Edges[2].Cursor {
		t.Fatalf("first page: %+v", p)
	}
	var next, back struct{ ProductsConnection page }
	a.post(t, `query($after: Cursor) { productsConnection(first: 3, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage } edges { cursor node { id } } } }`,
		map[string]any{"after": *p.PageInfo.EndCursor}).data(t, &next)
	var nextIDs []string
	for _, e := range next.ProductsConnection.Edges {
		nextIDs = append(nextIDs, e.Node.ID)
	}
	if strings.Join(nextIDs, ",") != "mi4,miui,power-banks" || !next.ProductsConnection.PageInfo.HasPreviousPage {
		t.Errorf("second page: %+v", next.ProductsConnection)
	}
	a.post(t, `query($before: Cursor) { productsConnection(last: 2, before: $before) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }`,
		map[string]any{"before": next.ProductsConnection.Edges[0].Cursor}).data(t, &back)
	if e := back.ProductsConnection.Edges; len(e) != 2 || e[0].Node.ID != "mi-band" || e[1].Node.ID != "mi-com" ||
		!back.ProductsConnection.PageInfo.HasPreviousPage || !back.ProductsConnection.PageInfo.HasNextPage {
		t.Errorf("last 2 before the second page: %+v", back.ProductsConnection)
	}
	var last struct{ ProductsConnection page }
	a.post(t, `{ productsConnection(last: 2) { pageInfo { hasNextPage hasPreviousPage } edges { node { id } } } }`, nil).data(t, &last)
	if e := last.ProductsConnection.Edges; len(e) != 2 || e[0].Node.ID != "smartphones" || e[1].Node.ID != "tablets" || !last.ProductsConnection.PageInfo.HasPreviousPage {
		t.Errorf("last 2: %+v", last.ProductsConnection)
	}
}

func TestNestedConnectionAndAggregates(t *testing.T) {
	a := seeded(t)
	var got struct {
		Company struct {
			ProductsConnection struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Product  struct{ Name string }
						Evidence []struct{ Sentence string }
					}
				}
			}
			EventsAggregate struct {
				Count   int
				CountBy []struct {
					Value string
					Count int
				}
			}
		}
		EventsAggregate struct {
			Count     int
			UnitsSold struct {
				Min, Max, Sum int64
				Avg           float64
			}
			AmountUsd struct{ Sum float64 }
			ByKind    []struct {
				Value string
				Count int
			}
		}
		Launches struct{ Count int }
	}
	a.post(t, `{
	  company(id: "xiaomi") {
	    productsConnection(first: 2, sort: [{product: {name: DESC}}]) { totalCount edges { node { product { name } evidence { sentence } } } }
	    eventsAggregate { count countBy(field: role) { value count } }
	  }
	  eventsAggregate { count unitsSold { min max sum avg } amountUsd { sum } byKind: countBy(field: kind) { value count } }
	  launches: eventsAggregate(where: {kind: {eq: PRODUCT_LAUNCH}}) { count }
	}`, nil).data(t, &got)
	c := got.Company
	if c.ProductsConnection.TotalCount != 7 || len(c.ProductsConnection.Edges) != 2 ||
		c.ProductsConnection.Edges[0].Node.Product.Name != "Tablets" || c.ProductsConnection.Edges[1].Node.Product.Name != "Smartphones" ||
		len(c.ProductsConnection.Edges[0].Node.Evidence) == 0 {
		t.Errorf("products connection: %+v", c.ProductsConnection)
	}
	if c.EventsAggregate.Count != 7 || c.EventsAggregate.CountBy[0].Value != "launcher" && c.EventsAggregate.CountBy[0].Value != "seller" || c.EventsAggregate.CountBy[0].Count != 2 {
		t.Errorf("xiaomi's events by role: %+v", c.EventsAggregate)
	}
	e := got.EventsAggregate
	if e.Count != 7 || e.UnitsSold.Min != 1_000_000 || e.UnitsSold.Max != 61_100_000 || e.UnitsSold.Sum != 62_100_000 || e.UnitsSold.Avg != 31_050_000 || e.AmountUsd.Sum != 1.1e9 {
		t.Errorf("events aggregate: %+v", e)
	}
	kinds := map[string]int{}
	for _, g := range e.ByKind {
		kinds[g.Value] = g.Count
	}
	if len(kinds) != 5 || kinds["SALES"] != 2 || kinds["PRODUCT_LAUNCH"] != 2 || kinds["FUNDING"] != 1 || e.ByKind[0].Count != 2 {
		t.Errorf("events by kind: %+v", e.ByKind)
	}
	if got.Launches.Count != 2 {
		t.Errorf("launches: %d", got.Launches.Count)
	}
}

func TestSearch(t *testing.T) {
	a := seeded(t)
	tests := []struct {
		query, types, want string
	}{
		{"Barra", "", "hugo-barra"},
		{"hugo bara", "", "hugo-barra"},           // a typo
		{"Xiaomy", "[Company]", "xiaomi"},         // a typo, one type
		{"Mi", "[Product]", "mi-band,mi-com,mi4"}, // prefixes: the Mi Band and the Mi4
		{"US", "[Market]", "us"},                  // an alias
		{"asian regions", "[Market]", "asia"},     // an alias of two words
		{"flipkart", "[Partner, Company]", "flipkart"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			types := ""
			if tt.types != "" {
				types = ", types: " + tt.types
			}
			var got struct {
				Search []struct {
					Score   float64
					Matched int
					Node    struct {
						Typename string `json:"__typename"`
						ID       string
					}
				}
			}
			a.post(t, `query($q: String!) { search(query: $q`+types+`, first: 5) { score matched node { __typename id } } }`, map[string]any{"q": tt.query}).data(t, &got)
			var hits []string
			for i, h := range got.Search {
				hits = append(hits, h.Node.ID)
				if prev := got.Search[max(i-1, 0)]; h.Matched > prev.Matched || h.Matched == prev.Matched && h.Score > prev.Score {
					t.Errorf("not ranked by words matched, then score: %+v", got.Search)
				}
			}
			if !strings.HasPrefix(strings.Join(hits, ","), tt.want) {
				t.Errorf("hits %v, want them to start with %s", hits, tt.want)
			}
		})
	}
}

func TestNodeByID(t *testing.T) {
	a := seeded(t)
	var got struct {
		Flipkart, Barra struct {
			Typename string `json:"__typename"`
			ID, Name string
		}
	}
	a.post(t, `{
	  flipkart: node(id: "flipkart") { __typename id ... on Partner { name } }
	  barra: node(id: "hugo-barra") { __typename id ... on Executive { name } }
	}`, nil).data(t, &got)
	if got.Flipkart.Typename != "Partner" || got.Flipkart.Name != "Flipkart" || got.Barra.Typename != "Executive" || got.Barra.Name != "Hugo Barra" {
		t.Errorf("node: %+v", got)
	}
	if code := a.post(t, `{ node(id: "nobody") { id } }`, nil).code(t); code != "NOT_FOUND" {
		t.Errorf("unknown node id: %s", code)
	}
}

// Aliases of one field with other arguments each get their own answer.
func TestAliasesWithOtherArguments(t *testing.T) {
	a := seeded(t)
	var got struct {
		Company struct {
			India, US []struct {
				Market struct{ ID string }
			}
		}
	}
	a.post(t, `{ company(id: "xiaomi") {
	  india: markets(where: {market: {id: {eq: "india"}}}) { market { id } }
	  us: markets(where: {status: {eq: "planned"}}) { market { id } }
	} }`, nil).data(t, &got)
	if len(got.Company.India) != 1 || got.Company.India[0].Market.ID != "india" || len(got.Company.US) != 1 || got.Company.US[0].Market.ID != "us" {
		t.Errorf("aliases: %+v", got.Company)
	}
}

// One request, one statement: nested lists three levels deep, with
// connections, aggregates, search and lookup beside them.
func TestOneStatementPerRequest(t *testing.T) {
	a := seeded(t)
	before := a.statements()
	r := a.post(t, `{
	  companies(limit: 10) { events(limit: 10) { event { executives(limit: 10) { executive { employers { company { id } } } } } } }
	  markets { companiesConnection(first: 10) { edges { node { company { productsAggregate { count } } } } } }
	  search(query: "Mi") { node { id } }
	  node(id: "xiaomi") { id }
	  eventsAggregate { countBy(field: kind) { count } }
	}`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %s", r.raw)
	}
	if n := a.statements() - before; n != 1 {
		t.Errorf("want 1 Cypher statement, got %v", n)
	}
}

func TestQueryInputRefused(t *testing.T) {
	a := seeded(t)
	before := a.statements()
	deep := `{id: {eq: "x"}}`
	for i := 0; i < 8; i++ {
		deep = `{NOT: ` + deep + `}`
	}
	tests := []struct{ name, query, want string }{
		{"page too large", `{ products(limit: 101) { id } }`, "limit must be between 0 and 100"},
		{"negative offset", `{ products(offset: -1) { id } }`, "offset must not be negative"},
		{"first too large", `{ productsConnection(first: 1000) { totalCount } }`, "first must be between 0 and 100"},
		{"invalid cursor", `{ productsConnection(after: "bm90LWEtY3Vyc29y") { totalCount } }`, "invalid cursor"},
		// cursor:9223372036854775806:a, whose next positions pass int64.
		{"cursor past any list", `{ productsConnection(after: "Y3Vyc29yOjkyMjMzNzIwMzY4NTQ3NzU4MDY6YQ") { edges { cursor } } }`, "invalid cursor"},
		{"empty in", `{ products(where: {id: {in: []}}) { id } }`, "in needs at least one value"},
		{"empty OR", `{ products(where: {OR: []}) { id } }`, "OR needs at least one filter"},
		{"too deep", `{ products(where: ` + deep + `) { id } }`, "nested deeper than"},
		{"two sort keys in one", `{ products(sort: [{name: ASC, id: DESC}]) { id } }`, "exactly one field"},
		{"empty search", `{ search(query: "  !! ") { score } }`, "at least one word"},
		{"search page too large", `{ search(query: "mi", first: 500) { score } }`, "first must be between 1 and 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.post(t, tt.query, nil)
			if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, tt.want) {
				t.Errorf("got %s %q, want BAD_USER_INPUT with %q", code, r.Errors[0].Message, tt.want)
			}
		})
	}
	if n := a.statements() - before; n != 0 {
		t.Errorf("refused requests sent %v statements to Neo4j", n)
	}

	// A bad argument below the root fails that field where the answer
	// reaches it, as a field error does: products is non-null, so the
	// company is null; an empty list never reaches it.
	r := a.post(t, `{ company(id: "xiaomi") { name products(limit: 1000) { product { id } } } markets(limit: 0) { companies(limit: -1) { status } } }`, nil)
	if len(r.Errors) != 1 || r.code(t) != "BAD_USER_INPUT" || jsonString(r.Errors[0].Path) != `["company","products"]` ||
		!strings.Contains(r.Errors[0].Message, "limit must be between 0 and 100") || string(r.Data) != `{"company":null,"markets":[]}` {
		t.Errorf("nested bad limit: %s", r.raw)
	}
}
