package changes

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/kg"
)

// Filter narrows the changes a reader wants. Empty lists take all.
type Filter struct {
	// Types are GraphQL node types ("Market") and relationship types
	// ("WORKS_FOR").
	Types []string
	// IDs are node ids: a node's own changes, and those of the
	// relationships it is an end of.
	IDs []string
}

func (f Filter) match(c *Change) bool {
	if len(f.Types) > 0 && !slices.Contains(f.Types, c.Type) && !slices.ContainsFunc(c.roles(), func(t string) bool { return slices.Contains(f.Types, t) }) {
		return false
	}
	if len(f.IDs) == 0 {
		return true
	}
	if c.Edge != nil {
		return slices.Contains(f.IDs, c.Edge.From) || slices.Contains(f.IDs, c.Edge.To)
	}
	return slices.Contains(f.IDs, c.ID)
}

// check refuses types the graph does not have, which would match nothing
// and leave a client waiting for changes that never come.
func (l *Log) check(f Filter) error {
	known := l.graph.ChangeTypes()
	for _, t := range f.Types {
		if !slices.Contains(known, t) {
			return apierror.New(apierror.BadInput, "types: %q is neither a node type nor a relationship type of the graph", t)
		}
	}
	return nil
}

// MaxPage bounds one page of the feed.
const MaxPage = 1000

// Page is a page of the feed.
type Page struct {
	Edges    []PageEdge
	PageInfo PageInfo
}

// PageEdge is one change on a page.
type PageEdge struct {
	Cursor string
	Node   *Change
}

// PageInfo says where the page ends and whether more changes follow.
type PageInfo struct {
	EndCursor   *string
	HasNextPage bool
}

// Changes answers the feed: the first changes after the cursor after
// (from the start when nil) that the filter takes, oldest first. An
// empty page's endCursor is the cursor given, or the newest change's when
// none was, so that a client polls from there.
func (l *Log) Changes(ctx context.Context, after *string, first *int64, types []string, ids []string) (*Page, error) {
	n := int64(100)
	if first != nil {
		n = *first
	}
	if n < 0 || n > MaxPage {
		return nil, apierror.New(apierror.BadInput, "first must be between 0 and %d, got %d", MaxPage, n)
	}
	f := Filter{Types: types, IDs: ids}
	if err := l.check(f); err != nil {
		return nil, err
	}
	var from int64
	if after != nil {
		var err error
		if from, err = parseCursor(*after); err != nil {
			return nil, err
		}
	}
	got, head, err := l.read(ctx, from, int(n)+1, f, after != nil)
	if err != nil {
		return nil, err
	}
	page := &Page{Edges: []PageEdge{}}
	if len(got) > int(n) {
		got, page.PageInfo.HasNextPage = got[:n], true
	}
	for i := range got {
		page.Edges = append(page.Edges, PageEdge{Cursor: got[i].Cursor(), Node: &got[i]})
	}
	end := ""
	switch {
	case len(got) > 0:
		end = got[len(got)-1].Cursor()
	case after != nil:
		end = *after
	default:
		end = (&Change{Seq: head}).Cursor()
	}
	page.PageInfo.EndCursor = &end
	return page, nil
}

// readCypher reads changes after a number, with the counter's state: the
// newest number given and the newest pruned.
const readCypher = `OPTIONAL MATCH (log:ChangeLog {name: $name})
RETURN coalesce(log.seq, 0) AS head, coalesce(log.pruned, 0) AS pruned, COLLECT {
  MATCH (c:Change) WHERE c.seq > $after AND c.seq <= $upTo
    AND (size($types) = 0 OR c.type IN $types OR any(t IN coalesce(c.roles, []) WHERE t IN $types))
    AND (size($ids) = 0 OR c.of IN $ids OR c.from IN $ids OR c.to IN $ids)
  WITH c ORDER BY c.seq LIMIT $limit RETURN c {.*, at: toString(c.at)} } AS changes`

// read returns up to limit changes numbered after from that f takes, and
// the newest number given. A cursor before what retention kept is
// expired when strict (a cursor a client holds); the feed's start is not.
func (l *Log) read(ctx context.Context, from int64, limit int, f Filter, strict bool) ([]Change, int64, error) {
	return l.readUpTo(ctx, from, -1, limit, f, strict)
}

// readUpTo is read of the changes numbered at most upTo (all when -1).
func (l *Log) readUpTo(ctx context.Context, from, upTo int64, limit int, f Filter, strict bool) ([]Change, int64, error) {
	ctx, cancel := context.WithTimeout(ctx, l.o.Timeout)
	defer cancel()
	if upTo < 0 {
		upTo = 1<<63 - 1
	}
	types, ids := f.Types, f.IDs
	if types == nil {
		types = []string{}
	}
	if ids == nil {
		ids = []string{}
	}
	recs, err := l.client.ReadOne(ctx, readCypher, map[string]any{
		"name": counter, "after": from, "upTo": upTo, "types": types, "ids": ids, "limit": int64(limit),
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read changes: %w", err)
	}
	head, _ := recs[0].Get("head")
	pruned, _ := recs[0].Get("pruned")
	if p, _ := pruned.(int64); strict && from < p {
		e := apierror.New(apierror.CursorExpired, "cursor %d is older than the changes kept (from %d on); read the graph again and follow from the newest cursor", from, p+1)
		e.Fields = map[string]any{"oldest": (&Change{Seq: p + 1}).Cursor()}
		return nil, 0, e
	}
	raw, _ := recs[0].Get("changes")
	list, _ := raw.([]any)
	out := make([]Change, 0, len(list))
	for _, v := range list {
		c, err := decode(v)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	h, _ := head.(int64)
	return out, h, nil
}

// decode reads a Change node's properties, its time as text.
func decode(v any) (Change, error) {
	props, _ := v.(map[string]any)
	str := func(k string) string { s, _ := props[k].(string); return s }
	c := Change{Op: Op(str("op")), Type: str("type"), ID: str("of"), By: str("by"), At: str("at")}
	c.Seq, _ = props["seq"].(int64)
	if s := str("source"); s != "" {
		c.Source = &s
	}
	if raw := str("edge"); raw != "" {
		c.Edge = &kg.Edge{}
		if err := json.Unmarshal([]byte(raw), c.Edge); err != nil {
			return c, fmt.Errorf("change %d: %w", c.Seq, err)
		}
	}
	if raw := str("node"); raw != "" {
		c.Node = &kg.Node{}
		if err := json.Unmarshal([]byte(raw), c.Node); err != nil {
			return c, fmt.Errorf("change %d: %w", c.Seq, err)
		}
	}
	return c, nil
}
