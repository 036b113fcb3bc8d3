package app_test

import (
	"context"
	"strings"
	"testing"

	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
)

const newsText = "Newsmart to buy 77% of Newskart for $16 billion. Binny Bansal, who co-founded Newskart in 2007, will leave the company. " +
	"Kalyan Newsmurthy was named chief executive in January. Newskart listed on the NYSE at $20 a share, raising $1.2 billion at a valuation of $35 billion."

// The kinds of company news: an acquisition with its figures as numbers,
// its participants with their roles, employment current and former, a
// founder, a listing.
func TestCompanyNews(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "news-")
	sentence := func(i int) string { return strings.SplitAfter(newsText, ". ")[i] }
	s := func(i int) string { return `["` + strings.TrimSuffix(sentence(i), " ") + `"]` }
	var res struct {
		Ingest struct {
			Created int
			Facts   []struct{ Outcome, ID string }
		}
	}
	a.postAs(t, editorKey, `mutation { ingest(source: {id: "news-article", title: "Newsmart buys Newskart", text: "`+newsText+`"}, facts: [
	  {company: {id: "news-walmart", name: "Newsmart"}, sentences: `+s(0)+`},
	  {partner: {id: "news-newskart", name: "Newskart"}, sentences: `+s(0)+`},
	  {event: {id: "news-acquisition", name: "Newsmart buys 77% of Newskart", kind: ACQUISITION, status: "planned",
	    stakePercent: 77, amount: 16e9, currency: "USD"}, sentences: `+s(0)+`},
	  {relationship: {type: PARTICIPATED_IN, from: "news-walmart", to: "news-acquisition", role: "acquirer"}, sentences: `+s(0)+`},
	  {relationship: {type: PARTICIPATED_IN, from: "news-newskart", to: "news-acquisition", role: "target"}, sentences: `+s(0)+`},
	  {executive: {id: "news-binny", name: "Binny Bansal"}, sentences: `+s(1)+`},
	  {relationship: {type: FOUNDED, from: "news-binny", to: "news-newskart", when: "in 2007"}, sentences: `+s(1)+`},
	  {relationship: {type: WORKS_FOR, from: "news-binny", to: "news-newskart", title: "co-founder", current: false, until: "after the sale"}, sentences: `+s(1)+`},
	  {executive: {id: "news-kalyan", name: "Kalyan Newsmurthy"}, sentences: `+s(2)+`},
	  {relationship: {type: WORKS_FOR, from: "news-kalyan", to: "news-newskart", title: "chief executive", since: "in January"}, sentences: `+s(2)+`},
	  {event: {id: "news-appointment", name: "Kalyan Newsmurthy named chief executive", kind: APPOINTMENT, date: "in January"}, sentences: `+s(2)+`},
	  {relationship: {type: PARTICIPATED_IN, from: "news-kalyan", to: "news-appointment", role: "appointee", title: "chief executive"}, sentences: `+s(2)+`},
	  {event: {id: "news-ipo", name: "Newskart lists on the NYSE", kind: IPO, exchange: "NYSE", pricePerShare: 20, amount: 1.2e9, valuation: 35e9, currency: "USD"}, sentences: `+s(3)+`},
	  {relationship: {type: PARTICIPATED_IN, from: "news-newskart", to: "news-ipo", role: "issuer"}, sentences: `+s(3)+`}
	]) { created facts { outcome id } } }`, nil).data(t, &res)
	if res.Ingest.Created != 14 {
		t.Errorf("created %d of 14: %+v", res.Ingest.Created, res.Ingest.Facts)
	}

	var got struct {
		Company struct {
			Roles      []string
			Executives []struct {
				Title        string
				Current      bool
				Since, Until *string
				Executive    struct{ ID string }
			}
			Founders []struct {
				When    string
				Founder struct{ Name string }
			}
			Events []struct {
				Role  string
				Event struct {
					Kind                 string
					StakePercent, Amount *float64
					PricePerShare        *float64
					Valuation            *float64
					Currency, Exchange   *string
				}
			}
		}
		Former []struct{ ID string } `json:"former"`
		Deals  []struct {
			ID        string
			Companies []struct {
				Role    string
				Company struct{ ID string }
			}
		} `json:"deals"`
	}
	a.post(t, `{
	  company(id: "news-newskart") { roles
	    executives(sort: [{executive: {id: ASC}}]) { title current since until executive { id } }
	    founders { when founder { name } }
	    events(sort: [{event: {kind: ASC}}]) { role event { kind stakePercent amount pricePerShare valuation currency exchange } } }
	  former: executives(where: {employers: {some: {current: {eq: false}, company: {id: {eq: "news-newskart"}}}}}) { id }
	  deals: events(where: {kind: {eq: ACQUISITION}, stakePercent: {gt: 50}, id: {startsWith: "news-"}}) { id companies(sort: [{role: ASC}]) { role company { id } } }
	}`, nil).data(t, &got)
	c := got.Company
	if strings.Join(c.Roles, ",") != "Company,Partner" {
		t.Errorf("the target took no Company role: %v", c.Roles)
	}
	if len(c.Executives) != 2 || c.Executives[0].Current || *c.Executives[0].Until != "after the sale" ||
		!c.Executives[1].Current || *c.Executives[1].Since != "in January" || c.Executives[1].Until != nil {
		t.Errorf("employment: %+v", c.Executives)
	}
	if len(c.Founders) != 1 || c.Founders[0].Founder.Name != "Binny Bansal" || c.Founders[0].When != "in 2007" {
		t.Errorf("founders: %+v", c.Founders)
	}
	if len(c.Events) != 2 || c.Events[0].Event.Kind != "ACQUISITION" || *c.Events[0].Event.StakePercent != 77 || *c.Events[0].Event.Amount != 16e9 ||
		c.Events[1].Event.Kind != "IPO" || *c.Events[1].Event.Exchange != "NYSE" || *c.Events[1].Event.PricePerShare != 20 || *c.Events[1].Event.Valuation != 35e9 {
		t.Errorf("events: %+v", c.Events)
	}
	if len(got.Former) != 1 || got.Former[0].ID != "news-binny" {
		t.Errorf("former employees: %+v", got.Former)
	}
	if len(got.Deals) != 1 || len(got.Deals[0].Companies) != 2 || got.Deals[0].Companies[0].Role != "acquirer" || got.Deals[0].Companies[1].Company.ID != "news-newskart" {
		t.Errorf("acquisitions: %+v", got.Deals)
	}

	// A figure that is not a number, a property of another kind of
	// relationship: clear codes, nothing written.
	before := fingerprint(t, a)
	for _, bad := range []string{
		`{event: {id: "news-bad", name: "Bad", kind: ACQUISITION, amount: "sixteen billion"}, sentences: ` + s(0) + `}`,
		`{relationship: {type: FOUNDED, from: "news-binny", to: "news-newskart", current: true}, sentences: ` + s(1) + `}`,
		`{event: {id: "news-bad", name: "Bad", kind: MERGER}, sentences: ` + s(0) + `}`,
	} {
		r := a.postAs(t, editorKey, `mutation { ingest(source: {id: "news-article", title: "Newsmart buys Newskart", text: "`+newsText+`"}, facts: [`+bad+`]) { created } }`, nil)
		if code := r.code(t); code != "BAD_USER_INPUT" && code != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: %s", bad, r.raw)
		}
	}
	if fingerprint(t, a) != before {
		t.Error("a refused ingest wrote something")
	}
}

// WORKS_FOR written before current existed reads as current once the API
// has started.
func TestEmploymentBackfill(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "news-legacy-")
	ctx := context.Background()
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(ctx, `CREATE (:Executive:Node {id: 'news-legacy-x', name: 'Legacy X', aliases: []})-[:WORKS_FOR {title: 'CEO', sources: [], sentences: []}]->
		  (:Company:Organization:Node {id: 'news-legacy-c', name: 'Legacy C', aliases: []})`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		prepareApp(t, a.App)
	}
	var got struct {
		Company struct{ Executives []struct{ Current *bool } }
	}
	a.post(t, `{ company(id: "news-legacy-c") { executives { current } } }`, nil).data(t, &got)
	if len(got.Company.Executives) != 1 || got.Company.Executives[0].Current == nil || !*got.Company.Executives[0].Current {
		t.Errorf("legacy employment: %+v", got.Company.Executives)
	}
	if n := a.count(t, `MATCH ()-[r:WORKS_FOR]->() WHERE r.current IS NULL RETURN count(r)`); n != 0 {
		t.Errorf("%d WORKS_FOR without current", n)
	}
}
