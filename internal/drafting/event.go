package drafting

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Canonical is the event's bytes that the chain hashes: a JSON-shaped object
// with keys in a fixed order, strings quoted as Go quotes them, times in UTC
// with microseconds, Data as encoding/json writes a map (keys sorted).
// Everything but PrevHash, Hash and the filled-in ActorLogin is covered.
func (e Event) Canonical() []byte {
	// encoding/json sorts map keys, so Data is canonical as it is.
	data, _ := json.Marshal(e.Data)
	if e.Data == nil {
		data = []byte("{}")
	}
	b := make([]byte, 0, 128+len(data))
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `,"document":`...)
	b = strconv.AppendQuote(b, e.DocumentID)
	b = append(b, `,"kind":`...)
	b = strconv.AppendQuote(b, e.Kind)
	b = append(b, `,"actor":`...)
	b = strconv.AppendInt(b, e.ActorID, 10)
	b = append(b, `,"at":`...)
	b = strconv.AppendQuote(b, e.At.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z"))
	b = append(b, `,"data":`...)
	b = append(b, data...)
	b = append(b, '}')
	return b
}

// ChainHash is the hash of e linked after prev (hex; "" for the first).
func ChainHash(prev string, e Event) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// NewEvent builds an event for the store to append.
func NewEvent(kind string, actor *User, documentID string, at time.Time, data map[string]string) Event {
	e := Event{Kind: kind, DocumentID: documentID, At: at.UTC().Truncate(time.Microsecond), Data: data}
	if actor != nil {
		e.ActorID = actor.ID
	}
	return e
}

// ChainVerifier recomputes the audit chain one event at a time, in chain
// order, and keeps its first broken link. It is the one verifier of the
// chain: redline verify and the invariant checker both use it.
type ChainVerifier struct {
	prev   string
	want   int64
	n      int
	broken error
}

// Add checks e as the next event of the chain. It returns the first broken
// link when e is it, and nil otherwise, also for every event after the
// first break (what follows a break is moot).
func (v *ChainVerifier) Add(e Event) error {
	v.n++
	if v.broken != nil {
		return nil
	}
	if v.want == 0 {
		v.want = 1
	}
	switch {
	case e.Seq != v.want:
		v.broken = fmt.Errorf("event %d where %d was expected", e.Seq, v.want)
	case e.PrevHash != v.prev:
		v.broken = fmt.Errorf("event %d: prev_hash does not name event %d", e.Seq, v.want-1)
	case ChainHash(v.prev, e) != e.Hash:
		v.broken = fmt.Errorf("event %d: hash does not match its content", e.Seq)
	default:
		v.prev, v.want = e.Hash, v.want+1
		return nil
	}
	return v.broken
}

// Err is the first broken link, nil while the chain holds.
func (v *ChainVerifier) Err() error { return v.broken }

// Events is how many events were added.
func (v *ChainVerifier) Events() int { return v.n }
