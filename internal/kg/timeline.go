package kg

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
)

// TimelineEvent is one event of a timeline.
type TimelineEvent struct {
	Event Node `json:"event"`
	// Links are the relationships between the entity and the event, with
	// the entity's role among their properties.
	Links []Edge `json:"links"`
	// Date is the source's wording; nil when it gives none.
	Date      *string   `json:"date"`
	Precision Precision `json:"precision"`
	// ISO is an absolute date at its precision; nil for others.
	ISO *string `json:"iso"`
	// Evidence is the sentence that gives the date or, when none does, the
	// first that states the event.
	Evidence *Citation `json:"evidence"`
}

// Timeline is the events an entity took part in, in order.
type Timeline struct {
	Entity Node            `json:"entity"`
	Events []TimelineEvent `json:"events"`
	// LeftOut counts the events that a window (from, to) left out because
	// their date is relative or missing, so cannot be placed in it.
	LeftOut int64 `json:"leftOut"`
	// Truncated says the entity has more than MaxTimelineEvents events;
	// those with the first ids were kept.
	Truncated bool `json:"truncated"`
}

// Timeline returns the events related to entity id by any relationship,
// ordered by Before and then by id. from and to, absolute ISO dates at
// any precision, keep only the events whose absolute date overlaps
// [from, to]; events with a relative or no date cannot be placed and are
// left out then, and counted.
func (g *Graph) Timeline(ctx context.Context, id string, from, to *string) (*Timeline, error) {
	var lo, hi *When
	for _, b := range []struct {
		name string
		v    *string
		w    **When
	}{{"from", from, &lo}, {"to", to, &hi}} {
		if b.v == nil {
			continue
		}
		w, err := parseBound(b.name, *b.v)
		if err != nil {
			return nil, err
		}
		*b.w = &w
	}
	if lo != nil && hi != nil && !hi.End.After(lo.Start) {
		return nil, apierror.New(apierror.BadInput, "from %q is after to %q", *from, *to)
	}
	cypher := fmt.Sprintf(`MATCH (a:%[7]s {id: $id}) WHERE a:%[1]s
RETURN %[2]s AS entity, COLLECT {
  MATCH (a)-[r:%[3]s]-(e:%[4]s) WHERE e <> a
  WITH e, collect(%[5]s) AS links ORDER BY e.id LIMIT $cap
  RETURN {event: %[6]s, links: links}
} AS events`, g.entities(), g.nodeProj("a"), g.rels(), "`"+g.labelOf[EventType]+"`", g.edgeProj("r"), g.nodeProj("e"), nodeLabel)
	rows, err := g.read(ctx, "timeline", cypher, map[string]any{"id": id, "cap": MaxTimelineEvents + 1})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, notFound("entity", id)
	}
	t := &Timeline{Entity: g.decodeNode(rows[0]["entity"]), Events: []TimelineEvent{}}
	events := list(rows[0]["events"])
	if len(events) > MaxTimelineEvents {
		events, t.Truncated = events[:MaxTimelineEvents], true
	}
	whens := map[string]When{}
	for _, v := range events {
		m, _ := v.(map[string]any)
		ev := TimelineEvent{Event: g.decodeNode(m["event"])}
		for _, l := range list(m["links"]) {
			ev.Links = append(ev.Links, decodeEdge(l))
		}
		sort.Slice(ev.Links, func(i, j int) bool { return ev.Links[i].ID < ev.Links[j].ID })
		text, _ := ev.Event.Properties["date"].(string)
		w := ParseDate(text)
		if (lo != nil || hi != nil) && !w.within(lo, hi) {
			if w.rank() != 0 {
				t.LeftOut++
			}
			continue
		}
		ev.Precision = w.Precision
		if text != "" {
			ev.Date = &text
		}
		if iso := w.ISO(); iso != "" {
			ev.ISO = &iso
		}
		ev.Evidence = dateEvidence(ev.Event.Evidence, text)
		whens[ev.Event.ID] = w
		t.Events = append(t.Events, ev)
	}
	sort.SliceStable(t.Events, func(i, j int) bool {
		a, b := whens[t.Events[i].Event.ID], whens[t.Events[j].Event.ID]
		if Before(a, b) || Before(b, a) {
			return Before(a, b)
		}
		return t.Events[i].Event.ID < t.Events[j].Event.ID
	})
	return t, nil
}

// within reports whether an absolute date overlaps the window [lo, hi],
// each bound taken at its own precision (to 2014 takes all of 2014).
func (w When) within(lo, hi *When) bool {
	if w.rank() != 0 {
		return false
	}
	if lo != nil && !w.End.After(lo.Start) {
		return false
	}
	if hi != nil && !w.Start.Before(hi.End) {
		return false
	}
	return true
}

// dateEvidence picks the sentence that words the date, else the first.
func dateEvidence(ev []Citation, date string) *Citation {
	if len(ev) == 0 {
		return nil
	}
	if date != "" {
		for _, c := range ev {
			if strings.Contains(strings.ToLower(c.Sentence), strings.ToLower(date)) {
				return &c
			}
		}
	}
	return &ev[0]
}
