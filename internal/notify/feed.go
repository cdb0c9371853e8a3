package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// AtomFeed is an Atom 1.0 feed (RFC 4287) as WriteFeed writes it.
type AtomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"xml:lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     AtomText    `xml:"title"`
	Subtitle  *AtomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []AtomLink  `xml:"link"`
	Author    AtomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []AtomEntry `xml:"entry"`
}

// AtomText is a plain-text construct.
type AtomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// AtomLink is a link.
type AtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

// AtomPerson is an author.
type AtomPerson struct {
	Name string `xml:"name"`
}

// AtomEntry is one entry.
type AtomEntry struct {
	ID      string     `xml:"id"`
	Title   AtomText   `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []AtomLink `xml:"link"`
	Summary AtomText   `xml:"summary"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// WriteFeed writes f as an XML document.
func WriteFeed(w io.Writer, f AtomFeed) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("notify: encode feed: %w", err)
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// feedEntries is how many items a feed shows.
const feedEntries = 50

// Feed builds the Atom feed of the account a feed token names: its newest
// items in the documents it may still read. ErrBadToken for a token that
// is not a current feed token, ErrNotFound for an account that is gone.
func (n *Notifier) Feed(ctx context.Context, token string) (AtomFeed, error) {
	t, err := n.render.Signer.Verify(token)
	if err != nil || t.Purpose != Feed {
		return AtomFeed{}, ErrBadToken
	}
	acc, err := n.dir.Account(ctx, t.User)
	if err != nil {
		return AtomFeed{}, err
	}
	if acc.FeedGen != t.Gen {
		return AtomFeed{}, ErrBadToken // the address was reset
	}
	items, err := n.store.Feed(ctx, acc.ID, feedEntries)
	if err != nil {
		return AtomFeed{}, fmt.Errorf("notify feed of %d: %w", acc.ID, err)
	}
	lang := Lang(acc.Lang)
	name := acc.Name
	if name == "" {
		name = acc.Login
	}
	self := n.render.Links.Feed(token)
	f := AtomFeed{
		Lang:      lang,
		ID:        n.render.Links.Base + "/feeds/user-" + strconv.FormatInt(acc.ID, 10),
		Title:     AtomText{"text", tr(lang, "feed.title", name)},
		Subtitle:  &AtomText{"text", tr(lang, "feed.subtitle")},
		Links:     []AtomLink{{Href: self, Rel: "self", Type: "application/atom+xml"}, {Href: n.render.Links.Base + "/", Rel: "alternate", Type: "text/html"}},
		Author:    AtomPerson{"Redline"},
		Generator: "Redline",
		Updated:   atomTime(time.Unix(0, 0)),
	}
	docs := map[string]*DocInfo{}
	for _, it := range items {
		d, seen := docs[it.Document]
		if !seen {
			d = nil
			if _, ok, err := n.dir.Recipient(ctx, it.Document, acc.ID); err != nil {
				return AtomFeed{}, err
			} else if ok {
				info, err := n.dir.Document(ctx, it.Document)
				if err != nil && !errors.Is(err, ErrNotFound) {
					return AtomFeed{}, err
				}
				if err == nil {
					d = &info
				}
			}
			docs[it.Document] = d
		}
		if d == nil {
			continue // no longer theirs to read
		}
		at := it.Event.Data.At
		if len(f.Entries) == 0 {
			f.Updated = atomTime(at)
		}
		text := describe(lang, it)
		f.Entries = append(f.Entries, AtomEntry{
			ID:      n.render.Links.Log(d.Slug) + "#e" + strconv.FormatInt(it.Event.ID, 10),
			Title:   AtomText{"text", clipRunes(d.Title, 60) + ": " + text},
			Updated: atomTime(at),
			Links:   []AtomLink{{Href: n.render.Links.Event(d.Slug, it.Event), Rel: "alternate", Type: "text/html"}},
			Summary: AtomText{"text", tr(lang, "intro", d.Title) + " " + text},
		})
	}
	return f, nil
}

// ServeFeed answers GET /feeds/{token}.atom with the feed, or a bare 404
// for a token that is not (or no longer) a feed's: a feed reader needs no
// page, and the answer must not tell a guessed token from a reset one.
func (n *Notifier) ServeFeed(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(path.Base(r.URL.Path), ".atom")
	f, err := n.Feed(r.Context(), token)
	switch {
	case errors.Is(err, ErrBadToken), errors.Is(err, ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		n.opt.Logger.Warn("notify: feed", "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var b bytes.Buffer
	if err := WriteFeed(&b, f); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(b.Bytes())
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
