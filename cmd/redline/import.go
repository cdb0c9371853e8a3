package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"redline/internal/convert"
	"redline/internal/drafting"
	"redline/internal/office"
)

const importUsage = `usage: redline import FILE --document SLUG --as LOGIN [--title TITLE] [--base N] [--message TEXT] [--language ru] [--dry-run]

Imports a Word (.docx) or LibreOffice (.odt) file: as a new document SLUG
(without --base; LOGIN must be an administrator), or as the next revision of
SLUG on its head N (--base N; LOGIN must be a chair of SLUG), recorded as made
by LOGIN, exactly as the same import through the web or the API. Numbering is
written out as the reader saw it; what the text cannot carry (pictures,
footnotes, comments …) is listed; a file with pending tracked changes, or one
that is not a document, too large, or hostile, is refused with its reason.
--dry-run prints the text and commits nothing. Reads the same configuration
(REDLINE_*) as serve. Exit status: 0 done, 1 refused, 2 usage.
`

// cmdImport is `redline import FILE --document SLUG …`.
func cmdImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("document", "", "the document's slug")
	as := fs.String("as", "", "the account the document or revision is recorded as made by")
	title := fs.String("title", "", "a new document's title (default: the file's title, else its name)")
	base := fs.Int64("base", -1, "commit as the next revision on this head")
	message := fs.String("message", "", "the revision's description (default: imported from FILE)")
	lang := fs.String("language", "", "a new document's language (default ru)")
	dry := fs.Bool("dry-run", false, "print the text and what was ignored; commit nothing")
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, importUsage)
		return 0
	}
	switch {
	case err != nil:
		return importUsageError(stderr, err.Error())
	case len(pos) != 1:
		return importUsageError(stderr, fmt.Sprintf("want 1 file, got %d", len(pos)))
	case *slug == "":
		return importUsageError(stderr, "give --document SLUG")
	case *as == "":
		return importUsageError(stderr, "give --as LOGIN: the account that creates the document or commits the revision")
	}
	name := pos[0]
	f, err := os.Open(name)
	if err != nil {
		fmt.Fprintf(stderr, "redline import: %v\n", err)
		return 1
	}
	defer f.Close()
	var size int64 = -1
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return withApp("import", stderr, func(ctx context.Context, a *app) int {
		user, err := a.svc.UserByLogin(ctx, *as)
		if err != nil {
			if drafting.ErrorKind(err) == drafting.KindNotFound {
				fmt.Fprintf(stderr, "redline import: no account %q (--as)\n", *as)
				return 1
			}
			return fail(stderr, "import", err)
		}
		if *base < 0 {
			if v, err := a.svc.Documents.Get(ctx, &user, *slug); err == nil {
				fmt.Fprintf(stderr, "redline import: refused (slug_taken): document %s exists; give --base %d to commit the file as its next revision\n",
					*slug, headOf(v))
				return 1
			}
		}
		files := convert.New(a.svc, convert.Options{})
		t, err := files.Prepare(ctx, &user, *slug)
		if err != nil {
			return refused(stderr, err)
		}
		switch {
		case t.Exists && *base < 0:
			fmt.Fprintf(stderr, "redline import: refused (slug_taken): document %s exists; give --base %d to commit the file as its next revision\n",
				*slug, t.Head)
			return 1
		case t.Exists && *base != t.Head:
			fmt.Fprintf(stderr, "redline import: refused (stale_base): the head of %s is revision %d, not %d; nothing was read or committed\n",
				*slug, t.Head, *base)
			return 1
		case !t.Exists && *base >= 0:
			fmt.Fprintf(stderr, "redline import: refused (not_found): there is no document %s; leave out --base to create it\n", *slug)
			return 1
		}
		im, err := files.Import(ctx, t, f, filepath.Base(name), size)
		if err != nil {
			return refused(stderr, err)
		}
		fmt.Fprintf(stdout, "read %s (%s, %d bytes): %d paragraphs, %d bytes of text, sha256 %s\n",
			im.FileName, im.Format, im.Size, im.Paragraphs, len(im.Text), im.SHA256)
		printIgnored(stdout, im.Ignored)
		if *dry {
			fmt.Fprintf(stdout, "dry run: nothing committed; the text follows\n\n%s\n", im.Text)
			return 0
		}
		msg := *message
		if msg == "" {
			msg = "imported from " + im.FileName
		}
		if t.Exists {
			r, err := a.svc.Documents.Commit(ctx, &user, *slug, *base, []byte(im.Text), msg)
			if err != nil {
				return refused(stderr, err)
			}
			fmt.Fprintf(stdout, "committed revision %d of %s (sha256 %s)\n", r.Number, *slug, r.SHA256)
			return 0
		}
		docTitle := *title
		if docTitle == "" {
			docTitle = im.Title
		}
		if docTitle == "" {
			docTitle = strings.TrimSuffix(im.FileName, filepath.Ext(im.FileName))
		}
		v, err := a.svc.Documents.Create(ctx, &user, drafting.NewDocument{Slug: *slug, Title: docTitle, Language: *lang,
			Text: &im.Text, Message: msg})
		if err != nil {
			return refused(stderr, err)
		}
		fmt.Fprintf(stdout, "created document %s (%q) with revision 1 (sha256 %s)\n", v.Slug, v.Title, v.Head.SHA256)
		return 0
	})
}

func headOf(v drafting.DocumentView) int64 {
	if v.Head == nil {
		return 0
	}
	return v.Head.Number
}

func importUsageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "redline import: %s\n\n%s", msg, importUsage)
	return 2
}

// refused prints a refusal with its reason, what a script branches on.
func refused(stderr io.Writer, err error) int {
	var e *drafting.Error
	if !errors.As(err, &e) || drafting.ErrorKind(err) == drafting.KindInternal || drafting.ErrorKind(err) == drafting.KindUnavailable {
		return fail(stderr, "import", err)
	}
	fmt.Fprintf(stderr, "redline import: refused (%s): %s\n", drafting.ErrorReason(err), drafting.ErrorMessage(err))
	return 1
}

// ignoredNames are the kinds of content a text does not carry, in words.
var ignoredNames = map[string][2]string{
	office.IgnoredImage:     {"picture", "pictures"},
	office.IgnoredTextBox:   {"text box", "text boxes"},
	office.IgnoredFootnote:  {"footnote", "footnotes"},
	office.IgnoredEndnote:   {"endnote", "endnotes"},
	office.IgnoredComment:   {"comment", "comments"},
	office.IgnoredEquation:  {"equation", "equations"},
	office.IgnoredObject:    {"embedded object", "embedded objects"},
	office.IgnoredField:     {"field (its text kept)", "fields (their text kept)"},
	office.IgnoredLink:      {"link (its text kept, not its address)", "links (their text kept, not their addresses)"},
	office.IgnoredHeader:    {"page header", "page headers"},
	office.IgnoredFooter:    {"page footer", "page footers"},
	office.IgnoredSymbol:    {"symbol-font character", "symbol-font characters"},
	office.IgnoredFormField: {"form control", "form controls"},
}

func printIgnored(w io.Writer, ig []office.Ignored) {
	if len(ig) == 0 {
		fmt.Fprintln(w, "ignored: nothing; the text carries the whole file")
		return
	}
	fmt.Fprintln(w, "ignored (not in the text):")
	for _, x := range ig {
		n := ignoredNames[x.Kind]
		what := n[1]
		if x.Count == 1 {
			what = n[0]
		}
		if what == "" {
			what = x.Kind
		}
		line := "  " + strconv.Itoa(x.Count) + " " + what
		var ps []string
		for _, p := range x.Paragraphs {
			if p > 0 {
				ps = append(ps, strconv.Itoa(p))
			}
		}
		if len(ps) > 0 {
			line += " in paragraphs " + strings.Join(ps, ", ")
		}
		fmt.Fprintln(w, line)
	}
}
