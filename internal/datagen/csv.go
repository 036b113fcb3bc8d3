package datagen

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/query"
)

// ArrayDelimiter separates the elements of an array property in the CSV
// files WriteCSV writes. WriteCSV refuses an element that holds it, since
// the importer would split it in two.
const ArrayDelimiter = ';'

// column is a property as the header of an import file declares it: its
// name and its importer type (string, string[], long, double, boolean).
type column struct{ name, typ string }

// nodeColumns and relColumns are every property the generator writes, by
// label and by relationship type, typed as Load's driver values are stored:
// Go string, []string, int64, float64 and bool become Neo4j String,
// String[], Long, Double and Boolean. The header must be known before the
// first row, and the generator draws optional properties per entity, so
// the columns are declared here rather than discovered; WriteCSV refuses a
// property that is not declared or not of the declared type, so a change
// to the generator cannot be dropped from the files unnoticed.
var (
	nodeColumns = map[Kind][]column{
		Market:    {{"name", "string"}, {"aliases", "string[]"}},
		Company:   {{"name", "string"}, {"aliases", "string[]"}, {"country", "string"}, {"headquarters", "string"}},
		Executive: {{"name", "string"}, {"aliases", "string[]"}},
		Product:   {{"name", "string"}, {"aliases", "string[]"}, {"kind", "string"}},
		Partner:   {{"name", "string"}, {"aliases", "string[]"}},
		Event: {{"name", "string"}, {"aliases", "string[]"}, {"kind", "string"}, {"status", "string"}, {"date", "string"},
			{"place", "string"}, {"unitsSold", "long"}, {"amountUsd", "double"}, {"valuationUsd", "double"},
			{"round", "string"}, {"headcount", "long"}, {"sharePercent", "double"}},
		Source: {{"title", "string"}, {"kind", "string"}, {"categories", "string[]"}, {"tags", "string[]"},
			{"url", "string"}, {"published", "string"}},
	}
	relColumns = map[string][]column{
		"WORKS_FOR":       {{"title", "string"}},
		"IN_MARKET":       {{"status", "string"}, {"since", "string"}},
		"PARTNERED_WITH":  {{"market", "string"}, {"exclusive", "boolean"}},
		"HAS_PRODUCT":     {},
		"PARTICIPATED_IN": {{"role", "string"}, {"title", "string"}},
		"CONCERNS":        {},
		"LAUNCHES":        {{"channel", "string"}},
		"ABOUT":           {},
		"MENTIONED_IN":    {},
		"OWNS":            {{"stakePercent", "double"}, {"since", "string"}, {"until", "string"}},
		"INVESTED_IN":     {{"amount", "double"}, {"currency", "string"}, {"round", "string"}, {"date", "string"}},
	}
	// evidenceColumns are on every relationship.
	evidenceColumns = []column{{"sources", "string[]"}, {"sentences", "string[]"}}
)

// CSVFiles are the files WriteCSV wrote, for neo4j-admin database import.
type CSVFiles struct {
	Dir string
	// Nodes holds one file per label, Relationships one per relationship
	// set; each file starts with its header.
	Nodes, Relationships []string
	NodeCount, RelCount  int
	// EmptyArrays are the array properties written empty, which the
	// importer leaves unset (it skips every empty array); Finish sets them.
	EmptyArrays []EmptyArray
	Bytes       int64
	Took        time.Duration
}

// EmptyArray is an array property of a label that N nodes have empty.
type EmptyArray struct {
	Label, Property string
	N               int
}

// ImportArgs are the arguments of `neo4j-admin database import full` that
// read the files as WriteCSV wrote them. Any bad entry fails the import
// (the importer's default tolerates a thousand, dropping them): the graph
// is generated, so a bad entry is a bug in the writer.
func (f CSVFiles) ImportArgs() []string {
	args := []string{
		"--id-type=actual",
		"--array-delimiter=" + string(ArrayDelimiter),
		"--bad-tolerance=0",
		"--report-file=" + filepath.Join(f.Dir, "import.report"),
	}
	for _, p := range f.Nodes {
		args = append(args, "--nodes="+p)
	}
	for _, p := range f.Relationships {
		args = append(args, "--relationships="+p)
	}
	return args
}

// FinishStats says what Finish did and how long it took.
type FinishStats struct {
	// Arrays is the time taken to set the empty arrays, Schema the time
	// EnsureSchema took: constraints built over the imported nodes, the
	// full-text index populated.
	Arrays, Schema time.Duration
}

// Finish makes the database the files were imported into, once its server
// runs, what Load makes: it checks that the database holds every node and
// relationship of the files, sets the empty arrays the importer skipped,
// then creates the API's schema (EnsureSchema: constraints and full-text
// index, built over what is there, waited for until online).
func (f CSVFiles) Finish(ctx context.Context, client *neo4j.Client, m *query.Mapping) (FinishStats, error) {
	var st FinishStats
	for _, c := range []struct {
		what, cypher string
		want         int
	}{
		{"nodes", "MATCH (n) RETURN count(n)", f.NodeCount},
		{"relationships", "MATCH ()-[r]->() RETURN count(r)", f.RelCount},
	} {
		recs, err := client.ReadOne(ctx, c.cypher, nil)
		if err != nil {
			return st, fmt.Errorf("finish import: count %s: %w", c.what, err)
		}
		if n, _ := recs[0].Values[0].(int64); n != int64(c.want) {
			return st, fmt.Errorf("finish import: the database holds %d %s, the files %d", n, c.what, c.want)
		}
	}
	t := time.Now()
	for _, e := range f.EmptyArrays {
		// Before the schema, so that no index is updated on the way; in
		// batches, so that no transaction holds a whole label, on as many
		// of the server's cores as it has.
		stmt := fmt.Sprintf("MATCH (n:`%s`) WHERE n.`%s` IS NULL CALL (n) { SET n.`%s` = [] } IN CONCURRENT TRANSACTIONS OF 10000 ROWS",
			e.Label, e.Property, e.Property)
		if err := client.AutoCommit(ctx, stmt, nil); err != nil {
			return st, fmt.Errorf("finish import: empty %s of %s: %w", e.Property, e.Label, err)
		}
	}
	st.Arrays = time.Since(t)
	t = time.Now()
	if err := client.EnsureSchema(ctx, query.NodeLabel, m.Labels(), m.Groups(), m.FullTextIndexes()...); err != nil {
		return st, fmt.Errorf("finish import: %w", err)
	}
	st.Schema = time.Since(t)
	return st, nil
}

// WriteCSV writes g into dir as the CSV files of an offline import
// (neo4j-admin database import full, with CSVFiles.ImportArgs): one node
// file per label, one relationship file per relationship set. The
// imported graph is the one Load writes: the same labels, Node included,
// the same properties with the same types, id among them as a string, and
// the same relationships with their evidence, once Finish has set the
// empty arrays and created the schema on the running server.
// Files are written side by side, as many at a time as there are CPUs.
func WriteCSV(ctx context.Context, dir string, m *query.Mapping, g *Graph) (CSVFiles, error) {
	start := time.Now()
	// The importer runs in a directory of its own choosing.
	dir, err := filepath.Abs(dir)
	if err != nil {
		return CSVFiles{}, fmt.Errorf("write csv: %w", err)
	}
	f := CSVFiles{Dir: dir}
	sets := g.RelSets()
	if err := checkMapping(m, sets); err != nil {
		return f, fmt.Errorf("write csv: %w", err)
	}
	// The importer splits a file list on commas.
	if strings.Contains(dir, ",") {
		return f, fmt.Errorf("write csv: the import cannot read files in %q, whose name holds a comma", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, fmt.Errorf("write csv: %w", err)
	}
	// One task per label writes its node file; one per owner of
	// relationship sets writes all their files in one pass over its
	// entities, so that what the sets share, such as an event, is computed
	// once. The longest go first, so that none is left alone at the end.
	type task struct {
		work  int
		files []*outFile
		write func([]*outFile) error
	}
	var tasks []task
	nodes := make([]*outFile, numKinds)
	for k := range numKinds {
		nodes[k] = &outFile{path: filepath.Join(dir, "nodes-"+k.Label()+".csv"), label: k.Label()}
		tasks = append(tasks, task{g.count[k], nodes[k : k+1], func(fs []*outFile) error {
			return fs[0].write(func(w *csvWriter) (int, error) { return g.writeNodes(ctx, w, k, m) })
		}})
	}
	var rels []*outFile
	for owner := range numKinds {
		var files []*outFile
		for _, s := range sets {
			if s.Owner == owner {
				files = append(files, &outFile{path: filepath.Join(dir, fmt.Sprintf("rels-%s-%s-%s.csv", s.From.Label(), s.Type, s.To.Label()))})
			}
		}
		if len(files) == 0 {
			continue
		}
		rels = append(rels, files...)
		tasks = append(tasks, task{g.count[owner] * (1 + len(files)), files, func(fs []*outFile) error {
			return g.writeRels(ctx, owner, fs)
		}})
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].work > tasks[j].work })

	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		slots = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if err := t.write(t.files); err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return f, fmt.Errorf("write csv: %w", first)
	}
	for _, of := range nodes {
		f.Nodes = append(f.Nodes, of.path)
		f.NodeCount += of.rows
		f.Bytes += of.w.n
		for c, n := range of.w.empty {
			if n > 0 {
				f.EmptyArrays = append(f.EmptyArrays, EmptyArray{of.label, of.w.cols[c].name, n})
			}
		}
	}
	for _, of := range rels {
		f.Relationships = append(f.Relationships, of.path)
		f.RelCount += of.rows
		f.Bytes += of.w.n
	}
	f.Took = time.Since(start)
	return f, nil
}

// outFile is one import file being written.
type outFile struct {
	path  string
	label string // of the nodes in it; "" for relationships
	file  *os.File
	w     *csvWriter
	rows  int
}

func (of *outFile) create() error {
	of.w = &csvWriter{}
	file, err := os.Create(of.path)
	if err != nil {
		return err
	}
	of.file = file
	of.w.w = bufio.NewWriterSize(file, 1<<20)
	return nil
}

// close flushes and closes the file, and refuses what the import would
// not give back (checkEmpty).
func (of *outFile) close(err error) error {
	if of.file == nil {
		return err
	}
	if err == nil {
		err = of.w.w.Flush()
	}
	if cerr := of.file.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = of.w.checkEmpty(of.label != "")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(of.path), err)
	}
	return nil
}

// write creates the file, writes its rows and closes it.
func (of *outFile) write(rows func(*csvWriter) (int, error)) error {
	err := of.create()
	if err == nil {
		of.rows, err = rows(of.w)
	}
	return of.close(err)
}

// checkMapping refuses labels and relationship kinds the API's mapping
// does not have, so the graph written is one the API can read.
func checkMapping(m *query.Mapping, sets []RelSet) error {
	labels := map[string]bool{}
	for _, l := range m.Labels() {
		labels[l] = true
	}
	for k := range numKinds {
		if !labels[k.Label()] {
			return fmt.Errorf("label %s is not in the schema", k.Label())
		}
	}
	kinds := m.RelationshipKinds()
	for _, s := range sets {
		if !kinds[[3]string{s.From.Label(), s.Type, s.To.Label()}] {
			return fmt.Errorf("(%s)-[:%s]->(%s) is not in the schema", s.From.Label(), s.Type, s.To.Label())
		}
	}
	return nil
}

// storeID is the store id the import files give entity i of kind k
// (--id-type=actual): the nodes of a kind are numbered in rank order from
// the sum of the counts of the kinds before it, and a relationship names
// its ends by these numbers. The importer then maps no ids to nodes, which
// took half of its relationship stage over a million string ids. The store
// id is no property; the API's id is a string column like the others.
func (g *Graph) storeID(k Kind, i int) int {
	for before := range k {
		i += g.count[before]
	}
	return i
}

func (g *Graph) writeNodes(ctx context.Context, w *csvWriter, k Kind, m *query.Mapping) (int, error) {
	cols := append([]column{{"id", "string"}}, nodeColumns[k]...)
	w.header([]string{":ID"}, cols, []string{":LABEL"})
	labels := strings.Join(append(m.NodeLabels(k.Label()), query.NodeLabel), string(ArrayDelimiter))
	first := g.storeID(k, 0)
	for i := range g.count[k] {
		if i%4096 == 0 && ctx.Err() != nil {
			return i, ctx.Err()
		}
		p := g.node(k, i)
		w.int(first + i)
		if err := w.properties(p); err != nil {
			return i, fmt.Errorf("%s %v: %w", k.Label(), p["id"], err)
		}
		w.sep()
		w.string(labels)
		w.end()
		if w.err != nil {
			return i, w.err
		}
	}
	return g.count[k], w.err
}

// writeRels writes the relationship sets owner owns, one file each in the
// order of RelSets, in one pass over owner's entities.
func (g *Graph) writeRels(ctx context.Context, owner Kind, files []*outFile) (err error) {
	// A copy with its own memo, and sets of the copy, which use it.
	h := g.withEventMemo()
	var sets []RelSet
	for _, s := range h.RelSets() {
		if s.Owner == owner {
			sets = append(sets, s)
		}
	}
	defer func() {
		for _, of := range files {
			err = cmp.Or(err, of.close(err))
		}
	}()
	for n, s := range sets {
		if err := files[n].create(); err != nil {
			return err
		}
		cols := append(append([]column(nil), relColumns[s.Type]...), evidenceColumns...)
		files[n].w.header([]string{":START_ID", ":END_ID", ":TYPE"}, cols, nil)
	}
	var first [numKinds]int
	for k := range numKinds {
		first[k] = h.storeID(k, 0)
	}
	for i := range h.count[owner] {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		for n, s := range sets {
			of := files[n]
			w := of.w
			h.relRanks(s, i, func(a, b int, props map[string]any) {
				if err != nil {
					return
				}
				w.int(first[s.From] + a)
				w.sep()
				w.int(first[s.To] + b)
				w.sep()
				w.string(s.Type)
				if perr := w.properties(props); perr != nil {
					err = fmt.Errorf("(%s)-[:%s]->(%s): %w", h.ID(s.From, a), s.Type, h.ID(s.To, b), perr)
					return
				}
				w.end()
				of.rows++
			})
			err = cmp.Or(err, w.err)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// csvWriter writes the importer's CSV: fields separated by commas, strings
// always quoted with inner quotes doubled, arrays as one quoted field of
// elements joined by ArrayDelimiter, a missing property as an empty field
// (which the importer leaves unset; "" would be an empty string).
type csvWriter struct {
	w    *bufio.Writer
	cols []column
	// empty and absent count, per column, the rows whose array was empty
	// and those without the property.
	empty, absent []int
	buf           []byte
	n             int64
	err           error
}

// header writes the header: the importer's own columns before and after
// the properties, which are then the columns of every row.
func (w *csvWriter) header(before []string, cols []column, after []string) {
	w.cols, w.empty, w.absent = cols, make([]int, len(cols)), make([]int, len(cols))
	fields := before
	for _, c := range cols {
		fields = append(fields, c.name+":"+c.typ)
	}
	w.buf = append(w.buf[:0], strings.Join(append(fields, after...), ",")...)
	w.end()
}

// checkEmpty refuses what an import cannot give back. The importer leaves
// an empty array unset, so Finish sets [] on the nodes that lack the
// property: right only when no node of the label lacks it for good, and
// only done for nodes.
func (w *csvWriter) checkEmpty(nodes bool) error {
	for i, c := range w.cols {
		switch {
		case w.empty[i] > 0 && !nodes:
			return fmt.Errorf("%s is an empty array on %d relationships, which an import cannot write", c.name, w.empty[i])
		case w.empty[i] > 0 && w.absent[i] > 0:
			return fmt.Errorf("%s is an empty array on %d nodes and missing on %d, which an import cannot tell apart",
				c.name, w.empty[i], w.absent[i])
		}
	}
	return nil
}

func (w *csvWriter) sep() { w.buf = append(w.buf, ',') }

func (w *csvWriter) int(n int) { w.buf = strconv.AppendInt(w.buf, int64(n), 10) }

func (w *csvWriter) string(s string) {
	w.buf = append(w.buf, '"')
	for i := range len(s) {
		if s[i] == '"' {
			w.buf = append(w.buf, '"')
		}
		w.buf = append(w.buf, s[i])
	}
	w.buf = append(w.buf, '"')
}

// end finishes the row and hands it to the file.
func (w *csvWriter) end() {
	w.buf = append(w.buf, '\n')
	if w.err == nil {
		var n int
		n, w.err = w.w.Write(w.buf)
		w.n += int64(n)
	}
	w.buf = w.buf[:0]
}

// properties writes the property columns of one row from p, each after a
// separator. It refuses a key of p that no column declares and a value of
// another type than its column's.
func (w *csvWriter) properties(p map[string]any) error {
	known := 0
	for i, c := range w.cols {
		w.sep()
		v, ok := p[c.name]
		if !ok {
			w.absent[i]++
			continue
		}
		known++
		if xs, ok := v.([]string); ok && len(xs) == 0 {
			w.empty[i]++
		}
		if err := w.value(c, v); err != nil {
			return err
		}
	}
	if known != len(p) {
		return fmt.Errorf("properties %s not among the columns %v of the import files (internal/datagen/csv.go)", undeclared(w.cols, p), w.cols)
	}
	return nil
}

func (w *csvWriter) value(c column, v any) error {
	switch x := v.(type) {
	case string:
		if c.typ == "string" {
			return w.text(c, x)
		}
	case []string:
		if c.typ == "string[]" {
			return w.array(c, x)
		}
	case int64:
		if c.typ == "long" {
			w.buf = strconv.AppendInt(w.buf, x, 10)
			return nil
		}
	case float64:
		if c.typ == "double" {
			// The shortest decimal that reads back as the same float64.
			w.buf = strconv.AppendFloat(w.buf, x, 'f', -1, 64)
			return nil
		}
	case bool:
		if c.typ == "boolean" {
			w.buf = strconv.AppendBool(w.buf, x)
			return nil
		}
	}
	return fmt.Errorf("%s is a %T, its column a %s", c.name, v, c.typ)
}

func (w *csvWriter) text(c column, s string) error {
	// The importer reads a line break only with --multiline-fields, which
	// is slow; the generator writes none.
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("%s %q holds a line break", c.name, s)
	}
	w.string(s)
	return nil
}

// array writes the elements as one field; an empty array, an empty field,
// which the importer skips (see checkEmpty).
func (w *csvWriter) array(c column, xs []string) error {
	for _, x := range xs {
		// An empty element cannot be told from no element, nor one
		// holding the delimiter from two.
		if x == "" || strings.ContainsRune(x, ArrayDelimiter) || strings.ContainsAny(x, "\r\n") {
			return fmt.Errorf("%s element %q is empty or holds %q or a line break", c.name, x, ArrayDelimiter)
		}
	}
	if len(xs) > 0 {
		w.string(strings.Join(xs, string(ArrayDelimiter)))
	}
	return nil
}

func undeclared(cols []column, p map[string]any) []string {
	declared := map[string]bool{}
	for _, c := range cols {
		declared[c.name] = true
	}
	var out []string
	for k := range p {
		if !declared[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
