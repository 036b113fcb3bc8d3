package difftest

import (
	"regexp"
	"strconv"
	"sync"
)

// Cursors is what the reference knows of the API's cursors: a cursor is
// an opaque string for a position, learnt from the API's own answers.
// Generated operations name a cursor as "__CURSOR_<position>__", which
// Spell replaces by a string the API gave for that position.
type Cursors struct {
	mu    sync.Mutex
	pos   map[string]int
	spell map[int]string
}

// NewCursors is an empty dictionary.
func NewCursors() *Cursors { return &Cursors{pos: map[string]int{}, spell: map[int]string{}} }

// Learn records that the API spells position p as s. It reports false if s
// was known for another position: the API's cursors are then not positions.
func (c *Cursors) Learn(s string, p int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if q, ok := c.pos[s]; ok {
		return q == p
	}
	c.pos[s] = p
	if _, ok := c.spell[p]; !ok {
		c.spell[p] = s
	}
	return true
}

// Pos is the position cursor s stands for.
func (c *Cursors) Pos(s string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pos[s]
	return p, ok
}

// Max is the largest position with a known spelling.
func (c *Cursors) Max() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := -1
	for p := range c.spell {
		m = max(m, p)
	}
	return m
}

var placeholder = regexp.MustCompile(`__CURSOR_(\d+)__`)

// Spell replaces the cursor placeholders of a query by the API's spelling.
// A position without a known spelling stays as it is, an invalid cursor.
func (c *Cursors) Spell(query string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return placeholder.ReplaceAllStringFunc(query, func(m string) string {
		p, _ := strconv.Atoi(placeholder.FindStringSubmatch(m)[1])
		if s, ok := c.spell[p]; ok {
			return s
		}
		return m
	})
}
