package reliability

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// The kinds of operation on a document's revision log that RevisionLog
// knows.
const (
	LogCommit = "commit" // a compare-and-set on the head: Base is the head the client saw
	LogHead   = "head"   // a read of the head's number and hash
	LogList   = "list"   // a read of the newest revisions' hashes (up to 20)
	LogText   = "text"   // a read of revision Base's text, by its hash
)

// LogInput is what a client asked of one document's revision log, in
// porcupine's terms.
type LogInput struct {
	Doc    string
	Kind   string // one of the Log* kinds
	Base   int64  // commit: the head the client saw; text: the revision read
	SHA256 string // commit: the text's hash
}

// LogOutput is what the client was answered.
type LogOutput struct {
	OK      bool     // commit: committed; reads: answered
	N       int64    // commit: the new revision, or the head a 409 named; head: the head
	SHA256  string   // head or text: the hash read
	SHA256s []string // list: hashes of the newest revisions, newest first
}

// logState is a document's revision log as a persistent list, newest first,
// so Step stays pure and cheap.
type logState struct {
	n    int64
	sum  string
	prev *logState
}

// RevisionLog is the sequential specification of a document's revisions,
// for porcupine: a commit on base = head appends and succeeds, a commit on
// another base is refused naming the head, and every read returns the log
// as it stands (a prefix of what it will be). Operations are LogInput and
// LogOutput; histories are partitioned by document.
var RevisionLog = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		var order []string
		for _, op := range h {
			d := op.Input.(LogInput).Doc
			if _, ok := by[d]; !ok {
				order = append(order, d)
			}
			by[d] = append(by[d], op)
		}
		out := make([][]porcupine.Operation, 0, len(order))
		for _, d := range order {
			out = append(out, by[d])
		}
		return out
	},
	Init: func() any { return (*logState)(nil) },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(*logState), input.(LogInput), output.(LogOutput)
		head, headSum := int64(0), ""
		if s != nil {
			head, headSum = s.n, s.sum
		}
		switch in.Kind {
		case LogCommit:
			if out.OK {
				if in.Base != head || out.N != head+1 {
					return false, s
				}
				return true, &logState{n: head + 1, sum: in.SHA256, prev: s}
			}
			return in.Base != head && out.N == head, s
		case LogHead:
			return out.N == head && out.SHA256 == headSum, s
		case LogText:
			for p := s; p != nil; p = p.prev {
				if p.n == in.Base {
					return out.SHA256 == p.sum, s
				}
			}
			return false, s
		case LogList:
			p := s
			for _, sum := range out.SHA256s {
				if p == nil || p.sum != sum {
					return false, s
				}
				p = p.prev
			}
			return len(out.SHA256s) == min(int(head), 20), s
		}
		return false, s
	},
	Equal: func(a, b any) bool {
		x, y := a.(*logState), b.(*logState)
		if x == nil || y == nil {
			return x == y
		}
		return x.n == y.n && x.sum == y.sum // revisions are content-addressed and numbered: n and head hash fix the log here
	},
	DescribeOperation: func(input, output any) string { return fmt.Sprintf("%+v -> %+v", input, output) },
}
