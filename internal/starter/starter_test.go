package starter

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/query"
)

// sample is an excerpt of the real dump: nine companies of the data, as
// tools/starter/dump.py writes them (Wikipedia infobox text, CC BY-SA 4.0).
const sample = "testdata/pytickersymbols-sample.json"

func TestKeyPeople(t *testing.T) {
	tests := []struct {
		in   string
		want []Person
	}{
		{"Arthur Levinson ( chairman ) Tim Cook ( CEO )", []Person{{"Arthur Levinson", "chairman"}, {"Tim Cook", "CEO"}}},
		{"Marguerite Bérard (CEO)", []Person{{"Marguerite Bérard", "CEO"}}},
		{"Yoshihisa Kainuma, ( CEO and President )", []Person{{"Yoshihisa Kainuma", "CEO and President"}}},
		{"R. Jeffrey Bailly ( Chairman , and CEO ), Mitchell C. Rock (President)", []Person{{"R. Jeffrey Bailly", "Chairman , and CEO"}, {"Mitchell C. Rock", "President"}}},
		// No roles in parentheses: nothing to tell names and roles apart by.
		{"Thomas Pike, President , CEO , Chairman Jill McConnell, CFO", nil},
		{"Dr. Howard Berger, Norman Hames, Stephen Forthuber", nil},
	}
	for _, tt := range tests {
		if got := KeyPeople(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("KeyPeople(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestProducts(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Asset management Commercial banking Investment banking", []string{"Asset management", "Commercial banking", "Investment banking"}},
		{"Industrial automation, drive technology, software", []string{"Industrial automation", "drive technology", "software"}},
		{"Electricity Natural gas", []string{"Electricity Natural gas"}},
		// Capitalised names one after another cannot be told apart.
		{"AirPods AirTag Apple TV Apple Vision Pro Apple Watch HomePod iPad iPhone Mac", nil},
		{"List Property & casualty insurance Reinsurance", []string{"Property & casualty insurance", "Reinsurance"}},
	}
	for _, tt := range tests {
		if got := Products(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Products(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Apple Inc.": "apple-inc", "AT&T": "at-t", "Nestlé SA": "nestlé-sa", " -x- ": "x"} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// Every fact quotes a line of its company's record, with the dataset as
// its source, and fits the schema.
func TestConvertQuotesTheRecords(t *testing.T) {
	d, err := Read(sample)
	if err != nil {
		t.Fatal(err)
	}
	if d.Source.ID != "pytickersymbols-1.17.10" || d.Source.Properties["kind"] != "dataset" {
		t.Fatalf("source %+v", d.Source)
	}
	raw, _ := os.ReadFile(sample)
	data := string(raw)
	quoted := func(what string, evidence []string) {
		t.Helper()
		if len(evidence) == 0 {
			t.Errorf("%s: no evidence", what)
		}
		for _, e := range evidence {
			name, rest, ok := strings.Cut(e, " — ")
			field, value, ok2 := strings.Cut(rest, ": ")
			if !ok || !ok2 || !strings.Contains(data, name) || field == "" {
				t.Errorf("%s: %q is not a record line", what, e)
				continue
			}
			// The value is the record's, word for word (industries are joined).
			for _, part := range strings.Split(value, "; ") {
				if !strings.Contains(data, part) {
					t.Errorf("%s: %q is not in the data", what, part)
				}
			}
		}
	}
	byID := map[string]map[string]any{}
	for _, n := range d.Nodes {
		quoted(n.Label+":"+n.ID, n.Evidence)
		byID[n.ID] = n.Properties
	}
	for _, r := range d.Relationships {
		quoted(r.From+"->"+r.To, r.Evidence)
	}
	apple := byID["apple-inc"]
	if apple["ticker"] != "AAPL" || apple["headquarters"] != "Apple Park, Cupertino, California , US" || apple["website"] != "apple.com" {
		t.Errorf("apple-inc: %v", apple)
	}
	if !reflect.DeepEqual(apple["indices"], []any{"DOW JONES", "NASDAQ 100", "S&P 100", "S&P 500"}) {
		t.Errorf("apple-inc indices %v", apple["indices"])
	}
	var cook bool
	for _, r := range d.Relationships {
		if r.Type == "WORKS_FOR" && r.From == "Executive:tim-cook" && r.To == "Company:apple-inc" {
			cook = r.Properties["title"] == "CEO" && reflect.DeepEqual(r.Evidence, []string{"Apple Inc. — key_people: Arthur Levinson ( chairman ) Tim Cook ( CEO )"})
		}
	}
	if !cook {
		t.Error("no WORKS_FOR from Tim Cook to Apple, as CEO, quoting the key_people line")
	}
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Plan(m, d); err != nil {
		t.Fatal(err)
	}
}

// Ids are unique across types, with the seed's among them.
func TestConvertKeepsIdsApart(t *testing.T) {
	d, err := Read(sample)
	if err != nil {
		t.Fatal(err)
	}
	label := map[string]string{}
	for _, n := range d.Nodes {
		if l, ok := label[n.ID]; ok && l != n.Label {
			t.Errorf("id %s is a %s and a %s", n.ID, l, n.Label)
		}
		label[n.ID] = n.Label
	}
}

// A record named as a node of the seed never rewrites it: the seed's ids
// are taken, whatever the type.
func TestConvertLeavesTheSeedAlone(t *testing.T) {
	dump := `{"package": "pytickersymbols", "version": "0.0.1", "indices": [{"name": "X", "companies": [
	  {"name": "Xiaomi", "symbol": "1810.HK", "metadata": {"key_people": "Hugo Barra ( vice president )"}}]}]}`
	d, err := Convert(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range d.Nodes {
		got = append(got, n.Label+":"+n.ID)
	}
	if strings.Join(got, ",") != "Company:xiaomi-company,Executive:hugo-barra-person" {
		t.Errorf("nodes %v", got)
	}
	if len(d.Relationships) != 1 || d.Relationships[0].From != "Executive:hugo-barra-person" || d.Relationships[0].To != "Company:xiaomi-company" {
		t.Errorf("relationships %+v", d.Relationships)
	}
}

// EnvFullDump names the dump of the whole dataset, which `make test`
// writes (make starter): its conversion is checked here, without a
// database; TestStarterGraph loads the sample into Neo4j, or the dump
// that COMPANYGRAPH_TEST_STARTER names.
const EnvFullDump = "COMPANYGRAPH_TEST_STARTER_DUMP"

func TestConvertTheWholeDataset(t *testing.T) {
	path := os.Getenv(EnvFullDump)
	if path == "" {
		t.Skip(EnvFullDump + " names no dump; `make test` writes one")
	}
	d, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, n := range d.Nodes {
		counts[n.Label]++
		if n.Method != "DATASET" || len(n.Evidence) == 0 {
			t.Fatalf("%s:%s: method %q, %d evidence", n.Label, n.ID, n.Method, len(n.Evidence))
		}
	}
	for _, r := range d.Relationships {
		if r.Method != "DATASET" || len(r.Evidence) == 0 || !strings.Contains(r.Evidence[0], " — ") {
			t.Fatalf("%s %s %s: method %q, evidence %q", r.From, r.Type, r.To, r.Method, r.Evidence)
		}
	}
	t.Logf("%d companies, %d executives, %d products, %d relationships", counts["Company"], counts["Executive"], counts["Product"], len(d.Relationships))
	if counts["Company"] < 1800 || counts["Executive"] < 2500 || len(d.Relationships) < 5000 {
		t.Errorf("only %v and %d relationships", counts, len(d.Relationships))
	}
}
