package main

import (
	"context"
	"fmt"
	"io"

	"redline/internal/reliability"
)

// verifyInvariants runs the invariant checker over a's stores with the ack
// log in the named file, prints each violation and a summary line, and
// reports whether there was any.
func verifyInvariants(ctx context.Context, a *app, name string, stdout io.Writer) (bool, error) {
	acks, err := reliability.ReadAckFile(name)
	if err != nil {
		return false, fmt.Errorf("--log: %w", err)
	}
	rep, err := reliability.Check(ctx, a.db, a.blobs, acks)
	if err != nil {
		return false, err
	}
	for _, v := range rep.Violations {
		fmt.Fprintf(stdout, "violation\t%s\t%s\t%s\n", v.Invariant, v.Doc, v.Detail)
	}
	fmt.Fprintf(stdout, "invariants: %d acknowledged operations, %d documents, %d revisions, %d proposals, %d approvals, %d adoptions, %d comments, %d events: %d violations\n",
		rep.Acks, rep.Documents, rep.Revisions, rep.Proposals, rep.Approvals, rep.Adoptions, rep.Comments, rep.Events, len(rep.Violations))
	return len(rep.Violations) > 0, nil
}
