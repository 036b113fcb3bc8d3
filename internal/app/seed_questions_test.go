package app_test

import (
	"strings"
	"testing"
)

// The article's questions, each answered in one request with its evidence.

func TestWhoAnnouncedTheUSEntry(t *testing.T) {
	a := seeded(t)
	text := article(t)
	before := a.statements()
	r := a.post(t, `{
	  event(id: "xiaomi-us-announcement") {
	    kind place
	    evidence { sentence source { id } }
	    executives { role title executive { name } evidence { sentence source { id } } }
	    companies { company { name } }
	    markets { market { name aliases } evidence { sentence source { id } } }
	    offers { expected channel product { name } evidence { sentence source { id } } }
	    excludes { reason product { name } evidence { sentence source { id } } }
	  }
	}`, nil)
	var got struct {
		Event struct {
			Kind, Place string
			Evidence    evidence
			Executives  []struct {
				Role, Title string
				Executive   struct{ Name string }
				Evidence    evidence
			}
			Companies []struct{ Company struct{ Name string } }
			Markets   []struct {
				Market struct {
					Name    string
					Aliases []string
				}
				Evidence evidence
			}
			Offers []struct {
				Expected, Channel *string
				Product           struct{ Name string }
				Evidence          evidence
			}
			Excludes []struct {
				Reason   string
				Product  struct{ Name string }
				Evidence evidence
			}
		}
	}
	r.data(t, &got)
	if n := a.statements() - before; n != 1 {
		t.Errorf("want 1 Cypher statement for the request, got %v", n)
	}
	e := got.Event
	if e.Kind != "ANNOUNCEMENT" || e.Place != "San Francisco, California" {
		t.Errorf("kind %q place %q", e.Kind, e.Place)
	}
	e.Evidence.check(t, text, "event")
	if len(e.Executives) != 1 || e.Executives[0].Executive.Name != "Hugo Barra" ||
		e.Executives[0].Role != "announcer" || e.Executives[0].Title != "Global Vice President" {
		t.Fatalf("announcer: %+v", e.Executives)
	}
	e.Executives[0].Evidence.check(t, text, "announcer")
	if len(e.Companies) != 1 || e.Companies[0].Company.Name != "Xiaomi" {
		t.Errorf("company: %+v", e.Companies)
	}
	if len(e.Markets) != 1 || e.Markets[0].Market.Name != "United States" || e.Markets[0].Market.Aliases[0] != "US" {
		t.Errorf("market: %+v", e.Markets)
	}
	var offered, excluded []string
	for _, o := range e.Offers {
		offered = append(offered, o.Product.Name)
		o.Evidence.check(t, text, "offer of "+o.Product.Name)
	}
	for _, x := range e.Excludes {
		excluded = append(excluded, x.Product.Name)
		x.Evidence.check(t, text, "exclusion of "+x.Product.Name)
		if !strings.Contains(x.Reason, "localisation of the MIUI") {
			t.Errorf("reason for %s: %q", x.Product.Name, x.Reason)
		}
	}
	if got := strings.Join(offered, ", "); got != "Headphones, Mi Band, Mi.com, Power banks" {
		t.Errorf("offered: %s", got)
	}
	if got := strings.Join(excluded, ", "); got != "Smartphones, Tablets" {
		t.Errorf("excluded: %s", got)
	}
}

func TestTheIndianPartner(t *testing.T) {
	a := seeded(t)
	r := a.post(t, `{
	  company(id: "xiaomi") {
	    partnerships { market exclusive partner { name sells { market product { name } } } evidence { sentence source { id } } }
	    markets { status since market { id } evidence { sentence source { id } } }
	  }
	}`, nil)
	var got struct {
		Company struct {
			Partnerships []struct {
				Market    string
				Exclusive bool
				Partner   struct {
					Name  string
					Sells []struct {
						Market  string
						Product struct{ Name string }
					}
				}
				Evidence evidence
			}
			Markets []struct {
				Status   string
				Since    *string
				Market   struct{ ID string }
				Evidence evidence
			}
		}
	}
	r.data(t, &got)
	p := got.Company.Partnerships
	if len(p) != 1 || p[0].Partner.Name != "Flipkart" || p[0].Market != "India" || !p[0].Exclusive {
		t.Fatalf("partnerships: %+v", p)
	}
	p[0].Evidence.check(t, article(t), "partnership")
	var sold []string
	for _, s := range p[0].Partner.Sells {
		sold = append(sold, s.Product.Name+" in "+s.Market)
	}
	if got := strings.Join(sold, ", "); got != "Headphones in India, Power banks in India, Smartphones in India" {
		t.Errorf("Flipkart sells: %s", got)
	}
	entered := map[string]string{}
	for _, m := range got.Company.Markets {
		since := ""
		if m.Since != nil {
			since = *m.Since
		}
		entered[m.Market.ID] = m.Status + " " + since
		m.Evidence.check(t, article(t), "market "+m.Market.ID)
	}
	if entered["india"] != "entered July last year" || entered["us"] != "planned " {
		t.Errorf("markets: %v", entered)
	}
}

func TestSalesFundingAndLaunches(t *testing.T) {
	a := seeded(t)
	r := a.post(t, `{
	  sales: event(id: "xiaomi-smartphone-sales") { kind date unitsSold products { product { id } } parts { part { unitsSold markets { market { id } } } } evidence { sentence source { id } } }
	  funding: event(id: "xiaomi-funding-december") { kind date amountUsd valuationUsd valuationQualifier companies { role company { id } } evidence { sentence source { id } } }
	  events { id kind status date launches { product { name } } }
	}`, nil)
	type ev struct {
		ID, Kind, Status string
		Date             *string
		Launches         []struct{ Product struct{ Name string } }
	}
	var got struct {
		Sales struct {
			Kind, Date string
			UnitsSold  int64
			Products   []struct{ Product struct{ ID string } }
			Parts      []struct {
				Part struct {
					UnitsSold int64
					Markets   []struct{ Market struct{ ID string } }
				}
			}
			Evidence evidence
		}
		Funding struct {
			Kind, Date              string
			AmountUsd, ValuationUsd float64
			ValuationQualifier      string
			Companies               []struct {
				Role    string
				Company struct{ ID string }
			}
			Evidence evidence
		}
		Events []ev
	}
	r.data(t, &got)
	s := got.Sales
	if s.Kind != "SALES" || s.Date != "the last year" || s.UnitsSold != 61_100_000 || len(s.Products) != 1 || s.Products[0].Product.ID != "smartphones" {
		t.Errorf("sales: %+v", s)
	}
	if len(s.Parts) != 1 || s.Parts[0].Part.UnitsSold != 1_000_000 || s.Parts[0].Part.Markets[0].Market.ID != "india" {
		t.Errorf("sales in India: %+v", s.Parts)
	}
	s.Evidence.check(t, article(t), "sales")
	f := got.Funding
	if f.Kind != "FUNDING" || f.Date != "December last year" || f.AmountUsd != 1.1e9 || f.ValuationUsd != 45e9 || f.ValuationQualifier != "close to" {
		t.Errorf("funding: %+v", f)
	}
	if len(f.Companies) != 1 || f.Companies[0].Company.ID != "xiaomi" {
		t.Errorf("funding company: %+v", f.Companies)
	}
	f.Evidence.check(t, article(t), "funding")
	byID := map[string]ev{}
	for _, e := range got.Events {
		byID[e.ID] = e
	}
	if e := byID["xiaomi-india-entry"]; e.Kind != "MARKET_ENTRY" || e.Date == nil || *e.Date != "July last year" {
		t.Errorf("India entry: %+v", e)
	}
	if e := byID["mi4-india-launch"]; e.Status != "occurred" || *e.Date != "last month" || e.Launches[0].Product.Name != "Mi4" {
		t.Errorf("Mi4 launch: %+v", e)
	}
	if e := byID["mi-band-india-launch"]; e.Status != "planned" || *e.Date != "in the coming couple of months" || e.Launches[0].Product.Name != "Mi Band" {
		t.Errorf("Mi Band launch: %+v", e)
	}
}

// Relationships read the same from either end, and nested lists three
// levels deep still take one statement.
func TestBothDirectionsInOneStatement(t *testing.T) {
	a := seeded(t)
	before := a.statements()
	r := a.post(t, `query Nested {
	  companies(limit: 10) { events(limit: 10) { event { executives(limit: 10) { executive { employers(limit: 10) { company { id } } } } } } }
	  executive(id: "hugo-barra") { name aliases employers { title company { name executives { executive { id } } } } }
	  markets { id partOf { whole { id } } parts { part { id } } }
	  sources { id companies { id } executives { id } events { id } }
	}`, nil)
	var got struct {
		Companies []struct {
			Events []struct {
				Event struct {
					Executives []struct {
						Executive struct {
							Employers []struct{ Company struct{ ID string } }
						}
					}
				}
			}
		}
		Executive struct {
			Name      string
			Aliases   []string
			Employers []struct {
				Title   string
				Company struct {
					Name       string
					Executives []struct{ Executive struct{ ID string } }
				}
			}
		}
		Markets []struct {
			ID     string
			PartOf []struct{ Whole struct{ ID string } }
			Parts  []struct{ Part struct{ ID string } }
		}
		Sources []struct {
			ID                            string
			Companies, Executives, Events []struct{ ID string }
		}
	}
	r.data(t, &got)
	if n := a.statements() - before; n != 1 {
		t.Errorf("want 1 Cypher statement for four root fields nested three deep, got %v", n)
	}
	found := false
	for _, c := range got.Companies {
		for _, e := range c.Events {
			for _, x := range e.Event.Executives {
				for _, emp := range x.Executive.Employers {
					found = found || emp.Company.ID == "xiaomi"
				}
			}
		}
	}
	if !found {
		t.Error("companies -> events -> executives -> employers did not lead back to xiaomi")
	}
	ex := got.Executive
	if ex.Name != "Hugo Barra" || strings.Join(ex.Aliases, ",") != "Barra" || ex.Employers[0].Company.Executives[0].Executive.ID != "hugo-barra" {
		t.Errorf("executive: %+v", ex)
	}
	wholeOf, partsOf := map[string]string{}, map[string]string{}
	for _, m := range got.Markets {
		for _, p := range m.PartOf {
			wholeOf[m.ID] += p.Whole.ID
		}
		for _, p := range m.Parts {
			partsOf[m.ID] += p.Part.ID
		}
	}
	if wholeOf["india"] != "asia" || partsOf["asia"] != "india" || len(wholeOf) != 1 || len(partsOf) != 1 {
		t.Errorf("India part of Asia, read from both ends: %v %v", wholeOf, partsOf)
	}
	if len(got.Sources) != 1 || len(got.Sources[0].Companies) != 1 || len(got.Sources[0].Executives) != 1 || len(got.Sources[0].Events) != 7 {
		t.Errorf("source mentions: %+v", got.Sources)
	}
}
