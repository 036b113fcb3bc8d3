package query

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Selects reports whether the field being resolved in ctx selects, at any
// depth below it, a field called name: a @custom resolver asks it to leave
// out of its statement what the answer will not show. Without a field
// being resolved it says true, so a caller that cannot tell reads
// everything.
func Selects(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return true
	}
	return selects(fc.Field.Selections, name)
}

func selects(set ast.SelectionSet, name string) bool {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == name || selects(s.SelectionSet, name) {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name) {
				return true
			}
		case *ast.FragmentSpread:
			// Validation has resolved the fragment and refused cycles.
			if s.Definition == nil || selects(s.Definition.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}
