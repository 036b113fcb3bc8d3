package kg

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Precision says how exactly a date is known.
type Precision string

const (
	Day   Precision = "DAY"
	Month Precision = "MONTH"
	Year  Precision = "YEAR"
	// Relative: the source words the date relative to when it was written
	// ("July last year"), and sources carry no date of their own.
	Relative Precision = "RELATIVE"
	// Unknown: the source gives no date.
	Unknown Precision = "UNKNOWN"
)

// MarshalGQL writes the precision as its enum value.
func (p Precision) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(p))) }

// UnmarshalGQL reads an enum value.
func (p *Precision) UnmarshalGQL(v any) error {
	return readEnum(p, v, "DatePrecision", Day, Month, Year, Relative, Unknown)
}

// When is a date as a source words it, read as far as it can be.
type When struct {
	// Text is the source's wording; empty when it gives none.
	Text      string
	Precision Precision
	// Start and End bound an absolute date: it is the time in [Start, End).
	Start, End time.Time
	// Offset estimates, for a relative date, where the period it names
	// starts, in months from the day the source was written; Known says
	// whether the wording was recognised. See ParseDate.
	Offset float64
	Known  bool
}

// ISO is an absolute date at its precision (2014, 2014-12, 2014-12-03);
// empty for others.
func (w When) ISO() string {
	switch w.Precision {
	case Day:
		return w.Start.Format("2006-01-02")
	case Month:
		return w.Start.Format("2006-01")
	case Year:
		return w.Start.Format("2006")
	}
	return ""
}

var months = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		months[name] = m
		months[name[:3]] = m
	}
	months["sept"] = time.September
}

const monthRE = `(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?`

var (
	isoDay    = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	isoMonth  = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	isoYear   = regexp.MustCompile(`^(\d{4})$`)
	dayMonth  = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)? (?:of )?` + monthRE + `,? (\d{4})$`)
	monthDay  = regexp.MustCompile(`^` + monthRE + ` (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$`)
	monthYear = regexp.MustCompile(`^` + monthRE + `,? (\d{4})$`)
	// A month of a year named relative to the source's own.
	monthRel = regexp.MustCompile(`^` + monthRE + ` (?:of )?(last|this|next) year$`)
)

// publication is where, in months from the start of its year, a source is
// assumed to have been written: 1 July, the middle of the year. Sources
// carry no date, and phrases relative to the calendar ("July last year")
// can only be set beside phrases relative to the day of writing ("last
// month") by assuming one.
const publication = 6

// relative estimates, for the wordings relative to the day of writing, the
// start of the period named, in months from that day.
var relative = []struct {
	re     *regexp.Regexp
	offset float64
}{
	// "the last year" is the twelve months up to writing; "last year" the calendar year before.
	{regexp.MustCompile(`^the (?:last|past|previous) (?:year|12 months|twelve months)$|^(?:past|previous|last) (?:12|twelve) months$|^(?:past|previous) year$`), -12},
	{regexp.MustCompile(`^last year$`), -12 - publication},
	{regexp.MustCompile(`^this year$`), -publication},
	{regexp.MustCompile(`^next year$`), 12 - publication},
	{regexp.MustCompile(`^(?:the )?(?:last|past|previous) (?:few|couple of) months$`), -3},
	{regexp.MustCompile(`^last month$`), -1},
	{regexp.MustCompile(`^(?:last|past) week$`), -0.25},
	{regexp.MustCompile(`^(?:recently|yesterday)$`), -0.1},
	{regexp.MustCompile(`^(?:today|now|this week|this month)$`), 0},
	{regexp.MustCompile(`^(?:tomorrow|next week|soon)$`), 0.1},
	{regexp.MustCompile(`^next month$`), 1},
	{regexp.MustCompile(`^(?:the )?(?:coming|next|following) (?:few |couple of )?months$|^(?:a few|a couple of) months$`), 2},
}

// ParseDate reads a date as a source words it. Absolute dates (2014,
// 2014-12, 2014-12-03, "December 2014", "3 December 2014", "December 3,
// 2014") get their precision and span. Anything else is RELATIVE, and the
// wordings relative to the day of writing that it knows get an estimated
// Offset in months from that day, with the day assumed to be 1 July:
//
//	"July last year"                  -12
//	"the last year"                   -12 (the twelve months up to writing)
//	"December last year"               -7
//	"last month"                       -1
//	"in the coming couple of months"   +2
//
// and "last year" -18, "next month" +1, and so on. A leading "in", "on",
// "during" or "since" is ignored.
func ParseDate(text string) When {
	w := When{Text: text, Precision: Unknown}
	s := strings.ToLower(strings.Join(strings.Fields(text), " "))
	s = strings.TrimSuffix(s, ".")
	for _, p := range []string{"in ", "on ", "during ", "since "} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "" {
		return w
	}
	w.Precision = Relative
	num := func(v string) int { n, _ := strconv.Atoi(v); return n }
	absolute := func(p Precision, y int, m time.Month, d int) bool {
		start := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if start.Year() != y || start.Month() != m || start.Day() != d {
			return false // no 30 February
		}
		w.Precision, w.Start = p, start
		switch p {
		case Day:
			w.End = start.AddDate(0, 0, 1)
		case Month:
			w.End = start.AddDate(0, 1, 0)
		default:
			w.End = start.AddDate(1, 0, 0)
		}
		return true
	}
	if m := isoDay.FindStringSubmatch(s); m != nil && absolute(Day, num(m[1]), time.Month(num(m[2])), num(m[3])) {
		return w
	}
	if m := isoMonth.FindStringSubmatch(s); m != nil && absolute(Month, num(m[1]), time.Month(num(m[2])), 1) {
		return w
	}
	if m := isoYear.FindStringSubmatch(s); m != nil && absolute(Year, num(m[1]), time.January, 1) {
		return w
	}
	if m := dayMonth.FindStringSubmatch(s); m != nil && absolute(Day, num(m[3]), months[m[2]], num(m[1])) {
		return w
	}
	if m := monthDay.FindStringSubmatch(s); m != nil && absolute(Day, num(m[3]), months[m[1]], num(m[2])) {
		return w
	}
	if m := monthYear.FindStringSubmatch(s); m != nil && absolute(Month, num(m[2]), months[m[1]], 1) {
		return w
	}
	if m := monthRel.FindStringSubmatch(s); m != nil {
		year := map[string]float64{"last": -12, "this": 0, "next": 12}[m[2]]
		w.Offset, w.Known = year+float64(months[m[1]]-1)-publication, true
		return w
	}
	for _, r := range relative {
		if r.re.MatchString(s) {
			w.Offset, w.Known = r.offset, true
			return w
		}
	}
	return w
}

// rank orders the kinds of dates: absolute ones can be placed on the
// calendar and come first, then relative ones, whose day of writing is
// unknown, then those whose wording is not recognised, then none.
func (w When) rank() int {
	switch {
	case w.Precision == Day || w.Precision == Month || w.Precision == Year:
		return 0
	case w.Precision == Relative && w.Known:
		return 1
	case w.Precision == Relative:
		return 2
	}
	return 3
}

// Before orders dates for a timeline: absolute dates by start, and among
// equal starts the shorter span first (2014-01 before 2014); then relative
// dates by their estimated offset; then unrecognised relative wordings;
// then events without a date. It reports false for two dates it cannot
// tell apart, which callers then order by id.
func Before(a, b When) bool {
	if ra, rb := a.rank(), b.rank(); ra != rb {
		return ra < rb
	}
	switch a.rank() {
	case 0:
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		return a.End.Before(b.End)
	case 1:
		return a.Offset < b.Offset
	}
	return false
}

// parseBound reads a from or to argument: an absolute date in ISO 8601 at
// day, month or year precision.
func parseBound(name, v string) (When, error) {
	w := ParseDate(v)
	if w.rank() != 0 || !(isoDay.MatchString(v) || isoMonth.MatchString(v) || isoYear.MatchString(v)) {
		return w, apierror.New(apierror.BadInput, "%s %q: want a date such as 2014, 2014-12 or 2014-12-03", name, v)
	}
	return w, nil
}
