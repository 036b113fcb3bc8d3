package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/companygraph/companygraph/internal/neo4jtest"
)

// notebookPython is the interpreter of the environment `make notebook-env`
// makes; `make test` makes it first.
const notebookPython = "../../notebooks/.venv/bin/python"

// executedNotebook is what the test reads of an executed .ipynb.
type executedNotebook struct {
	Cells []struct {
		CellType string `json:"cell_type"`
		Metadata struct {
			Tags []string `json:"tags"`
		} `json:"metadata"`
		Source         any  `json:"source"`
		ExecutionCount *int `json:"execution_count"`
		Outputs        []struct {
			OutputType string         `json:"output_type"`
			Name       string         `json:"name"`
			Text       any            `json:"text"`
			Data       map[string]any `json:"data"`
			EName      string         `json:"ename"`
			EValue     string         `json:"evalue"`
		} `json:"outputs"`
	} `json:"cells"`
}

// joined reads a notebook text field, which is a string or a list of lines.
func joined(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, s := range x {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

// TestNotebook runs notebooks/explore.ipynb headless against the API over
// the seed, with the pinned environment, and checks what it computed and
// drew. It fails when any cell fails.
func TestNotebook(t *testing.T) {
	if _, err := os.Stat(notebookPython); err != nil {
		if os.Getenv(neo4jtest.EnvRequire) != "" {
			t.Fatalf("%s is missing: `make test` makes it with `make notebook-env`", notebookPython)
		}
		t.Skipf("%s is missing; run `make notebook-env`", notebookPython)
	}
	a := seeded(t)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "explore.ipynb")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	begin := time.Now()
	python, err := filepath.Abs(notebookPython)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, python, "run_notebook.py", "explore.ipynb", out)
	cmd.Dir = "../../notebooks"
	// Caches and Jupyter's runtime files go to the test's own folder, not
	// the repository or the home directory.
	cmd.Env = append(os.Environ(),
		"COMPANYGRAPH_URL="+a.srv.URL,
		"PYTHONDONTWRITEBYTECODE=1",
		"MPLCONFIGDIR="+filepath.Join(tmp, "mpl"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(tmp, "jupyter"),
		"IPYTHONDIR="+filepath.Join(tmp, "ipython"),
	)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the notebook failed (%v):\n%s", err, stderr.String())
	}
	t.Logf("notebook ran in %v", time.Since(begin).Round(100*time.Millisecond))

	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var nb executedNotebook
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	var summary string
	pngs, code := 0, 0
	for _, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		code++
		if c.ExecutionCount == nil {
			t.Errorf("a cell did not run: %.60q", joined(c.Source))
		}
		for _, o := range c.Outputs {
			switch {
			case o.OutputType == "error":
				t.Errorf("cell %.60q: %s: %s", joined(c.Source), o.EName, o.EValue)
			case o.Name == "stderr":
				// Warnings, or matplotlib building its font cache on a first run.
				t.Logf("cell %.60q wrote to stderr: %s", joined(c.Source), joined(o.Text))
			}
			if png, ok := o.Data["image/png"].(string); ok {
				b, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(png, "\n", ""))
				if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) || len(b) < 10_000 {
					t.Errorf("cell %.60q: a figure that is not a drawing (%d bytes)", joined(c.Source), len(b))
				}
				pngs++
			}
			if slices.Contains(c.Metadata.Tags, "summary") && o.Name == "stdout" {
				summary = joined(o.Text)
			}
		}
	}
	if code < 10 || pngs != 2 {
		t.Errorf("%d code cells and %d figures; want every cell run and both drawings (neighbourhood, timeline)", code, pngs)
	}

	var got struct {
		Nodes                []string
		Edges                int
		Truncated            bool
		Types                map[string]int
		GraphMLNodes         int `json:"graphml_nodes"`
		GraphMLEdges         int `json:"graphml_edges"`
		Path                 [][]string
		Timeline, Precisions []string
		Dates                []*string
		Facts                int
	}
	if err := json.Unmarshal([]byte(summary), &got); err != nil {
		t.Fatalf("summary %q: %v", summary, err)
	}
	// The neighbourhood is the one the API gives, read by networkx from
	// both formats.
	var q struct{ Neighborhood subgraph }
	a.post(t, neighborhoodQuery, map[string]any{"id": "xiaomi"}).data(t, &q)
	var want []string
	for _, n := range q.Neighborhood.Nodes {
		want = append(want, n.ID)
	}
	slices.Sort(want)
	if strings.Join(got.Nodes, ",") != strings.Join(want, ",") || got.Edges != len(q.Neighborhood.Edges) || got.Truncated {
		t.Errorf("neighbourhood: %d nodes, %d edges; the API has %d and %d", len(got.Nodes), got.Edges, len(want), len(q.Neighborhood.Edges))
	}
	if got.GraphMLNodes != len(got.Nodes) || got.GraphMLEdges != got.Edges {
		t.Errorf("GraphML: %d nodes, %d edges", got.GraphMLNodes, got.GraphMLEdges)
	}
	if got.Types["Company"] != 1 || got.Types["Market"] != 4 || got.Types["Event"] != 7 || got.Types["Executive"] != 1 || got.Types["Partner"] != 1 {
		t.Errorf("types %v", got.Types)
	}
	if p, _ := json.Marshal(got.Path); string(p) != `[["Hugo Barra","WORKS_FOR","Xiaomi"],["Xiaomi","PARTNERED_WITH","Flipkart"]]` {
		t.Errorf("path %s", p)
	}
	wantTimeline := "xiaomi-india-entry,xiaomi-smartphone-sales,xiaomi-smartphone-sales-india,xiaomi-funding-december,mi4-india-launch,mi-band-india-launch,xiaomi-us-announcement"
	if strings.Join(got.Timeline, ",") != wantTimeline {
		t.Errorf("timeline %v", got.Timeline)
	}
	if strings.Join(got.Precisions, ",") != "RELATIVE,RELATIVE,RELATIVE,RELATIVE,RELATIVE,RELATIVE,UNKNOWN" {
		t.Errorf("precisions %v", got.Precisions)
	}
	if len(got.Dates) != 7 || got.Dates[0] == nil || *got.Dates[0] != "July last year" || got.Dates[6] != nil {
		t.Errorf("dates %v", got.Dates)
	}
	if got.Facts != 45 {
		t.Errorf("%d facts of the article, want 45", got.Facts)
	}
}
