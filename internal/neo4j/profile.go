package neo4j

import (
	"context"
	"slices"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Profile collects what the statements of one request cost the database:
// a request whose context carries one has every statement it sends run
// under PROFILE, which executes it as usual and reports, per operator of
// the plan, how often it touched the store (db hits) and how many rows it
// produced.
type Profile struct {
	mu         sync.Mutex
	statements []Profiled
}

// Profiled is one statement as it ran, with its cost.
type Profiled struct {
	Cypher string
	Params map[string]any
	// DBHits is the sum over every operator of the plan, nested
	// subqueries included.
	DBHits int64
	// Rows is the number of rows the statement returned.
	Rows int64
}

type profileKey struct{}

// WithProfile returns ctx with a new Profile that every statement run with
// it is recorded in.
func WithProfile(ctx context.Context) (context.Context, *Profile) {
	p := &Profile{}
	return context.WithValue(ctx, profileKey{}, p), p
}

// Statements returns what was recorded, in the order the statements ran.
func (p *Profile) Statements() []Profiled {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.statements)
}

// DBHits is the total of every recorded statement.
func (p *Profile) DBHits() int64 {
	var n int64
	for _, s := range p.Statements() {
		n += s.DBHits
	}
	return n
}

func profileFrom(ctx context.Context) *Profile {
	p, _ := ctx.Value(profileKey{}).(*Profile)
	return p
}

// runProfiled runs cypher under PROFILE and records its cost in p.
func runProfiled(ctx context.Context, p *Profile, run func(string) (neo4j.ResultWithContext, error), cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := run("PROFILE " + cypher)
	if err != nil {
		return nil, err
	}
	records, err := res.Collect(ctx)
	if err != nil {
		return nil, err
	}
	summary, err := res.Consume(ctx)
	if err != nil {
		return nil, err
	}
	s := Profiled{Cypher: cypher, Params: params, Rows: int64(len(records))}
	if plan := summary.Profile(); plan != nil {
		s.DBHits = dbHits(plan)
	}
	p.mu.Lock()
	p.statements = append(p.statements, s)
	p.mu.Unlock()
	return records, nil
}

func dbHits(plan neo4j.ProfiledPlan) int64 {
	n := plan.DbHits()
	for _, c := range plan.Children() {
		n += dbHits(c)
	}
	return n
}
