package datagen

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/graph/generated"
	"github.com/companygraph/companygraph/internal/neo4j"
	"github.com/companygraph/companygraph/internal/neo4jtest"
	"github.com/companygraph/companygraph/internal/query"
)

// TestImportIsLoad loads one small graph twice, by Load's UNWIND
// transactions into one private Neo4j and by WriteCSV's files through
// neo4j-admin database import into another, and requires the two databases
// to hold the same graph: every node with its labels and its properties,
// each with its value and its stored type, every relationship with its
// type, ends and properties, and the same constraints and indexes. The two
// sides run side by side: most of the time is two Neo4j servers starting.
func TestImportIsLoad(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	m, err := query.NewMapping(generated.NewExecutableSchema(generated.Config{}).Schema())
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(2000, 3)
	if err != nil {
		t.Fatal(err)
	}

	var want, got []string
	var files CSVFiles
	var st LoadStats
	t.Run("both", func(t *testing.T) {
		t.Run("load", func(t *testing.T) {
			t.Parallel()
			s := neo4jtest.New(t, "password8+")
			s.Start()
			c := open(t, s.Conn)
			var err error
			if st, err = Load(ctx, c, m, g, LoadOptions{}); err != nil {
				t.Fatal(err)
			}
			want = dump(ctx, t, c)
		})
		t.Run("import", func(t *testing.T) {
			t.Parallel()
			s := neo4jtest.New(t, "password8+")
			var err error
			if files, err = WriteCSV(ctx, t.TempDir(), m, g); err != nil {
				t.Fatal(err)
			}
			s.Import(files.ImportArgs()...)
			s.Start()
			c := open(t, s.Conn)
			if _, err := files.Finish(ctx, c, m); err != nil {
				t.Fatal(err)
			}
			got = dump(ctx, t, c)
		})
	})
	if t.Failed() {
		return
	}
	if files.NodeCount != st.Nodes || files.RelCount != st.Relationships {
		t.Errorf("files hold %d nodes and %d relationships, Load wrote %d and %d",
			files.NodeCount, files.RelCount, st.Nodes, st.Relationships)
	}
	if len(want) < st.Nodes+st.Relationships {
		t.Fatalf("the loaded database dumps to %d lines, want at least %d", len(want), st.Nodes+st.Relationships)
	}
	if diff := firstDiffs(want, got, 5); diff != "" {
		t.Errorf("the imported graph is not the loaded one (- loaded, + imported):\n%s", diff)
	}
	t.Logf("%d nodes, %d relationships, %d constraints and indexes alike; CSV %d bytes, empty arrays %v",
		st.Nodes, st.Relationships, len(want)-st.Nodes-st.Relationships, files.Bytes, files.EmptyArrays)
}

func open(t *testing.T, c neo4jtest.Conn) *neo4j.Client {
	t.Helper()
	client, err := neo4j.Open(neo4j.Options{URI: c.URI, Username: "neo4j", Password: c.Password, Database: "neo4j", RetryTime: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })
	return client
}

// dump is the database as sorted lines, one per node, relationship,
// constraint and index, with every property's stored type (valueType)
// beside its value, so that a long stored as a double, or an array as a
// string, differs.
func dump(ctx context.Context, t *testing.T, c *neo4j.Client) []string {
	t.Helper()
	var lines []string
	for _, q := range []string{
		`MATCH (n) RETURN 'node', n.id, labels(n), [k IN keys(n) | k + ': ' + valueType(n[k])], properties(n)`,
		`MATCH (a)-[r]->(b) RETURN 'rel', a.id + ' -' + type(r) + '-> ' + b.id, [k IN keys(r) | k + ': ' + valueType(r[k])], properties(r)`,
		`SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties RETURN 'constraint', name, type, entityType, labelsOrTypes, properties`,
		`SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint RETURN 'index', name, type, entityType, labelsOrTypes, properties, state, owningConstraint`,
	} {
		recs, err := c.ReadOne(ctx, q, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for _, r := range recs {
			var fields []string
			for _, v := range r.Values {
				if list, ok := v.([]any); ok {
					// Labels and keys come in no promised order.
					sort.Slice(list, func(i, j int) bool { return fmt.Sprint(list[i]) < fmt.Sprint(list[j]) })
				}
				// encoding/json writes map keys sorted.
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				fields = append(fields, string(b))
			}
			lines = append(lines, strings.Join(fields, " "))
		}
	}
	sort.Strings(lines)
	return lines
}

// firstDiffs shows up to n lines in one sorted list and not the other.
func firstDiffs(a, b []string, n int) string {
	var out []string
	i, j := 0, 0
	for (i < len(a) || j < len(b)) && len(out) < n {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, "- "+a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, "+ "+b[j])
			j++
		default:
			i++
			j++
		}
	}
	return strings.Join(out, "\n")
}
