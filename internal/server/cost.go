package server

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/companygraph/companygraph/internal/apierror"
	"github.com/companygraph/companygraph/internal/auth"
	"github.com/companygraph/companygraph/internal/neo4j"
)

// CostHeader asks for a request's cost, as the request extension "cost":
// true does. Only an admin may ask: the report shows the Cypher the
// request compiled to and the values it was sent with.
const CostHeader = "Companygraph-Cost"

// costReport runs the statements of a request that asks for its cost
// under PROFILE and adds to the answer's extensions, under "cost", each
// statement with its parameters, its db hits and its rows, and the total
// db hits.
type costReport struct{}

var _ interface {
	graphql.OperationInterceptor
	graphql.HandlerExtension
} = costReport{}

func (costReport) ExtensionName() string                   { return "Cost" }
func (costReport) Validate(graphql.ExecutableSchema) error { return nil }

func (costReport) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if !costAsked(oc) {
		return next(ctx)
	}
	if err := auth.Check(ctx, auth.Admin); err != nil {
		e, ok := apierror.As(err)
		if !ok || e.Code == apierror.Forbidden {
			e = apierror.New(apierror.Forbidden, "forbidden: only an admin may ask for a request's cost")
		}
		// Refused before execution, and before the error presenter is
		// reachable: the error is written as the presenter would.
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message: e.Message, Extensions: map[string]any{"code": string(e.Code)}}}})
	}
	ctx, profile := neo4j.WithProfile(ctx)
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		if resp == nil {
			return nil
		}
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = costOf(profile)
		return resp
	}
}

// costAsked says whether the request asks for its cost: by the header
// (any value but "0", "false" or "off") or by the extension.
func costAsked(oc *graphql.OperationContext) bool {
	if v, ok := oc.Extensions["cost"].(bool); ok {
		return v
	}
	v := strings.ToLower(strings.TrimSpace(oc.Headers.Get(CostHeader)))
	return v != "" && v != "0" && v != "false" && v != "off"
}

// statementCost is one statement of the report.
type statementCost struct {
	Cypher     string         `json:"cypher"`
	Parameters map[string]any `json:"parameters"`
	DBHits     int64          `json:"dbHits"`
	Rows       int64          `json:"rows"`
}

type cost struct {
	DBHits     int64           `json:"dbHits"`
	Statements []statementCost `json:"statements"`
}

func costOf(p *neo4j.Profile) cost {
	c := cost{Statements: []statementCost{}}
	for _, s := range p.Statements() {
		params := s.Params
		if params == nil {
			params = map[string]any{}
		}
		c.Statements = append(c.Statements, statementCost{Cypher: s.Cypher, Parameters: params, DBHits: s.DBHits, Rows: s.Rows})
		c.DBHits += s.DBHits
	}
	return c
}
