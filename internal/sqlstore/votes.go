package sqlstore

import (
	"database/sql"
	"encoding/json"

	"redline/internal/drafting"
)

// voteCols scans the three nullable counts of a vote (issue 14); all NULL is
// no vote.
type voteCols struct {
	f, a, ab sql.NullInt64
}

func (v *voteCols) dest() []any { return []any{&v.f, &v.a, &v.ab} }

func (v *voteCols) vote() *drafting.Vote {
	if !v.f.Valid || !v.a.Valid || !v.ab.Valid {
		return nil
	}
	return &drafting.Vote{For: int(v.f.Int64), Against: int(v.a.Int64), Abstained: int(v.ab.Int64)}
}

// voteArgs are a vote's three counts as query arguments, NULL for none.
func voteArgs(v *drafting.Vote) []any {
	if v == nil {
		return []any{nil, nil, nil}
	}
	return []any{int64(v.For), int64(v.Against), int64(v.Abstained)}
}

// itemsArg is a proposal's touched items as the JSON array stored.
func itemsArg(items []drafting.ItemRef) string {
	if items == nil {
		items = []drafting.ItemRef{}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return "[]" // strings always marshal
	}
	return string(b)
}

// itemsCol scans the JSON array of a proposal's touched items.
type itemsCol struct{ p *[]drafting.ItemRef }

func (c itemsCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*c.p = nil
		return nil
	}
	var out []drafting.ItemRef
	if err := json.Unmarshal(b, &out); err != nil {
		return err
	}
	if len(out) == 0 {
		out = nil
	}
	*c.p = out
	return nil
}
