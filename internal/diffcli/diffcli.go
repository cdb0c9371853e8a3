// Package diffcli is the `redline diff` command: the redline between two
// files, printed. It imports nothing but the standard library and the engine,
// so a binary that links only it starts in a few milliseconds (see
// cmd/redline-cli).
package diffcli

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"redline/internal/textdiff"
)

// Usage is the command's help text.
const Usage = `usage: redline diff OLD_FILE NEW_FILE [--mode word|char|line] [--format unified|json|html|html-side]

Prints the redline between two UTF-8 text files, paragraph by paragraph:
moved and renumbered paragraphs are reported as such, changed paragraphs are
diffed by word (default), character, or not at all (line). Flags may come
before or after the files. Exit status: 0 on success (whether or not the files
differ), 1 when a file cannot be read or is not valid UTF-8, 2 on usage errors.
`

// maxDiffFileBytes bounds each file: the engine counts offsets in int32.
const maxDiffFileBytes = 1 << 30

// Run runs the redline engine on two files: `redline diff OLD NEW`, with
// args the arguments after "diff". It returns the exit status.
func Run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported below, with the usage
	mode := fs.String("mode", "word", "diff granularity: word, char or line")
	format := fs.String("format", "unified", "output format: unified, json, html or html-side")
	files, err := ParseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, Usage)
		return 0
	}
	if err != nil {
		return usageError(stderr, err.Error())
	}
	if len(files) != 2 {
		return usageError(stderr, fmt.Sprintf("want 2 files, got %d", len(files)))
	}
	m, err := textdiff.ParseMode(*mode)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	// The CLI's default is the unified diff, so an empty --format means that
	// too rather than textdiff's JSON default.
	if *format == "" {
		*format = string(textdiff.FormatUnified)
	}
	f, err := textdiff.ParseFormat(*format)
	if err != nil {
		return usageError(stderr, err.Error())
	}

	// The collector runs at Go's default growth (GOGC=100). It ran at 50
	// while the engine's peak was near twice git's; with the engine's memory
	// cut since, 100 gives back that CPU (legal corpus, 5 interleaved runs:
	// 0.97× → 0.90× git's time) at a peak of 1.12× git's (dictionaries:
	// 1.02×); 200 gained little more and reached 1.30× on the dictionaries.

	var (
		texts [2]string
		valid [2]bool
		wg    sync.WaitGroup
	)
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "redline diff: %v\n", err)
			return 1
		}
		if len(b) > maxDiffFileBytes {
			fmt.Fprintf(stderr, "redline diff: %s: %d bytes, over the %d the engine diffs\n", name, len(b), maxDiffFileBytes)
			return 1
		}
		// Line ends are not content: CRLF against LF is no change. The
		// bytes are ours, so they are normalised where they lie (the
		// engine's NormalizeNewlines copies the whole text), and never
		// written again after: a string over them spares a copy of each file
		// (megabytes of peak memory on large texts). Dropping a CR before an
		// LF cannot make valid UTF-8 invalid or invalid valid.
		b = crlfToLF(b)
		texts[i] = unsafe.String(unsafe.SliceData(b), len(b))
		// Checking UTF-8 is a good part of the run time on large files: check
		// the first file while reading the second.
		wg.Go(func() { valid[i] = utf8.ValidString(texts[i]) })
	}
	wg.Wait()
	for i, name := range files {
		if !valid[i] {
			line, col := invalidUTF8At([]byte(texts[i]))
			fmt.Fprintf(stderr, "redline diff: %s: not valid UTF-8 (line %d, byte %d of the line); convert it to UTF-8 first\n", name, line, col)
			return 1
		}
	}

	r := textdiff.Diff(texts[0], texts[1], textdiff.Options{Mode: m})
	if r.Degraded {
		fmt.Fprintf(stderr, "redline diff: warning: parts shown more coarsely than asked: %s\n", r.DegradedReason)
	}
	out := bufio.NewWriterSize(stdout, 256<<10)
	if err := textdiff.Render(out, r, f, files[0], files[1]); err != nil {
		fmt.Fprintf(stderr, "redline diff: write: %v\n", err)
		return 1
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "redline diff: write: %v\n", err)
		return 1
	}
	return 0
}

// ParseInterspersed parses flags that may come before, between or after the
// positional arguments (flag.FlagSet stops at the first positional one), and
// returns the positional arguments. Everything after "--" is positional. The
// server binary's commands parse their arguments with it too.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		// flag.Parse consumed a "--" if it stopped there: then the rest is
		// positional as it is.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "redline diff: %s\n\n%s", msg, Usage)
	return 2
}

// invalidUTF8At returns the 1-based line and byte-in-line of the first
// invalid UTF-8 sequence in b.
func invalidUTF8At(b []byte) (line, col int) {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	prefix := string(b[:i])
	line = strings.Count(prefix, "\n") + 1
	col = i - strings.LastIndexByte(prefix, '\n')
	return line, col
}

// crlfToLF rewrites every CR LF in b as LF, in place, as
// textdiff.NormalizeNewlines does for a string, and returns the shortened b.
func crlfToLF(b []byte) []byte {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return b
	}
	w := i
	for i < len(b) {
		j := bytes.Index(b[i+1:], []byte("\r\n"))
		end := len(b)
		if j >= 0 {
			end = i + 1 + j
		}
		// b[i] is the CR of a CR LF: keep what follows it up to the next.
		w += copy(b[w:], b[i+1:end])
		i = end
	}
	return b[:w]
}
