package app_test

import (
	"context"
	"strings"
	"testing"

	cgneo4j "github.com/companygraph/companygraph/internal/neo4j"
)

const provText = "Provco hired Ada Prov as chief executive. Provco sells the Mi Band. Provco is based in Lisbon."

func ingestProv(t *testing.T, a *api, facts string) response {
	t.Helper()
	return a.postAs(t, editorKey, `mutation { ingest(source: {id: "prov-article", title: "Provco", text: "`+provText+`"}, facts: [`+facts+`]) {
	  created matched unchanged facts { outcome } } }`, nil)
}

// Every fact records how it was obtained; a client can keep the reviewed
// ones; a person's review of an extracted fact makes it MANUAL.
func TestProvenance(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "prov-")
	const hired = `["Provco hired Ada Prov as chief executive."]`
	ingestProv(t, a, `
	  {company: {id: "prov-co", name: "Provco"}, sentences: ["Provco is based in Lisbon."]},
	  {executive: {id: "prov-ada", name: "Ada Prov"}, sentences: `+hired+`, method: EXTRACTED, confidence: 0.8},
	  {relationship: {type: WORKS_FOR, from: "prov-ada", to: "prov-co", title: "chief executive"}, sentences: `+hired+`, method: EXTRACTED, confidence: 0.7},
	  {relationship: {type: HAS_PRODUCT, from: "prov-co", to: "mi-band"}, sentences: ["Provco sells the Mi Band."], method: DATASET}`).ok(t)

	type ev struct {
		Sentence   string
		Method     string
		Confidence float64
	}
	var got struct {
		Company struct {
			Evidence   []ev
			Executives []struct {
				All       []ev `json:"all"`
				Reviewed  []ev `json:"reviewed"`
				Executive struct {
					Evidence []ev
				}
			}
			Products []struct{ Evidence []ev }
		}
		Seed struct {
			Executives []struct{ Evidence []ev }
		} `json:"seed"`
		Facts struct {
			Facts []struct {
				Relationship struct {
					Type     string
					Evidence []ev
				}
			}
		}
	}
	query := `{
	  company(id: "prov-co") { evidence { sentence method confidence }
	    executives { all: evidence { sentence method confidence } reviewed: evidence(methods: [MANUAL]) { sentence }
	      executive { evidence { method confidence } } }
	    products { evidence { method confidence } } }
	  seed: company(id: "xiaomi") { executives { evidence(methods: [MANUAL]) { method confidence } } }
	  facts(source: "prov-article") { facts { relationship { type evidence { sentence method confidence } } } }
	}`
	a.post(t, query, nil).data(t, &got)
	c := got.Company
	if len(c.Evidence) != 1 || c.Evidence[0].Method != "MANUAL" || c.Evidence[0].Confidence != 1 {
		t.Errorf("a fact without a method: %+v", c.Evidence)
	}
	if len(c.Executives) != 1 || len(c.Executives[0].All) != 1 || c.Executives[0].All[0] != (ev{"Provco hired Ada Prov as chief executive.", "EXTRACTED", 0.7}) ||
		len(c.Executives[0].Reviewed) != 0 || c.Executives[0].Executive.Evidence[0] != (ev{"", "EXTRACTED", 0.8}) {
		t.Errorf("extracted: %+v", c.Executives)
	}
	if len(c.Products) != 1 || c.Products[0].Evidence[0] != (ev{"", "DATASET", 1}) {
		t.Errorf("from a dataset: %+v", c.Products)
	}
	if len(got.Seed.Executives) == 0 || len(got.Seed.Executives[0].Evidence) == 0 || got.Seed.Executives[0].Evidence[0].Method != "MANUAL" {
		t.Errorf("the seed: %+v", got.Seed)
	}
	methods := map[string]string{}
	for _, f := range got.Facts.Facts {
		for _, e := range f.Relationship.Evidence {
			methods[f.Relationship.Type] = e.Method
		}
	}
	if methods["WORKS_FOR"] != "EXTRACTED" || methods["HAS_PRODUCT"] != "DATASET" {
		t.Errorf("facts(source:): %v", methods)
	}

	// A person reviews the extracted employment and sends it as MANUAL:
	// the same evidence, now reviewed; sent again, nothing changes.
	var res struct {
		Ingest struct{ Facts []struct{ Outcome string } }
	}
	review := `{relationship: {type: WORKS_FOR, from: "prov-ada", to: "prov-co", title: "chief executive"}, sentences: ` + hired + `}`
	ingestProv(t, a, review).data(t, &res)
	if res.Ingest.Facts[0].Outcome != "MATCHED" {
		t.Errorf("review: %+v", res.Ingest)
	}
	ingestProv(t, a, review).data(t, &res)
	if res.Ingest.Facts[0].Outcome != "UNCHANGED" {
		t.Errorf("review again: %+v", res.Ingest)
	}
	// An extraction of what a person wrote leaves it MANUAL.
	ingestProv(t, a, `{company: {id: "prov-co", name: "Provco"}, sentences: ["Provco is based in Lisbon."], method: EXTRACTED, confidence: 0.3}`).ok(t)
	a.post(t, query, nil).data(t, &got)
	if e := got.Company.Executives[0]; len(e.All) != 1 || e.All[0].Method != "MANUAL" || e.All[0].Confidence != 1 || len(e.Reviewed) != 1 {
		t.Errorf("after review: %+v", e)
	}
	if e := got.Company.Evidence; len(e) != 1 || e[0].Method != "MANUAL" {
		t.Errorf("extraction over a manual fact: %+v", e)
	}
	if n := a.count(t, `MATCH (:Executive {id: 'prov-ada'})-[r:WORKS_FOR]->() WHERE size(r.methods) = size(r.sentences) AND size(r.confidences) = size(r.sources) RETURN count(r)`); n != 1 {
		t.Error("the lists are not parallel")
	}

	// Bad provenance: clear codes, nothing written.
	before := fingerprint(t, a)
	for _, bad := range []struct{ facts, want string }{
		{`{company: {id: "prov-x", name: "X"}, sentences: ["Provco is based in Lisbon."], method: EXTRACTED}`, "needs its confidence"},
		{`{company: {id: "prov-x", name: "X"}, sentences: ["Provco is based in Lisbon."], method: EXTRACTED, confidence: 1.5}`, "from 0 to 1"},
		{`{company: {id: "prov-x", name: "X"}, sentences: ["Provco is based in Lisbon."], confidence: -0.1}`, "from 0 to 1"},
	} {
		r := ingestProv(t, a, bad.facts)
		if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.raw, bad.want) {
			t.Errorf("%s: %s", bad.facts, r.raw)
		}
	}
	r := a.postAs(t, editorKey, `mutation { updateCompanies(where: {id: {eq: "prov-co"}}, set: {}, connect: {markets: [{id: "india",
	  evidence: [{source: "prov-article", sentence: "Provco is based in Lisbon.", method: EXTRACTED}]}]}) { id } }`, nil)
	if code := r.code(t); code != "BAD_USER_INPUT" || !strings.Contains(r.raw, "needs its confidence") {
		t.Errorf("connect with extracted evidence and no confidence: %s", r.raw)
	}
	if fingerprint(t, a) != before {
		t.Error("a refused write wrote something")
	}
	// Through connect, with its method.
	a.postAs(t, editorKey, `mutation { updateCompanies(where: {id: {eq: "prov-co"}}, set: {}, connect: {markets: [{id: "india",
	  evidence: [{source: "prov-article", sentence: "Provco is based in Lisbon.", method: EXTRACTED, confidence: 0.6}]}]}) { id } }`, nil).ok(t)
	var m struct {
		Company struct{ Markets []struct{ Evidence []ev } }
	}
	a.post(t, `{ company(id: "prov-co") { markets { evidence { method confidence } } } }`, nil).data(t, &m)
	if len(m.Company.Markets) != 1 || m.Company.Markets[0].Evidence[0] != (ev{"", "EXTRACTED", 0.6}) {
		t.Errorf("connect: %+v", m.Company)
	}
}

// Evidence written before methods were recorded reads as MANUAL, with
// lists shorter than the sentences filled in by the next write.
func TestProvenanceOfOldEvidence(t *testing.T) {
	a := editors(t)
	cleanUp(t, a, "prov-old-")
	ctx := context.Background()
	if _, err := a.Client.Write(ctx, func(tx cgneo4j.Tx) (any, error) {
		return tx.Run(ctx, `MATCH (s:Source) WITH s LIMIT 1
		  CREATE (:Executive:Node {id: 'prov-old-x', name: 'Old X', aliases: []})-[:WORKS_FOR {title: 'CEO', current: true,
		    sources: [s.id, s.id], sentences: ['One.', 'Two.'], methods: ['EXTRACTED'], confidences: [0.5]}]->
		  (:Company:Organization:Node {id: 'prov-old-c', name: 'Old C', aliases: []})`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Company struct {
			Executives []struct {
				Evidence []struct {
					Sentence, Method string
					Confidence       float64
				}
				Manual []struct{ Sentence string } `json:"manual"`
			}
		}
	}
	a.post(t, `{ company(id: "prov-old-c") { executives { evidence { sentence method confidence } manual: evidence(methods: [MANUAL]) { sentence } } } }`, nil).data(t, &got)
	e := got.Company.Executives
	if len(e) != 1 || len(e[0].Evidence) != 2 || e[0].Evidence[0].Method != "EXTRACTED" || e[0].Evidence[0].Confidence != 0.5 ||
		e[0].Evidence[1].Method != "MANUAL" || e[0].Evidence[1].Confidence != 1 || len(e[0].Manual) != 1 || e[0].Manual[0].Sentence != "Two." {
		t.Errorf("old evidence: %+v", e)
	}
}
