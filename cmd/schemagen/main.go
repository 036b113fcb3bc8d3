// Command schemagen writes the schema the API serves from the type
// definitions in a folder. `go generate ./...` runs it before gqlgen.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/schemagen"
)

func main() {
	in := flag.String("in", "schema", "folder of *.graphqls type definitions")
	out := flag.String("out", "schema.graphqls", "file to write the augmented schema to")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	files, err := filepath.Glob(filepath.Join(in, "*.graphqls"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.graphqls in %s", in)
	}
	sort.Strings(files)
	var sources []*ast.Source
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		sources = append(sources, &ast.Source{Name: f, Input: string(raw)})
	}
	sdl, _, err := schemagen.Generate(sources)
	if err != nil {
		return err
	}
	return os.WriteFile(out, sdl, 0o644)
}
