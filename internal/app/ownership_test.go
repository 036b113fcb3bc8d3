package app_test

import (
	"strings"
	"testing"
)

const ownershipText = "Owncart owns 77% of Ownkart, which it bought in 2018. Ownfund put $200 million into Ownkart in its Series E round in March. " +
	"Ownkart cut 300 jobs, about 20% of its staff. Ownretail, a retailer, holds 10% of Ownshop."

// Ownership, investments and layoffs go in through ingest and read back
// from either side, with their figures and evidence; a Partner at either
// end of an ownership takes the Company role, as with any relationship
// only a Company has.
func TestOwnershipInvestmentsAndLayoffs(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "own-")
	s := func(i int) string {
		return `["` + strings.TrimSpace(strings.SplitAfter(ownershipText, ". ")[i]) + `"]`
	}
	facts := `
	  {company: {id: "own-cart", name: "Owncart"}, sentences: ` + s(0) + `},
	  {partner: {id: "own-kart", name: "Ownkart"}, sentences: ` + s(0) + `},
	  {relationship: {type: OWNS, from: "own-cart", to: "own-kart", stakePercent: 77, since: "in 2018"}, sentences: ` + s(0) + `},
	  {company: {id: "own-fund", name: "Ownfund"}, sentences: ` + s(1) + `},
	  {relationship: {type: INVESTED_IN, from: "own-fund", to: "own-kart", amount: 2e8, currency: "USD", round: "Series E", date: "in March"}, sentences: ` + s(1) + `},
	  {event: {id: "own-series-e", name: "Ownkart raises $200 million", kind: FUNDING, round: "Series E", amountUsd: 2e8, date: "in March"}, sentences: ` + s(1) + `},
	  {relationship: {type: PARTICIPATED_IN, from: "own-fund", to: "own-series-e", role: "investor"}, sentences: ` + s(1) + `},
	  {event: {id: "own-layoff", name: "Ownkart cuts 300 jobs", kind: LAYOFF, status: "occurred", headcount: 300, sharePercent: 20}, sentences: ` + s(2) + `},
	  {relationship: {type: PARTICIPATED_IN, from: "own-kart", to: "own-layoff", role: "employer"}, sentences: ` + s(2) + `},
	  {partner: {id: "own-retail", name: "Ownretail"}, sentences: ` + s(3) + `},
	  {company: {id: "own-shop", name: "Ownshop"}, sentences: ` + s(3) + `},
	  {relationship: {type: OWNS, from: "own-retail", to: "own-shop", stakePercent: 10}, sentences: ` + s(3) + `}`
	ingest := func(facts string) response {
		return a.postAs(t, editorKey, `mutation { ingest(source: {id: "own-article", title: "Owncart and Ownkart", text: "`+ownershipText+`"}, facts: [`+
			facts+`]) { created matched unchanged facts { outcome id } } }`, nil)
	}
	var res struct {
		Ingest struct {
			Created, Unchanged int
			Facts              []struct{ Outcome, ID string }
		}
	}
	ingest(facts).data(t, &res)
	if res.Ingest.Created != 12 {
		t.Errorf("created %d of 12: %+v", res.Ingest.Created, res.Ingest.Facts)
	}
	if id := res.Ingest.Facts[2].ID; id != "own-cart-OWNS->own-kart" {
		t.Errorf("the ownership's id: %s", id)
	}

	type company struct{ ID string }
	var got struct {
		Kart struct {
			Roles  []string
			Owners []struct {
				StakePercent *float64
				Since, Until *string
				Owner        company
				Evidence     []struct{ Sentence string }
			}
			Investors []struct {
				Amount                *float64
				Currency, Round, Date *string
				Investor              company
			}
			Events []struct {
				Role  string
				Event struct {
					Kind         string
					Headcount    *int
					SharePercent *float64
				}
			}
		}
		Cart struct {
			Subsidiaries []struct {
				StakePercent float64
				Owned        struct {
					ID    string
					Roles []string
				}
			}
		}
		Fund struct {
			Investments []struct {
				Round    string
				Investee company
			}
			Events []struct{ Event struct{ Kind, Round string } }
		}
		Retail struct {
			Roles        []string
			Subsidiaries []struct {
				StakePercent float64
				Owned        company
			}
		}
		Majority []company `json:"majority"`
		Layoffs  []struct {
			ID           string
			Headcount    int
			SharePercent float64
		} `json:"layoffs"`
		Stats struct {
			Count     int
			Headcount struct{ Sum int }
		} `json:"stats"`
		Path []struct {
			Length int
			Hops   []struct{ Relationship struct{ Type string } }
		}
	}
	a.post(t, `{
	  kart: company(id: "own-kart") { roles
	    owners { stakePercent since until owner { id } evidence { sentence } }
	    investors { amount currency round date investor { id } }
	    events { role event { kind headcount sharePercent } } }
	  cart: company(id: "own-cart") { subsidiaries { stakePercent owned { id roles } } }
	  fund: company(id: "own-fund") { investments { round investee { id } } events { event { kind round } } }
	  retail: company(id: "own-retail") { roles subsidiaries { stakePercent owned { id } } }
	  majority: companies(where: {id: {startsWith: "own-"}, owners: {some: {stakePercent: {gt: 50}}}}) { id }
	  layoffs: events(where: {id: {startsWith: "own-"}, kind: {eq: LAYOFF}, headcount: {gte: 100}}) { id headcount sharePercent }
	  stats: eventsAggregate(where: {id: {startsWith: "own-"}, kind: {eq: LAYOFF}}) { count headcount { sum } }
	  path(from: "own-fund", to: "own-cart", maxHops: 2) { length hops { relationship { type } } }
	}`, nil).data(t, &got)

	k := got.Kart
	if strings.Join(k.Roles, ",") != "Company,Partner" {
		t.Errorf("the owned partner took no Company role: %v", k.Roles)
	}
	if len(k.Owners) != 1 || k.Owners[0].Owner.ID != "own-cart" || k.Owners[0].StakePercent == nil || *k.Owners[0].StakePercent != 77 ||
		k.Owners[0].Since == nil || *k.Owners[0].Since != "in 2018" || k.Owners[0].Until != nil ||
		len(k.Owners[0].Evidence) != 1 || !strings.HasPrefix(k.Owners[0].Evidence[0].Sentence, "Owncart owns 77% of Ownkart") {
		t.Errorf("owners: %+v", k.Owners)
	}
	if len(k.Investors) != 1 || k.Investors[0].Investor.ID != "own-fund" || *k.Investors[0].Amount != 2e8 || *k.Investors[0].Currency != "USD" ||
		*k.Investors[0].Round != "Series E" || *k.Investors[0].Date != "in March" {
		t.Errorf("investors: %+v", k.Investors)
	}
	if len(k.Events) != 1 || k.Events[0].Role != "employer" || k.Events[0].Event.Kind != "LAYOFF" ||
		k.Events[0].Event.Headcount == nil || *k.Events[0].Event.Headcount != 300 || *k.Events[0].Event.SharePercent != 20 {
		t.Errorf("the layoff: %+v", k.Events)
	}
	if c := got.Cart.Subsidiaries; len(c) != 1 || c[0].Owned.ID != "own-kart" || c[0].StakePercent != 77 {
		t.Errorf("subsidiaries: %+v", c)
	}
	if f := got.Fund; len(f.Investments) != 1 || f.Investments[0].Investee.ID != "own-kart" || f.Investments[0].Round != "Series E" ||
		len(f.Events) != 1 || f.Events[0].Event.Kind != "FUNDING" || f.Events[0].Event.Round != "Series E" {
		t.Errorf("the investor: %+v", f)
	}
	if r := got.Retail; strings.Join(r.Roles, ",") != "Company,Partner" || len(r.Subsidiaries) != 1 || r.Subsidiaries[0].Owned.ID != "own-shop" || r.Subsidiaries[0].StakePercent != 10 {
		t.Errorf("the owning partner: %+v", r)
	}
	if len(got.Majority) != 1 || got.Majority[0].ID != "own-kart" {
		t.Errorf("majority-owned: %+v", got.Majority)
	}
	if len(got.Layoffs) != 1 || got.Layoffs[0].Headcount != 300 || got.Layoffs[0].SharePercent != 20 || got.Stats.Count != 1 || got.Stats.Headcount.Sum != 300 {
		t.Errorf("layoffs: %+v, %+v", got.Layoffs, got.Stats)
	}
	if len(got.Path) != 1 || got.Path[0].Length != 2 || got.Path[0].Hops[0].Relationship.Type != "INVESTED_IN" || got.Path[0].Hops[1].Relationship.Type != "OWNS" {
		t.Errorf("path: %+v", got.Path)
	}

	// The same facts again change nothing.
	ingest(facts).data(t, &res)
	if res.Ingest.Created != 0 || res.Ingest.Unchanged != 12 {
		t.Errorf("again: %+v", res.Ingest)
	}

	// A property of another kind, an end the kind does not take, a figure
	// of the wrong type: clear codes, nothing written.
	before := fingerprint(t, a)
	for _, bad := range []string{
		`{relationship: {type: OWNS, from: "own-cart", to: "own-kart", round: "Series E"}, sentences: ` + s(0) + `}`,
		`{relationship: {type: INVESTED_IN, from: "own-fund", to: "own-kart", stakePercent: 5}, sentences: ` + s(1) + `}`,
		`{relationship: {type: OWNS, from: "own-cart", to: "own-layoff"}, sentences: ` + s(0) + `}`,
		`{relationship: {type: OWNS, from: "own-cart", to: "own-kart", stakePercent: "most"}, sentences: ` + s(0) + `}`,
		`{event: {id: "own-bad", name: "Bad", kind: LAYOFF, headcount: 2.5}, sentences: ` + s(2) + `}`,
	} {
		r := ingest(bad)
		if code := r.code(t); code != "BAD_USER_INPUT" && code != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: %s", bad, r.raw)
		}
	}
	if fingerprint(t, a) != before {
		t.Error("a refused ingest wrote something")
	}
}

// What the extractor reads of ownership, investments and layoffs, as it
// sends them (whole numbers as JSON integers, the ends' types beside), is
// written by ingestArticle, not skipped.
func TestArticleOwnershipAndLayoffs(t *testing.T) {
	fake := newFakeExtractor(t)
	a := articleEditors(t, fake, nil)
	cleanUp(t, a, "ownart-")
	text := "Ownartmart owns 77% of Ownartkart. Ownartfund invested $5 million in Ownartkart in a Series B round. Ownartkart cut 120 jobs, or 8% of its staff."
	ss := sentences(text)
	kart := entity("partner", "ownart-kart", "Ownartkart", 0.8, ss[0])
	layoff := event("ownart-layoff", "Ownartkart cuts 120 jobs", "LAYOFF", ss[2])
	layoff["event"].(map[string]any)["headcount"] = 120
	layoff["event"].(map[string]any)["sharePercent"] = 8
	fake.answer("Ownership",
		entity("company", "ownart-mart", "Ownartmart", 0.8, ss[0]),
		kart,
		relation("OWNS", "ownart-mart", "Company", "ownart-kart", "Company", ss[0], map[string]any{"stakePercent": 77}),
		entity("company", "ownart-fund", "Ownartfund", 0.8, ss[1]),
		relation("INVESTED_IN", "ownart-fund", "Company", "ownart-kart", "Company", ss[1], map[string]any{"amount": 5000000, "currency": "USD", "round": "Series B"}),
		layoff,
		relation("PARTICIPATED_IN", "ownart-kart", "Company", "ownart-layoff", "Event", ss[2], map[string]any{"role": "employer"}),
	)
	var got struct{ IngestArticle articleIngest }
	a.postAs(t, editorKey, ingestArticle, map[string]any{"src": map[string]any{"id": "ownart-article", "title": "Ownership", "text": text}}).data(t, &got)
	if o := got.IngestArticle.outcomes(); strings.Join(o, ",") != "CREATED,CREATED,CREATED,CREATED,CREATED,CREATED,CREATED" {
		t.Errorf("outcomes: %v", o)
	}
	var read struct {
		Company struct {
			Roles  []string
			Owners []struct {
				StakePercent float64
				Owner        struct{ ID string }
				Evidence     []struct {
					Method     string
					Confidence float64
				}
			}
			Investors []struct {
				Amount          float64
				Currency, Round string
			}
			Events []struct {
				Event struct {
					Kind         string
					Headcount    int
					SharePercent float64
				}
			}
		}
	}
	a.post(t, `{ company(id: "ownart-kart") { roles owners { stakePercent owner { id } evidence { method confidence } }
	  investors { amount currency round } events { event { kind headcount sharePercent } } } }`, nil).data(t, &read)
	c := read.Company
	if strings.Join(c.Roles, ",") != "Company,Partner" || len(c.Owners) != 1 || c.Owners[0].Owner.ID != "ownart-mart" || c.Owners[0].StakePercent != 77 ||
		len(c.Owners[0].Evidence) != 1 || c.Owners[0].Evidence[0].Method != "EXTRACTED" || c.Owners[0].Evidence[0].Confidence != 0.7 {
		t.Errorf("ownership: %+v", c)
	}
	if len(c.Investors) != 1 || c.Investors[0].Amount != 5e6 || c.Investors[0].Currency != "USD" || c.Investors[0].Round != "Series B" {
		t.Errorf("investors: %+v", c.Investors)
	}
	if len(c.Events) != 1 || c.Events[0].Event.Kind != "LAYOFF" || c.Events[0].Event.Headcount != 120 || c.Events[0].Event.SharePercent != 8 {
		t.Errorf("the layoff: %+v", c.Events)
	}
}
