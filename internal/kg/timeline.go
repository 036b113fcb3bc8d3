package kg

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/neo4j"
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
	// Truncated says more than MaxTimelineEvents events are left after the
	// window (all of the entity's without one); the first
	// MaxTimelineEvents of them in timeline order were kept.
	Truncated bool `json:"truncated"`
}

// Timeline returns the events related to entity id by any relationship,
// ordered by Before and then by id. from and to, absolute ISO dates at
// any precision, keep only the events whose absolute date overlaps
// [from, to]; events with a relative or no date cannot be placed and are
// left out then, and counted. Of the events left, the first
// MaxTimelineEvents in that order are returned.
//
// Dates are read from the sources' wording (ParseDate), in Go, so the
// window and the order are applied here, not in Cypher, and before the cut:
// cutting first would drop events a window asks for. That takes two
// statements in one read transaction: the first reads the id and the date
// of every event of the entity, the second the whole of only those kept.
// The first walks the entity's relationships once, as any timeline must,
// and returns two strings per event.
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
	event := "`" + g.labelOf[EventType] + "`"
	dates := fmt.Sprintf(`MATCH (a:%[5]s {id: $id}) WHERE a:%[1]s
RETURN %[2]s AS entity, COLLECT {
  MATCH (a)-[:%[3]s]-(e:%[4]s) WHERE e <> a
  WITH DISTINCT e
  RETURN {id: e.id, date: e.date}
} AS dates`, g.entities(), g.nodeProj("a"), g.rels(), event, nodeLabel)
	events := fmt.Sprintf(`MATCH (a:%[6]s {id: $id}) WHERE a:%[1]s
UNWIND $events AS eid
MATCH (e:%[2]s {id: eid}) WHERE e <> a
RETURN %[3]s AS event, COLLECT { MATCH (a)-[r:%[4]s]-(e) RETURN %[5]s } AS links`,
		g.entities(), event, g.nodeProj("e"), g.rels(), g.edgeProj("r"), nodeLabel)

	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	t := &Timeline{Events: []TimelineEvent{}}
	whens := map[string]When{}
	found, err := g.client.Read(ctx, func(tx neo4j.Tx) (any, error) {
		*t = Timeline{Events: []TimelineEvent{}}
		clear(whens)
		recs, err := tx.Run(ctx, dates, map[string]any{"id": id})
		if err != nil {
			return false, err
		}
		if len(recs) == 0 {
			return false, nil
		}
		row := recs[0].AsMap()
		t.Entity = g.decodeNode(row["entity"])
		var keep []string
		for _, v := range list(row["dates"]) {
			m, _ := v.(map[string]any)
			w := ParseDate(str(m["date"]))
			if (lo != nil || hi != nil) && !w.within(lo, hi) {
				if w.rank() != 0 {
					t.LeftOut++
				}
				continue
			}
			whens[str(m["id"])] = w
			keep = append(keep, str(m["id"]))
		}
		sort.Slice(keep, func(i, j int) bool { return timelineLess(whens, keep[i], keep[j]) })
		if len(keep) > MaxTimelineEvents {
			keep, t.Truncated = keep[:MaxTimelineEvents], true
		}
		if len(keep) == 0 {
			return true, nil
		}
		recs, err = tx.Run(ctx, events, map[string]any{"id": id, "events": keep})
		if err != nil {
			return false, err
		}
		for _, r := range recs {
			m := r.AsMap()
			ev := TimelineEvent{Event: g.decodeNode(m["event"])}
			for _, l := range list(m["links"]) {
				ev.Links = append(ev.Links, decodeEdge(l))
			}
			sort.Slice(ev.Links, func(i, j int) bool { return ev.Links[i].ID < ev.Links[j].ID })
			// The date that placed the event, as the first statement read it.
			w := whens[ev.Event.ID]
			text := w.Text
			ev.Precision = w.Precision
			if text != "" {
				ev.Date = &text
			}
			if iso := w.ISO(); iso != "" {
				ev.ISO = &iso
			}
			ev.Evidence = dateEvidence(ev.Event.Evidence, text)
			t.Events = append(t.Events, ev)
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: %w", err)
	}
	if ok, _ := found.(bool); !ok {
		return nil, notFound("entity", id)
	}
	sort.SliceStable(t.Events, func(i, j int) bool {
		return timelineLess(whens, t.Events[i].Event.ID, t.Events[j].Event.ID)
	})
	return t, nil
}

// timelineLess orders two events of a timeline by their dates, then by id.
func timelineLess(whens map[string]When, a, b string) bool {
	wa, wb := whens[a], whens[b]
	if Before(wa, wb) || Before(wb, wa) {
		return Before(wa, wb)
	}
	return a < b
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
