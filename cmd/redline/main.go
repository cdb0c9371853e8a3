// Command redline is the Redline server and its administration commands.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: redline <command> [arguments]

commands:
  serve     run the server
  migrate   apply database migrations
  user      manage accounts (user add LOGIN [--name NAME] [--admin])
  token     manage API tokens (token create LOGIN [--label L])
  role      grant or revoke a role (role grant|revoke LOGIN ROLE DOCUMENT)
  verify    re-read every stored text and check its hash (verify [--gc] [--log ACKS])
  diff      redline between two files (diff OLD NEW [--mode] [--format])
  keygen    write a new adoption signing key (keygen [--out FILE])
  verify-adoption  check a downloaded text against its signed statement (verify-adoption FILE STATEMENT SIGNATURE --key|--keys F)
  import    import a .docx or .odt as a document or a revision (import FILE --document SLUG --as LOGIN [--base N])
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(args[1:], stdout, stderr)
	case "user":
		return cmdUser(args[1:], stdin, stdout, stderr)
	case "token":
		return cmdToken(args[1:], stdout, stderr)
	case "role":
		return cmdRole(args[1:], stdout, stderr)
	case "verify":
		return cmdVerify(args[1:], stdout, stderr)
	case "diff":
		return cmdDiff(args[1:], stdout, stderr)
	case "keygen":
		return cmdKeygen(args[1:], stdout, stderr)
	case "verify-adoption":
		return cmdVerifyAdoption(args[1:], stdout, stderr)
	case "import":
		return cmdImport(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "redline: unknown command %q\n\n%s", args[0], usage)
	return 2
}
