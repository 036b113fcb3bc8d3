// Package seed holds the graph's first data: facts stated by source
// documents, each with the sentences that state it. Files are embedded so
// the binary can load the seed without the repository beside it.
package seed

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.json sources/*.txt
var files embed.FS

// Dataset is one source document and the facts it states.
type Dataset struct {
	Source        Source         `json:"source"`
	Nodes         []Node         `json:"nodes"`
	Relationships []Relationship `json:"relationships"`
}

// Source is the document. Text is read from File.
type Source struct {
	ID         string         `json:"id"`
	File       string         `json:"file"`
	Properties map[string]any `json:"properties"`
	Text       string         `json:"-"`
}

// Node is an entity with its natural key and the sentences that mention it.
type Node struct {
	Label      string         `json:"label"`
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	Evidence   []string       `json:"evidence"`
	// Index is the position of the fact this node comes from, when it
	// comes from a batch whose outcome is reported per fact.
	Index *int `json:"-"`
	// Role says the node only takes this type as one more role: another
	// of the dataset's nodes, or the graph, gives it its properties.
	Role bool `json:"-"`
	Provenance
}

// Provenance says how the facts of a node or relationship were obtained
// from their sentences: MANUAL (the default, as the seed is), EXTRACTED
// with a confidence from 0 to 1, or DATASET. Confidence defaults to 1.
type Provenance struct {
	Method     string   `json:"method,omitempty"`
	Confidence *float64 `json:"confidence,omitempty"`
}

// Relationship joins two nodes named "Label:id". Key tells apart two
// relationships of one type between the same nodes.
type Relationship struct {
	Type       string         `json:"type"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Key        string         `json:"key,omitempty"`
	Properties map[string]any `json:"properties"`
	Evidence   []string       `json:"evidence"`
	Index      *int           `json:"-"`
	Provenance
}

// Ref splits a "Label:id" reference.
func Ref(ref string) (label, id string, ok bool) {
	return strings.Cut(ref, ":")
}

// All returns every dataset in the seed, checked, in file order.
func All() ([]Dataset, error) {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Dataset
	for _, name := range names {
		d, err := parse(name)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", name, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func parse(name string) (Dataset, error) {
	var d Dataset
	raw, err := files.ReadFile(name)
	if err != nil {
		return d, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return d, err
	}
	for _, props := range d.properties() {
		if err := typeNumbers(props); err != nil {
			return d, err
		}
	}
	text, err := files.ReadFile(path.Clean(d.Source.File))
	if err != nil {
		return d, fmt.Errorf("source text: %w", err)
	}
	d.Source.Text = string(text)
	return d, d.Check()
}

func (d *Dataset) properties() []map[string]any {
	out := []map[string]any{d.Source.Properties}
	for _, n := range d.Nodes {
		out = append(out, n.Properties)
	}
	for _, r := range d.Relationships {
		out = append(out, r.Properties)
	}
	return out
}

// typeNumbers keeps integers integers: a JSON number written without a
// fraction or exponent is stored as a Neo4j INTEGER, any other as a FLOAT.
func typeNumbers(props map[string]any) error {
	for k, v := range props {
		n, ok := v.(json.Number)
		if !ok {
			continue
		}
		if !strings.ContainsAny(n.String(), ".eE") {
			i, err := n.Int64()
			if err != nil {
				return fmt.Errorf("property %s: %w", k, err)
			}
			props[k] = i
			continue
		}
		f, err := n.Float64()
		if err != nil {
			return fmt.Errorf("property %s: %w", k, err)
		}
		props[k] = f
	}
	return nil
}

// Check refuses a dataset whose facts do not stand on their source: every
// sentence must be the source's own words, every reference a known node.
func (d Dataset) Check() error {
	if d.Source.ID == "" {
		return fmt.Errorf("source without id")
	}
	known := map[string]bool{}
	// node(id:) finds a node by id alone, so ids are unique across labels.
	labelOf := map[string]string{d.Source.ID: "Source"}
	for i, n := range d.Nodes {
		ref := n.Label + ":" + n.ID
		if n.Label == "" || n.ID == "" {
			return fmt.Errorf("node %d: label and id are required", i)
		}
		if known[ref] {
			return fmt.Errorf("node %s: defined twice", ref)
		}
		if other, ok := labelOf[n.ID]; ok {
			return fmt.Errorf("node %s: id already used by a %s", ref, other)
		}
		known[ref] = true
		labelOf[n.ID] = n.Label
		if err := d.checkEvidence(n.Evidence); err != nil {
			return fmt.Errorf("node %s: %w", ref, err)
		}
	}
	for i, r := range d.Relationships {
		if r.Type == "" {
			return fmt.Errorf("relationship %d: type is required", i)
		}
		for _, end := range []string{r.From, r.To} {
			if !known[end] {
				return fmt.Errorf("relationship %d (%s): unknown node %q", i, r.Type, end)
			}
		}
		if err := d.checkEvidence(r.Evidence); err != nil {
			return fmt.Errorf("relationship %d (%s %s->%s): %w", i, r.Type, r.From, r.To, err)
		}
	}
	return nil
}

func (d Dataset) checkEvidence(sentences []string) error {
	if len(sentences) == 0 {
		return fmt.Errorf("no evidence")
	}
	for _, s := range sentences {
		if !strings.Contains(d.Source.Text, s) {
			return fmt.Errorf("evidence %q is not in source %s", s, d.Source.ID)
		}
	}
	return nil
}
