package kg

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		text      string
		precision Precision
		iso       string
		offset    float64 // for recognised relative dates
	}{
		{"2014-12-03", Day, "2014-12-03", 0},
		{"2014-12", Month, "2014-12", 0},
		{"2014", Year, "2014", 0},
		{"3 December 2014", Day, "2014-12-03", 0},
		{"on 3rd of Dec. 2014", Day, "2014-12-03", 0},
		{"December 3, 2014", Day, "2014-12-03", 0},
		{"in December 2014", Month, "2014-12", 0},
		{"Sept 2015", Month, "2015-09", 0},
		// The seed's wordings: July 1 is the assumed day of writing.
		{"July last year", Relative, "", -12},
		{"the last year", Relative, "", -12},
		{"December last year", Relative, "", -7},
		{"last month", Relative, "", -1},
		{"in the coming couple of months", Relative, "", 2},
		{"in a few months", Relative, "", 2},
		{"last year", Relative, "", -18},
		{"the past 12 months", Relative, "", -12},
		{"January this year", Relative, "", -6},
		{"next month", Relative, "", 1},
		// Words it does not know stay relative text, without an estimate.
		{"shortly after the war", Relative, "", 0},
		{"30 February 2014", Relative, "", 0},
		{"2014-13", Relative, "", 0},
		{"", Unknown, "", 0},
		{"   ", Unknown, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			w := ParseDate(tt.text)
			if w.Precision != tt.precision || w.ISO() != tt.iso || w.Text != tt.text {
				t.Errorf("got %s %q (text %q), want %s %q", w.Precision, w.ISO(), w.Text, tt.precision, tt.iso)
			}
			if tt.offset != 0 && (!w.Known || w.Offset != tt.offset) {
				t.Errorf("offset %v (known %v), want %v", w.Offset, w.Known, tt.offset)
			}
		})
	}
}

// The order of a timeline, whatever order the dates come in.
func TestBefore(t *testing.T) {
	want := []string{
		"2013",
		"2014-01",
		"2014", // starts with January 2014 but spans longer
		"July 2014",
		"3 July 2014",
		"last year",
		"July last year", // -12, and equal to the next: the caller orders by id
		"the last year",
		"December last year",
		"last month",
		"in the coming couple of months",
		"after the war", // relative, not understood
		"",              // no date
	}
	for seed := int64(0); seed < 20; seed++ {
		got := append([]string(nil), want...)
		rand.New(rand.NewSource(seed)).Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		sort.SliceStable(got, func(i, j int) bool {
			a, b := ParseDate(got[i]), ParseDate(got[j])
			if Before(a, b) || Before(b, a) {
				return Before(a, b)
			}
			return got[i] < got[j] // stands in for the event id
		})
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("shuffle %d sorted to\n%s\nwant\n%s", seed, strings.Join(got, "|"), strings.Join(want, "|"))
		}
	}
}

func TestWithin(t *testing.T) {
	bound := func(s string) *When {
		w, err := parseBound("bound", s)
		if err != nil {
			t.Fatal(err)
		}
		return &w
	}
	tests := []struct {
		date, from, to string
		want           bool
	}{
		{"July 2014", "2014", "2014", true},
		{"July 2014", "2014-08", "", false},
		{"July 2014", "2014-07-31", "", true}, // the month overlaps its last day
		{"2014", "2014-06", "2014-06", true},
		{"3 March 2015", "", "2015-03-02", false},
		{"3 March 2015", "", "2015-03", true},
		{"July last year", "2000", "", false},
		{"", "", "2100", false},
	}
	for _, tt := range tests {
		var lo, hi *When
		if tt.from != "" {
			lo = bound(tt.from)
		}
		if tt.to != "" {
			hi = bound(tt.to)
		}
		if got := ParseDate(tt.date).within(lo, hi); got != tt.want {
			t.Errorf("%q within [%q, %q]: %v, want %v", tt.date, tt.from, tt.to, got, tt.want)
		}
	}
	for _, bad := range []string{"December 2014", "last year", "2014-1", "14", "2014-02-30"} {
		if _, err := parseBound("from", bad); err == nil {
			t.Errorf("bound %q accepted", bad)
		}
	}
}
