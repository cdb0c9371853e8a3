package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"redline/internal/diffcli"
	"redline/internal/signing"
)

const keygenUsage = `usage: redline keygen [--out FILE] [--comment TEXT]

Writes a new Ed25519 signing key for the secretariat in OpenSSH's format to
FILE (default redline-signing-key; an existing file is never overwritten),
readable only by its owner, and its public key to FILE.pub. Prints the
public key line and its fingerprint. Point REDLINE_SIGNING_KEY_FILE at FILE
to sign every adoption. Exit status: 0 on success, 1 when the key cannot be
written, 2 on usage errors.
`

// cmdKeygen writes a new signing key: `redline keygen [--out FILE]`.
func cmdKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "redline-signing-key", "file to write the private key to")
	comment := fs.String("comment", "redline secretariat "+time.Now().UTC().Format(time.DateOnly), "the key's comment")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, keygenUsage)
		return 0
	}
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err != nil || *out == "" {
		fmt.Fprintf(stderr, "redline keygen: %v\n\n%s", err, keygenUsage)
		return 2
	}
	pemBytes, key, err := signing.Generate(*comment)
	if err != nil {
		fmt.Fprintf(stderr, "redline keygen: %v\n", err)
		return 1
	}
	pubLine := key.AuthorizedKey() + " " + *comment
	if _, err := os.Stat(*out + ".pub"); err == nil {
		fmt.Fprintf(stderr, "redline keygen: %s.pub exists; choose another --out\n", *out)
		return 1
	}
	if err := signing.WritePrivateKey(*out, pemBytes); err != nil {
		fmt.Fprintf(stderr, "redline keygen: %v (an existing key is never overwritten)\n", err)
		return 1
	}
	if err := os.WriteFile(*out+".pub", []byte(pubLine+"\n"), 0o644); err != nil {
		fmt.Fprintf(stderr, "redline keygen: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, pubLine)
	fmt.Fprintln(stdout, key.Fingerprint)
	fmt.Fprintf(stderr, "Wrote the private key to %s (mode 0600) and the public key to %s.pub.\n"+
		"Set REDLINE_SIGNING_KEY_FILE=%s to sign adoptions; keep a copy of the private key offline.\n", *out, *out, *out)
	return 0
}

const verifyAdoptionUsage = `usage: redline verify-adoption FILE STATEMENT SIGNATURE (--key PUBFILE | --keys ALLOWED_SIGNERS) [--previous STATEMENT]

Checks an adopted text downloaded from Redline's public page: that FILE's
SHA-256 and size are the ones the adoption STATEMENT names, that SIGNATURE
is a valid SSHSIG signature of STATEMENT (namespace "redline") by the key in
PUBFILE or one of the keys in ALLOWED_SIGNERS (as published at
/.well-known/redline-keys), and that the key was valid when the statement
was signed. With --previous, also that STATEMENT follows that previous
adoption statement of the same document. It does what
  ssh-keygen -Y verify -f ALLOWED_SIGNERS -I redline -n redline -s SIGNATURE -O verify-time=SIGNED_AT < STATEMENT
  sha256sum FILE
do, and reads the statement. Flags may come before or after the files.
Exit status: 0 when everything checks, 1 when something does not (the line
says what), 2 on usage errors.
`

// cmdVerifyAdoption checks a downloaded text, its statement and signature.
func cmdVerifyAdoption(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify-adoption", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	keyFile := fs.String("key", "", "the public key to trust (a file with one ssh-ed25519 line)")
	keysFile := fs.String("keys", "", "the allowed_signers file of the published keys")
	previous := fs.String("previous", "", "the previous adoption statement of the document")
	files, err := diffcli.ParseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, verifyAdoptionUsage)
		return 0
	}
	usage := func(msg string) int {
		fmt.Fprintf(stderr, "redline verify-adoption: %s\n\n%s", msg, verifyAdoptionUsage)
		return 2
	}
	switch {
	case err != nil:
		return usage(err.Error())
	case len(files) != 3:
		return usage(fmt.Sprintf("want FILE STATEMENT SIGNATURE, got %d file(s)", len(files)))
	case (*keyFile == "") == (*keysFile == ""):
		return usage("give the key to trust: --key PUBFILE or --keys ALLOWED_SIGNERS (one of them)")
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "FAILED: "+format+"\n", a...)
		return 1
	}
	var keys *signing.Keyring
	if *keyFile != "" {
		keys, err = signing.LoadKeyring([]string{*keyFile})
	} else {
		var data []byte
		if data, err = readLimited(*keysFile, 1<<20); err == nil {
			keys, err = signing.ParseAllowedSigners(data)
		}
	}
	if err != nil {
		return fail("the keys: %v", err)
	}
	statement, err := readLimited(files[1], 64<<10)
	if err != nil {
		return fail("the statement: %v", err)
	}
	signature, err := readLimited(files[2], 16<<10)
	if err != nil {
		return fail("the signature: %v", err)
	}
	st, key, err := signing.Verify(statement, signature, keys)
	if err != nil {
		return fail("%s: %v", files[1], err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fail("%v", err)
	}
	err = signing.VerifyTextFrom(st, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fail("%s: %v", files[0], err)
	}
	chain := ""
	if *previous != "" {
		prevBytes, err := readLimited(*previous, 64<<10)
		if err != nil {
			return fail("the previous statement: %v", err)
		}
		prev, err := signing.ParseStatement(prevBytes)
		if err != nil {
			return fail("%s: %v", *previous, err)
		}
		if err := signing.Follows(st, prev, prevBytes); err != nil {
			return fail("%v", err)
		}
		chain = fmt.Sprintf("; follows adoption %d (%s)", prev.Adoption, *previous)
	}
	later := ""
	if st.SignedLater {
		later = fmt.Sprintf(", signed later at %s", st.SignedAt.UTC().Format(time.RFC3339))
	}
	votes := ""
	if st.Votes != nil {
		votes = fmt.Sprintf(", vote %d for, %d against, %d abstained", st.Votes.For, st.Votes.Against, st.Votes.Abstained)
	}
	fmt.Fprintf(stdout, "OK: %s is revision %d of %q («%s»), adopted (%s) at %s as adoption %d%s; SHA-256 %s; signed by %s (valid %s)%s%s\n",
		files[0], st.Revision, st.Document, st.Title, st.Stage, st.AdoptedAt.UTC().Format(time.RFC3339), st.Adoption, votes,
		st.SHA256, key.Fingerprint, key.Period(), later, chain)
	return 0
}

// readLimited reads a file that should be small, refusing a larger one.
func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	if strings.TrimSpace(string(b)) == "" {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return b, nil
}
