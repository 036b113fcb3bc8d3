// Command checkresolvers compares the resolver files in a folder with the
// ones gqlgen writes from scratch (graph/resolver.gotpl, no existing
// file), declaration by declaration, and fails when they differ. gqlgen
// keeps a resolver's existing body on every later run, so without this a
// body edited by hand, or written by an older template, would never be
// regenerated and nothing would notice. Only the resolvers the template
// leaves to be written by hand (gqlgen's "not implemented" stub, such as
// the @custom root fields) may have bodies of their own; their signatures
// must still match. `make check-generated` runs it.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: checkresolvers FRESH_DIR DIR\n  compares DIR/*.resolvers.go with those gqlgen wrote from scratch into FRESH_DIR")
		os.Exit(2)
	}
	problems, err := check(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkresolvers:", err)
		os.Exit(2)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, p)
		}
		os.Exit(1)
	}
}

// check returns what differs between the resolver files of dir and fresh.
func check(fresh, dir string) ([]string, error) {
	names := map[string]bool{}
	for _, d := range []string{fresh, dir} {
		files, err := filepath.Glob(filepath.Join(d, "*.resolvers.go"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			names[filepath.Base(f)] = true
		}
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var problems []string
	for _, name := range sorted {
		want, err := parse(filepath.Join(fresh, name))
		if err != nil {
			return nil, err
		}
		got, err := parse(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		shown := filepath.Join(dir, name)
		switch {
		case want == nil:
			problems = append(problems, shown+": gqlgen writes no such file for the schema")
			continue
		case got == nil:
			problems = append(problems, shown+": missing")
			continue
		}
		if want.header != got.header {
			problems = append(problems, shown+": the header is not what gqlgen writes")
		}
		for _, key := range want.order {
			w, g := want.decls[key], got.decls[key]
			switch {
			case g == nil:
				problems = append(problems, fmt.Sprintf("%s: %s is missing (make generate writes it)", shown, key))
			case w.stub:
				if w.signature != g.signature {
					problems = append(problems, fmt.Sprintf("%s: %s: the signature is not what the schema gives\n  generated: %s\n  yours:     %s", shown, key, w.signature, g.signature))
				}
			case w.text != g.text:
				problems = append(problems, fmt.Sprintf("%s: %s is not what graph/resolver.gotpl generates\n--- generated\n%s\n--- yours\n%s", shown, key, w.text, g.text))
			}
		}
		for _, key := range got.order {
			if want.decls[key] == nil {
				problems = append(problems, fmt.Sprintf("%s: %s is not generated; helpers belong in another file", shown, key))
			}
		}
	}
	return problems, nil
}

// file is a resolver file's declarations, imports aside: the compiler and
// gofmt see to those.
type file struct {
	header string
	order  []string
	decls  map[string]*decl
}

type decl struct {
	// text is the declaration with its doc comment.
	text string
	// signature is a function's declaration without its body or doc.
	signature string
	// stub: the body is gqlgen's "not implemented" panic, to be written by hand.
	stub bool
}

// parse reads path; a missing file is nil.
func parse(path string) (*file, error) {
	src, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	text := func(from, to token.Pos) string {
		return string(bytes.TrimSpace(src[fset.Position(from).Offset:fset.Position(to).Offset]))
	}
	// The header is everything up to the package clause's end: gqlgen's
	// comments there name its version.
	out := &file{header: text(token.Pos(f.FileStart), f.Name.End()), decls: map[string]*decl{}}
	for _, d := range f.Decls {
		var key string
		var doc *ast.CommentGroup
		item := &decl{}
		switch d := d.(type) {
		case *ast.FuncDecl:
			key, doc = funcKey(d), d.Doc
			if d.Body != nil {
				item.signature = text(d.Pos(), d.Body.Lbrace)
				item.stub = isStub(d.Body)
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			key, doc = genKey(d), d.Doc
		}
		from := d.Pos()
		if doc != nil {
			from = doc.Pos()
		}
		item.text = text(from, d.End())
		if _, dup := out.decls[key]; dup {
			key += fmt.Sprintf(" (again, line %d)", fset.Position(d.Pos()).Line)
		}
		out.order = append(out.order, key)
		out.decls[key] = item
	}
	return out, nil
}

func funcKey(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return "func " + d.Name.Name
	}
	t := d.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return fmt.Sprintf("(*%s).%s", id.Name, d.Name.Name)
	}
	return d.Name.Name
}

func genKey(d *ast.GenDecl) string {
	var names []string
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			names = append(names, s.Name.Name)
		case *ast.ValueSpec:
			for _, n := range s.Names {
				names = append(names, n.Name)
			}
		}
	}
	return d.Tok.String() + " " + strings.Join(names, ", ")
}

// isStub reports whether body is gqlgen's
// panic(fmt.Errorf("not implemented: ...")).
func isStub(body *ast.BlockStmt) bool {
	if len(body.List) != 1 {
		return false
	}
	stmt, ok := body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := stmt.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "panic" {
		return false
	}
	inner, ok := call.Args[0].(*ast.CallExpr)
	if !ok || len(inner.Args) != 1 {
		return false
	}
	lit, ok := inner.Args[0].(*ast.BasicLit)
	return ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, `"not implemented: `)
}
