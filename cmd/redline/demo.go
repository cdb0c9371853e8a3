package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"redline/internal/drafting"
	"redline/internal/webui/demo"
)

// seedConference seeds the demo conference's working group and final
// document (on an empty data folder; skipped when the document exists) and
// prints the accounts with the passwords of those it created.
func seedConference(ctx context.Context, svc *drafting.Service, admin string, stdout io.Writer, base string) error {
	u, err := svc.UserByLogin(ctx, admin)
	if err != nil {
		return fmt.Errorf("look up demo admin: %w", err)
	}
	accounts, err := demo.Seed(ctx, svc, &u)
	if errors.Is(err, demo.ErrExists) {
		fmt.Fprintf(stdout, "Demo document: %s/documents/%s (seeded earlier; the accounts' passwords were printed then)\n", base, demo.Slug)
		return nil
	}
	if err != nil {
		return err
	}
	// issue 14: the amendments to the basis, decided with votes.
	if err := demo.SeedAmendments(ctx, svc); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Demo conference «Государственная поддержка инновационных кластеров в городе Москве» (30 November 2011):\n")
	fmt.Fprintf(stdout, "  working group: %s/documents/%s\n  public page:   %s/public/%s\n\n", base, demo.Slug, base, demo.Slug)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  login\trole\tpassword")
	for _, a := range accounts {
		pw := a.Password
		if pw == "" {
			pw = "(existed before)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.Login, a.Role, pw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	return nil
}
