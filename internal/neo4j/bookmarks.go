package neo4j

import (
	"context"
	"slices"
	"sync"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Bookmarks gives one request read-your-writes: every session the request
// opens waits until the database has reached the bookmarks the request
// came with and those of the request's own commits, and the bookmarks of
// its last commit are kept for the answer, so that the client's next
// request, through any replica of the API and on any member of a cluster,
// reads at least what this one wrote.
//
// A bookmark names a committed transaction; Neo4j makes a transaction
// begun with bookmarks wait until the database it runs on has applied
// them (up to db.transaction.bookmark_ready_timeout, 30 s by default).
type Bookmarks struct {
	mu sync.Mutex
	// after is what a new session waits for: the bookmarks sent and those
	// of every commit of the request.
	after []string
	// last are the bookmarks of the request's last commit. The session of
	// that commit waited for every earlier one, so they cover all of them.
	last []string
}

type bookmarksKey struct{}

// WithBookmarks returns ctx with a new Bookmarks that the sessions opened
// with it wait for sent and record their commits in.
func WithBookmarks(ctx context.Context, sent []string) (context.Context, *Bookmarks) {
	b := &Bookmarks{after: slices.Clone(sent)}
	return context.WithValue(ctx, bookmarksKey{}, b), b
}

// Written returns the bookmarks of the request's last committed write, or
// nil when it committed none.
func (b *Bookmarks) Written() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.last)
}

func bookmarksFrom(ctx context.Context) *Bookmarks {
	b, _ := ctx.Value(bookmarksKey{}).(*Bookmarks)
	return b
}

// sessionConfig is the configuration of a session opened for ctx.
func (c *Client) sessionConfig(ctx context.Context, mode neo4j.AccessMode) neo4j.SessionConfig {
	cfg := neo4j.SessionConfig{DatabaseName: c.database, AccessMode: mode}
	if b := bookmarksFrom(ctx); b != nil {
		b.mu.Lock()
		if len(b.after) > 0 {
			cfg.Bookmarks = neo4j.BookmarksFromRawValues(b.after...)
		}
		b.mu.Unlock()
	}
	return cfg
}

// committed records the bookmarks of a write session's commit in ctx's
// Bookmarks, if it has one.
func committed(ctx context.Context, session neo4j.SessionWithContext) {
	b := bookmarksFrom(ctx)
	if b == nil {
		return
	}
	last := neo4j.BookmarksToRawValues(session.LastBookmarks())
	if len(last) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = last
	for _, bm := range last {
		if !slices.Contains(b.after, bm) {
			b.after = append(b.after, bm)
		}
	}
}
