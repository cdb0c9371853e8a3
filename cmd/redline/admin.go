package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"redline/internal/auth"
	"redline/internal/drafting"
)

// parseInterleaved parses fs over args where flags may follow positional
// arguments, returning the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func withApp(cmd string, stderr io.Writer, f func(ctx context.Context, a *app) int) int {
	cfg, err := loadConfig(nil, nil)
	if err != nil {
		fmt.Fprintf(stderr, "redline %s: bad configuration:\n%v\n", cmd, err)
		return 2
	}
	ctx := context.Background()
	a, err := open(ctx, cfg, io.Discard, drafting.Hooks{})
	if err != nil {
		return fail(stderr, cmd, err)
	}
	defer a.Close()
	return f(ctx, a)
}

func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: redline migrate")
		return 2
	}
	// open applies the migrations.
	return withApp("migrate", stderr, func(ctx context.Context, a *app) int {
		fmt.Fprintf(stdout, "database is up to date (%s)\n", a.db.Dialect())
		return 0
	})
}

func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	const usageUser = "usage: redline user add LOGIN [--name NAME] [--admin]   (password on standard input)"
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, usageUser)
		return 2
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "display name")
	admin := fs.Bool("admin", false, "make the account an administrator")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, usageUser)
		return 2
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return fail(stderr, "user add", err)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return fail(stderr, "user add", err)
	}
	return withApp("user add", stderr, func(ctx context.Context, a *app) int {
		u, err := a.op.CreateUser(ctx, drafting.NewUser{Login: pos[0], DisplayName: *name, PasswordHash: hash, Admin: *admin})
		if err != nil {
			return fail(stderr, "user add", err)
		}
		fmt.Fprintf(stdout, "created user %s (id %d, admin %t)\n", u.Login, u.ID, u.Admin)
		return 0
	})
}

// readPassword reads one line from r: the password, never an argument, so
// it stays out of the process list and shell history.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("give the password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | redline user add …")
	}
	return line, nil
}

func cmdToken(args []string, stdout, stderr io.Writer) int {
	const usageToken = "usage: redline token create LOGIN [--label LABEL]"
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, usageToken)
		return 2
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	label := fs.String("label", "", "what the token is for")
	pos, err := parseInterleaved(fs, args[1:])
	if err != nil || len(pos) != 1 {
		fmt.Fprintln(stderr, usageToken)
		return 2
	}
	return withApp("token create", stderr, func(ctx context.Context, a *app) int {
		token, hash, err := auth.NewToken()
		if err != nil {
			return fail(stderr, "token create", err)
		}
		if _, err := a.op.CreateToken(ctx, pos[0], *label, hash); err != nil {
			return fail(stderr, "token create", err)
		}
		fmt.Fprintln(stdout, token)
		return 0
	})
}

func cmdVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gc := fs.Bool("gc", false, "remove orphan blobs (run while no commit is in flight)")
	ackLog := fs.String("log", "", "also check every invariant, and that each operation acknowledged in this JSON-lines ack log is kept")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: redline verify [--gc] [--log FILE]")
		return 2
	}
	return withApp("verify", stderr, func(ctx context.Context, a *app) int {
		rep, err := a.op.Verify(ctx, *gc, func(n int) { fmt.Fprintf(stderr, "checked %d revisions…\n", n) })
		if err != nil {
			return fail(stderr, "verify", err)
		}
		for _, p := range rep.Problems {
			switch {
			case p.Revision != nil:
				fmt.Fprintf(stdout, "%s\trevision %d of document %s\t%s\n", p.Kind, p.Revision.Number, p.Revision.DocumentID, p.Key)
			case p.Err != nil:
				fmt.Fprintf(stdout, "%s\t%s\t%v\n", p.Kind, p.Key, p.Err)
			default:
				fmt.Fprintf(stdout, "%s\t%s\n", p.Kind, p.Key)
			}
		}
		fmt.Fprintf(stdout, "checked %d revisions and %d events: %d problems", rep.Revisions, rep.Events, len(rep.Problems))
		if *gc {
			fmt.Fprintf(stdout, ", %d orphans removed", rep.Removed)
		}
		fmt.Fprintln(stdout)
		bad := rep.Bad()
		if *ackLog != "" {
			violated, err := verifyInvariants(ctx, a, *ackLog, stdout)
			if err != nil {
				return fail(stderr, "verify", err)
			}
			bad = bad || violated
		}
		if bad {
			return 1
		}
		return 0
	})
}

func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func cmdRole(args []string, stdout, stderr io.Writer) int {
	const usageRole = "usage: redline role grant|revoke LOGIN ROLE DOCUMENT   (ROLE: chair, member or observer; DOCUMENT: its slug)"
	if len(args) != 4 || (args[0] != "grant" && args[0] != "revoke") {
		fmt.Fprintln(stderr, usageRole)
		return 2
	}
	verb, login, role, slug := args[0], args[1], args[2], args[3]
	return withApp("role "+verb, stderr, func(ctx context.Context, a *app) int {
		var err error
		if verb == "grant" {
			_, err = a.op.GrantRole(ctx, login, role, slug)
		} else {
			err = a.op.RevokeRole(ctx, login, role, slug)
		}
		if err != nil {
			return fail(stderr, "role "+verb, err)
		}
		if verb == "grant" {
			fmt.Fprintf(stdout, "%s is now %s of %s\n", login, role, slug)
		} else {
			fmt.Fprintf(stdout, "%s is no longer %s of %s\n", login, role, slug)
		}
		return 0
	})
}
