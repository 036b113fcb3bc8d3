package seed

import (
	"fmt"
	"sort"
	"strings"
)

// NameKey is how names and aliases are compared: case and surrounding or
// repeated space do not count, so "Xiaomi Inc." and " xiaomi  inc. " are
// one name. The API's resolve field compares names the same way.
func NameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// CheckNames refuses datasets in which two different nodes, of any labels,
// share a name or an alias: one entity named two ways must be one node
// with both names (the second as an alias), never two nodes. A node that
// several datasets define (the same label and id) is one node.
func CheckNames(sets []Dataset) error {
	owner := map[string]string{} // name key -> "Label:id"
	var clashes []string
	for _, d := range sets {
		for _, n := range d.Nodes {
			ref := n.Label + ":" + n.ID
			for _, name := range names(n) {
				k := NameKey(name)
				if k == "" {
					continue
				}
				if o, ok := owner[k]; ok && o != ref {
					clashes = append(clashes, fmt.Sprintf("%q names both %s and %s", name, o, ref))
					continue
				}
				owner[k] = ref
			}
		}
	}
	if len(clashes) > 0 {
		sort.Strings(clashes)
		return fmt.Errorf("two nodes for one name: %s", strings.Join(clashes, "; "))
	}
	return nil
}

// names are a node's name and aliases.
func names(n Node) []string {
	var out []string
	if s, ok := n.Properties["name"].(string); ok {
		out = append(out, s)
	}
	switch as := n.Properties["aliases"].(type) {
	case []any:
		for _, a := range as {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, as...)
	}
	return out
}
