package mutation

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/changes"
	"github.com/companygraph/companygraph/internal/ingest"
	"github.com/companygraph/companygraph/internal/kg"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// linkRow is one relationship to merge, with its evidence.
type linkRow struct {
	relType, fromLabel, toLabel string
	from, to                    string
	// fromIsNode says the node being written is the start, not the end.
	fromIsNode bool
	props      map[string]any
	evidence   []any
}

// plan is what a create or update will write once its references check out.
type plan struct {
	bad      invalid
	evidence []evidenceRef
	nodes    map[string][]map[string]any // new nodes by label: {id, props}
	newIDs   map[string]string           // id -> path of the input that creates it
	refs     map[string]ref              // ids that must exist, with the label they need
	sources  map[string]string           // source ids that must exist -> path
	links    []linkRow
}

type ref struct{ label, path string }

// evidenceRef is a sentence that must be in its source's text.
type evidenceRef struct{ source, sentence, path string }

func newPlan() *plan {
	return &plan{nodes: map[string][]map[string]any{}, newIDs: map[string]string{}, refs: map[string]ref{}, sources: map[string]string{}}
}

// props splits an input object of typeName into its properties, typed,
// and its relationship fields.
func (r *request) props(typeName string, in map[string]any, path string, p *plan) (map[string]any, map[string][]any) {
	props := map[string]any{}
	links := map[string][]any{}
	for _, f := range r.w.m.Fields(typeName) {
		v, ok := in[f.Name]
		if !ok {
			continue
		}
		if _, isLink := r.w.m.Link(typeName, f.Name); isLink {
			if list, _ := v.([]any); len(list) > 0 {
				links[f.Name] = list
			}
			continue
		}
		if v == nil {
			if f.Type.NonNull {
				p.bad.add(path+"."+f.Name, -1, "%s cannot be null", f.Name)
			}
			props[f.Name] = nil
			continue
		}
		// The engine has coerced v to the input field's type, which
		// schemagen takes from this field.
		props[f.Name] = v
	}
	return props, links
}

// node plans a node to create from an input object.
func (r *request) node(typeName string, in map[string]any, path string, p *plan, nested bool) (string, bool) {
	label, _ := r.w.m.Label(typeName)
	props, links := r.props(typeName, in, path, p)
	id, _ := props["id"].(string)
	if id == "" {
		p.bad.add(path+".id", -1, "an id is required")
		return "", false
	}
	if prev, dup := p.newIDs[id]; dup {
		p.bad.add(path+".id", -1, "id %q is also created at %s", id, prev)
	}
	p.newIDs[id] = path
	delete(props, "id")
	for k, v := range props {
		if v == nil {
			delete(props, k)
		}
	}
	p.nodes[label] = append(p.nodes[label], map[string]any{"id": id, "props": props})
	if nested && len(links) > 0 {
		p.bad.add(path, -1, "relationships of a nested create cannot be nested further; connect them in a second mutation")
	}
	if !nested {
		r.links(typeName, id, links, path, p)
	}
	return id, true
}

// links plans the relationships of node id given by relationship fields.
func (r *request) links(typeName, id string, links map[string][]any, path string, p *plan) {
	label, _ := r.w.m.Label(typeName)
	for _, field := range slices.Sorted(maps.Keys(links)) {
		link, _ := r.w.m.Link(typeName, field)
		for j, item := range links[field] {
			at := fmt.Sprintf("%s.%s[%d]", path, field, j)
			in, _ := item.(map[string]any)
			otherID, _ := in["id"].(string)
			create, _ := in["create"].(map[string]any)
			switch {
			case (otherID == "") == (create == nil):
				p.bad.add(at, -1, "give either id (an existing %s) or create (a new one)", link.Other)
				continue
			case create != nil:
				var ok bool
				if otherID, ok = r.node(link.Other, create, at+".create", p, true); !ok {
					continue
				}
			default:
				p.refs[otherID] = ref{label: link.OtherNode, path: at + ".id"}
			}
			row := linkRow{relType: link.Type, fromLabel: label, toLabel: link.OtherNode, from: id, to: otherID, fromIsNode: true, props: map[string]any{}}
			if !link.Out {
				row.fromLabel, row.toLabel, row.from, row.to = row.toLabel, row.fromLabel, row.to, row.from
				row.fromIsNode = false
			}
			for k := range link.Props {
				if v, ok := in[k]; ok && v != nil {
					row.props[k] = v
				}
			}
			evidence, _ := in["evidence"].([]any)
			if len(evidence) == 0 {
				p.bad.add(at+".evidence", -1, "every relationship needs evidence: the source and the sentence that state it")
			}
			for k, e := range evidence {
				ev, _ := e.(map[string]any)
				src, _ := ev["source"].(string)
				sentence, _ := ev["sentence"].(string)
				if src == "" || sentence == "" {
					p.bad.add(fmt.Sprintf("%s.evidence[%d]", at, k), -1, "source and sentence are required")
					continue
				}
				p.sources[src] = fmt.Sprintf("%s.evidence[%d].source", at, k)
				p.evidence = append(p.evidence, evidenceRef{src, sentence, fmt.Sprintf("%s.evidence[%d].sentence", at, k)})
				method, confidence := provenance(ev, fmt.Sprintf("%s.evidence[%d]", at, k), -1, &p.bad)
				row.evidence = append(row.evidence, map[string]any{"source": src, "sentence": sentence, "method": method, "confidence": confidence})
			}
			p.links = append(p.links, row)
		}
	}
}

// check verifies, inside the transaction, that new ids are free and that
// every referenced node and source exists.
func (r *request) check(ctx context.Context, tx neo4j.Tx, p *plan) error {
	var ids []string
	for id := range p.newIDs {
		ids = append(ids, id)
	}
	for id := range p.refs {
		ids = append(ids, id)
	}
	for id := range p.sources {
		ids = append(ids, id)
	}
	found, err := r.existing(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(p.newIDs)) {
		if l, ok := found[id]; ok {
			return apierror.New(apierror.Conflict, "%s: id %q is already used by a %s", p.newIDs[id], id, l.String())
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.refs)) {
		if want := p.refs[id]; !found[id].has(want.label) {
			if _, creating := p.newIDs[id]; !creating {
				p.bad.add(want.path, -1, "no %s with id %q", want.label, id)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.sources)) {
		if !found[id].has("Source") {
			p.bad.add(p.sources[id], -1, "no Source with id %q", id)
		}
	}
	if len(p.evidence) > 0 {
		recs, err := tx.Run(ctx, "MATCH (s:Source) WHERE s.id IN $ids RETURN s.id AS id, s.text AS text",
			map[string]any{"ids": slices.Sorted(maps.Keys(p.sources))})
		if err != nil {
			return fmt.Errorf("read sources: %w", err)
		}
		texts := map[string]string{}
		for _, rec := range recs {
			if t, ok := rec.Values[1].(string); ok {
				texts[rec.Values[0].(string)] = t
			}
		}
		for _, e := range p.evidence {
			// A source stored without its text cannot be checked.
			if t, ok := texts[e.source]; ok && !strings.Contains(t, e.sentence) {
				p.bad.add(e.path, -1, "the sentence is not in the text of source %q", e.source)
			}
		}
	}
	if len(p.bad) > 0 {
		return p.bad
	}
	return nil
}

// write runs the planned creates and relationship merges, and reports
// what they touched to rec.
func (r *request) write(ctx context.Context, tx neo4j.Tx, rec *changes.Recorder, p *plan) error {
	for _, label := range slices.Sorted(maps.Keys(p.nodes)) {
		for _, row := range p.nodes[label] {
			id, _ := row["id"].(string)
			rec.Touched(changes.Node(changes.Created, id))
		}
		// The common label's constraint refuses an id another node has,
		// of any type, even one created since check looked.
		_, err := tx.Run(ctx, fmt.Sprintf(`UNWIND $rows AS row CREATE (n:`+"`%s`"+`) SET n = row.props, n.id = row.id,
  n.createdAt = datetime(), n.createdBy = $who, n.updatedAt = datetime(), n.updatedBy = $who`,
			strings.Join(append(r.w.m.NodeLabels(label), query.NodeLabel), "`:`")),
			map[string]any{"rows": p.nodes[label], "who": r.who})
		if err != nil {
			return fmt.Errorf("create %s: %w", label, err)
		}
	}
	groups := map[[3]string][]any{}
	for _, l := range p.links {
		k := [3]string{l.fromLabel, l.relType, l.toLabel}
		groups[k] = append(groups[k], map[string]any{"from": l.from, "to": l.to, "props": l.props, "evidence": l.evidence})
	}
	keys := make([][3]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	for _, k := range keys {
		recs, err := tx.Run(ctx, fmt.Sprintf("UNWIND $rows AS row MATCH (a:`%s` {id: row.from}) MATCH (b:`%s` {id: row.to})\n", k[0], k[2])+
			fmt.Sprintf("OPTIONAL MATCH (a)-[x:`%[1]s`]->(b)\nWITH a, b, row, x IS NULL AS isNew\nMERGE (a)-[r:`%[1]s`]->(b)\n", k[1])+
			`ON CREATE SET r += $defaults, r.createdAt = datetime(), r.createdBy = $who
SET r += row.props, r.updatedAt = datetime(), r.updatedBy = $who`+ingest.EvidenceWrite("r, row, isNew")+`
RETURN DISTINCT row.from AS from, row.to AS to, coalesce(r.key, '') AS key, isNew`,
			map[string]any{"rows": groups[k], "who": r.who, "defaults": r.w.m.EdgeDefaults(k[1])})
		if err != nil {
			return fmt.Errorf("connect %s: %w", k[1], err)
		}
		for _, row := range recs {
			m := row.AsMap()
			op := changes.Updated
			if m["isNew"] == true {
				op = changes.Created
			}
			from, _ := m["from"].(string)
			to, _ := m["to"].(string)
			key, _ := m["key"].(string)
			rec.Touched(changes.Edge(op, kg.EdgeRef{From: from, Type: k[1], To: to, Key: key}))
		}
	}
	return nil
}

func (r *request) create(ctx context.Context) (any, *query.Selection, error) {
	rows, _ := r.args["input"].([]any)
	if len(rows) == 0 || len(rows) > r.w.o.MaxBatch {
		return nil, nil, apierror.New(apierror.BadInput, "input takes 1 to %d items, got %d", r.w.o.MaxBatch, len(rows))
	}
	p := newPlan()
	var ids []string
	for i, row := range rows {
		in, _ := row.(map[string]any)
		if id, ok := r.node(r.typeName, in, fmt.Sprintf("input[%d]", i), p, false); ok {
			ids = append(ids, id)
		}
	}
	if len(p.bad) > 0 {
		return nil, nil, p.bad
	}
	out, err := r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		if err := r.check(ctx, tx, p); err != nil {
			return nil, err
		}
		if err := r.write(ctx, tx, rec, p); err != nil {
			return nil, err
		}
		return r.project(ctx, tx, ids)
	})
	if err != nil {
		return nil, nil, p.raced(err)
	}
	proj := out.(projection)
	return proj.nodes, proj.sel, nil
}

// raced names the input of an id that Neo4j's constraint refused: a node
// with it was written, of whatever type, after check looked.
func (p *plan) raced(err error) error {
	e, ok := apierror.As(err)
	if !ok || e.Code != apierror.Conflict {
		return err
	}
	id, _ := e.Fields["id"].(string)
	path, ok := p.newIDs[id]
	if !ok {
		return err
	}
	out := apierror.Wrap(apierror.Conflict, err, fmt.Sprintf("%s: id %q is already used by another node", path, id))
	out.Fields = map[string]any{"field": path + ".id"}
	return out
}

// matching returns the ids of the nodes the where argument selects.
func (r *request) matching(ctx context.Context, tx neo4j.Tx) ([]string, error) {
	st, err := r.w.m.IDsWhere(r.oc, r.typeName, r.args["where"], r.w.o.Limits)
	if err != nil {
		return nil, err
	}
	recs, err := tx.Run(ctx, st.Cypher, st.Params)
	if err != nil {
		return nil, fmt.Errorf("match %s: %w", r.typeName, err)
	}
	var ids []string
	for _, id := range recs[0].Values[0].([]any) {
		ids = append(ids, id.(string))
	}
	return ids, nil
}

func (r *request) update(ctx context.Context) (any, *query.Selection, error) {
	label, _ := r.w.m.Label(r.typeName)
	p := newPlan()
	set, _ := r.args["set"].(map[string]any)
	props, _ := r.props(r.typeName, set, "set", p)
	connect, _ := r.args["connect"].(map[string]any)
	disconnect, _ := r.args["disconnect"].(map[string]any)
	if len(p.bad) > 0 {
		return nil, nil, p.bad
	}
	out, err := r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		ids, err := r.matching(ctx, tx)
		if err != nil {
			return nil, err
		}
		if len(ids) > r.w.o.MaxBatch {
			return nil, apierror.New(apierror.BadInput, "where matches %d nodes; one update changes at most %d", len(ids), r.w.o.MaxBatch)
		}
		if len(ids) == 0 {
			return r.project(ctx, tx, nil)
		}
		links := map[string][]any{}
		for k, v := range connect {
			links[k], _ = v.([]any)
		}
		// connect is planned once, for the first matched node, so a node
		// it creates is created once and a problem with it reported once;
		// every other matched node gets the same relationships.
		r.links(r.typeName, ids[0], links, "connect", p)
		planned := p.links
		for _, id := range ids[1:] {
			for _, l := range planned {
				if l.fromIsNode {
					l.from = id
				} else {
					l.to = id
				}
				p.links = append(p.links, l)
			}
		}
		if err := r.check(ctx, tx, p); err != nil {
			return nil, err
		}
		if len(props) > 0 {
			if _, err := tx.Run(ctx, fmt.Sprintf("MATCH (n:`%s`) WHERE n.id IN $ids SET n += $props, n.updatedAt = datetime(), n.updatedBy = $who", label),
				map[string]any{"ids": ids, "props": props, "who": r.who}); err != nil {
				return nil, fmt.Errorf("update %s: %w", label, err)
			}
			for _, id := range ids {
				rec.Touched(changes.Node(changes.Updated, id))
			}
		}
		if err := r.write(ctx, tx, rec, p); err != nil {
			return nil, err
		}
		for _, field := range slices.Sorted(maps.Keys(disconnect)) {
			link, _ := r.w.m.Link(r.typeName, field)
			others, _ := disconnect[field].([]any)
			pattern := "(n)-[r:`%s`]->(o:`%s`)"
			if !link.Out {
				pattern = "(n)<-[r:`%s`]-(o:`%s`)"
			}
			match := fmt.Sprintf("MATCH (n:`%s`) WHERE n.id IN $ids MATCH "+pattern+" WHERE o.id IN $others ", label, link.Type, link.OtherNode)
			params := map[string]any{"ids": ids, "others": others}
			// What goes is read as it is before it goes.
			found, err := tx.Run(ctx, match+"RETURN startNode(r).id AS from, endNode(r).id AS to, coalesce(r.key, '') AS key", params)
			if err != nil {
				return nil, fmt.Errorf("disconnect %s: %w", field, err)
			}
			var gone []changes.Item
			for _, f := range found {
				m := f.AsMap()
				from, _ := m["from"].(string)
				to, _ := m["to"].(string)
				key, _ := m["key"].(string)
				gone = append(gone, changes.Edge(changes.Deleted, kg.EdgeRef{From: from, Type: link.Type, To: to, Key: key}))
			}
			if err := rec.Deleting(ctx, gone...); err != nil {
				return nil, err
			}
			if _, err := tx.Run(ctx, match+"DELETE r", params); err != nil {
				return nil, fmt.Errorf("disconnect %s: %w", field, err)
			}
		}
		return r.project(ctx, tx, ids)
	})
	if err != nil {
		return nil, nil, p.raced(err)
	}
	proj := out.(projection)
	return proj.nodes, proj.sel, nil
}

func (r *request) delete(ctx context.Context) (any, error) {
	label, _ := r.w.m.Label(r.typeName)
	out, err := r.w.log.Write(ctx, r.who, func(tx neo4j.Tx, rec *changes.Recorder) (any, error) {
		ids, err := r.matching(ctx, tx)
		if err != nil {
			return nil, err
		}
		if len(ids) > r.w.o.MaxBatch {
			return nil, apierror.New(apierror.BadInput, "where matches %d nodes; one delete removes at most %d", len(ids), r.w.o.MaxBatch)
		}
		// A deleted node's change holds it as it was; its relationships
		// go with it, which the change of the node stands for.
		gone := make([]changes.Item, len(ids))
		for i, id := range ids {
			gone[i] = changes.Node(changes.Deleted, id)
		}
		if err := rec.Deleting(ctx, gone...); err != nil {
			return nil, err
		}
		// The relationships are counted in one pass before they go, a
		// relationship between two deleted nodes once.
		recs, err := tx.Run(ctx, fmt.Sprintf(`MATCH (n:`+"`%s`"+`) WHERE n.id IN $ids
OPTIONAL MATCH (n)-[r]-()
WITH collect(DISTINCT n) AS nodes, count(DISTINCT r) AS rels
FOREACH (n IN nodes | DETACH DELETE n)
RETURN size(nodes) AS nodesDeleted, rels AS relationshipsDeleted`, label), map[string]any{"ids": ids})
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", label, err)
		}
		n, _ := recs[0].Get("nodesDeleted")
		rels, _ := recs[0].Get("relationshipsDeleted")
		return query.ByName{"nodesDeleted": n, "relationshipsDeleted": rels}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
