package kg

import (
	"io"
	"strconv"
)

// Direction says which way a hop's relationship points, seen from the path.
type Direction string

const (
	// Forward: the relationship points from the hop's From to its To.
	Forward Direction = "FORWARD"
	// Backward: it points from the hop's To back to its From.
	Backward Direction = "BACKWARD"
)

// MarshalGQL writes the direction as its enum value.
func (d Direction) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads an enum value.
func (d *Direction) UnmarshalGQL(v any) error {
	return readEnum(d, v, "HopDirection", Forward, Backward)
}

// Hop is one step of a path: the relationship walked, from one node to the next.
type Hop struct {
	From         Node      `json:"from"`
	To           Node      `json:"to"`
	Direction    Direction `json:"direction"`
	Relationship Edge      `json:"relationship"`
}

// Path is a walk from one entity to another.
type Path struct {
	// Length is the number of hops.
	Length int64  `json:"length"`
	Nodes  []Node `json:"nodes"`
	Hops   []Hop  `json:"hops"`
}
