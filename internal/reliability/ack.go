// Package reliability checks Redline's promises after the fact: given the
// stores and a client's log of acknowledged operations, Check reports every
// acknowledged write that is lost and every stored state that breaks an
// invariant (a revision without its text, a forked head chain, an approval by
// someone who was not chair, an adoption without the quorum of chairs current
// at its moment or without its archive copy, adoptions that went backwards, a
// final document changed before a recorded reopening, a broken audit chain, a
// change without its event, a comment lost or with an anchor that names other
// text).
package reliability

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// Operations an Ack can record.
const (
	OpDocument = "document" // a document was created (Number 1 and SHA256 when it had a text)
	OpCommit   = "commit"   // revision Number with SHA256 was committed
	OpMerge    = "merge"    // proposal Proposal was merged as revision Number with SHA256
	OpProposal = "proposal" // proposal Number with SHA256 was filed
	OpApproval = "approval" // Login approved revision Number with SHA256
	OpAdoption = "adoption" // adoption Adoption of revision Number with SHA256 at Stage
	OpComment  = "comment"  // comment Comment on revision Number (or proposal Proposal)
	OpReopen   = "reopen"   // the final adoption Adoption was reopened
)

// Ack is one operation a client saw acknowledged (a 2xx answer): what the
// server promised to keep. It is one JSON object per line in an ack log.
type Ack struct {
	Op       string `json:"op"`
	Doc      string `json:"doc"` // the document's slug
	Number   int64  `json:"number,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Login    string `json:"login,omitempty"` // who acted, where it matters (approvals)
	Proposal int64  `json:"proposal,omitempty"`
	Adoption int64  `json:"adoption,omitempty"` // 0: any adoption of Number with SHA256 at Stage
	Stage    string `json:"stage,omitempty"`
	Comment  int64  `json:"comment,omitempty"`
}

// ReadAcks reads an ack log: JSON lines, blank lines skipped. A torn last
// line (a client killed mid-write) is an error like any other malformed one.
func ReadAcks(r io.Reader) ([]Ack, error) {
	var acks []Ack
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var a Ack
		if err := json.Unmarshal(b, &a); err != nil {
			return nil, fmt.Errorf("ack log line %d: %w", line, err)
		}
		if a.Op == "" || a.Doc == "" {
			return nil, fmt.Errorf("ack log line %d: op and doc are required", line)
		}
		acks = append(acks, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read ack log: %w", err)
	}
	return acks, nil
}

// ReadAckFile reads the ack log in the named file.
func ReadAckFile(name string) ([]Ack, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open ack log: %w", err)
	}
	defer f.Close()
	return ReadAcks(f)
}

// AckLog records acknowledged operations, safe for concurrent use; it keeps
// them in memory and, when it has a writer, writes each as a JSON line.
type AckLog struct {
	mu   sync.Mutex
	w    io.Writer
	acks []Ack
	err  error
}

// NewAckLog returns a log writing to w (nil: memory only).
func NewAckLog(w io.Writer) *AckLog { return &AckLog{w: w} }

// Add records a.
func (l *AckLog) Add(a Ack) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, a)
	if l.w == nil || l.err != nil {
		return
	}
	b, err := json.Marshal(a)
	if err == nil {
		_, err = l.w.Write(append(b, '\n'))
	}
	l.err = err
}

// Acks returns a copy of what was recorded.
func (l *AckLog) Acks() []Ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Ack(nil), l.acks...)
}

// Err is the first write error, if any.
func (l *AckLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
