package notify

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"
)

//go:embed templates
var templateFS embed.FS

var (
	mailText = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/mail.txt"))
	mailHTML = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/mail.html"))
)

// Renderer turns digests into messages.
type Renderer struct {
	From     mail.Address // the sender (REDLINE_SMTP_URL's from)
	Links    Links
	Signer   *Signer
	Location *time.Location // the time zone of the times in mails (default UTC)
	// MaxItems is how many items a mail lists; the rest are counted and
	// linked to the document's log (default 50).
	MaxItems int
}

// Digest is one mail's content: a person's items in one document.
type Digest struct {
	Key   string    // the outbox key, made of [a-z0-9-]; the Message-ID is made from it
	To    Recipient // name, address and language
	Doc   DocInfo
	Items []Item    // oldest first
	Date  time.Time // the Date header
}

// itemView and mailView are what the templates see: every sentence is
// made and translated here, and the templates only lay them out (the HTML
// one escaping everything).
type itemView struct {
	When, Text, URL, LinkText string
}

type linkView struct{ Label, URL string }

type mailView struct {
	Lang, Subject, Greeting, Intro  string
	Items                           []itemView
	More, MoreURL                   string
	Why, SettingsLabel, SettingsURL string
	StopLabel                       string
	Stops                           []linkView
}

func (r *Renderer) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// host names this installation in Message-IDs and List-Ids: the base
// URL's host, else the sender's domain.
func (r *Renderer) host() string {
	if u, err := url.Parse(r.Links.Base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	if _, domain, ok := strings.Cut(r.From.Address, "@"); ok && domain != "" {
		return domain
	}
	return "redline.invalid"
}

// MessageID returns the Message-ID of the mail with key, angle brackets
// included.
func (r *Renderer) MessageID(key string) string {
	return "<" + key + "." + r.Signer.Installation() + "@" + r.host() + ">"
}

// Render returns d as an RFC 5322 message: multipart/alternative with a
// plain-text and an HTML part, both quoted-printable UTF-8, with CRLF line
// ends and the one-click unsubscribe headers of RFC 8058 (the link
// unsubscribes from everything in the document; the body has a link per
// topic).
func (r *Renderer) Render(d Digest) ([]byte, error) {
	if len(d.Items) == 0 {
		return nil, errors.New("notify: render a digest without items")
	}
	if d.Key == "" || strings.Trim(d.Key, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return nil, fmt.Errorf("notify: mail key %q is not [a-z0-9-]", d.Key)
	}
	if d.To.Email == "" {
		return nil, errors.New("notify: render a mail without a recipient address")
	}
	lang := Lang(d.To.Lang)
	max := r.MaxItems
	if max <= 0 {
		max = 50
	}
	title := clipRunes(d.Doc.Title, 80)
	name := d.To.Name
	if name == "" {
		name = d.To.Login
	}
	v := mailView{
		Lang:          lang,
		Greeting:      tr(lang, "greeting", name),
		Intro:         tr(lang, "intro", d.Doc.Title),
		Why:           tr(lang, "why", d.Doc.Title),
		SettingsLabel: tr(lang, "settings"),
		SettingsURL:   r.Links.Settings(d.Doc.Slug),
		StopLabel:     tr(lang, "stop"),
	}
	var topics Topics
	for i, it := range d.Items {
		topics |= it.Topic
		if i >= max {
			continue
		}
		v.Items = append(v.Items, itemView{
			When:     when(lang, it.Event.Data.At, r.loc()),
			Text:     describe(lang, it),
			URL:      r.Links.Event(d.Doc.Slug, it.Event),
			LinkText: tr(lang, "open"),
		})
	}
	if n := len(d.Items) - len(v.Items); n > 0 {
		v.More, v.MoreURL = tr(lang, "more", n), r.Links.Log(d.Doc.Slug)
	}
	unsub := func(t Topics) string {
		return r.Links.Unsubscribe(r.Signer.Sign(Token{Purpose: Unsubscribe, User: d.To.ID, Document: d.Doc.ID, Topics: t, Lang: lang}))
	}
	for _, t := range topics.Each() {
		v.Stops = append(v.Stops, linkView{topicName(lang, t), unsub(t)})
	}
	v.Stops = append(v.Stops, linkView{topicName(lang, AllTopics), unsub(AllTopics)})
	if len(d.Items) == 1 {
		v.Subject = tr(lang, "subject", title, clipRunes(describe(lang, d.Items[0]), 120))
	} else {
		n := int64(len(d.Items))
		v.Subject = tr(lang, "subject", title, tr(lang, "subject.many", n, plural(lang, n, "event")))
	}

	var text, html bytes.Buffer
	if err := mailText.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("notify: render text: %w", err)
	}
	if err := mailHTML.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("notify: render html: %w", err)
	}
	boundary := r.boundary(d.Key)
	var body bytes.Buffer
	for _, part := range []struct {
		ctype string
		b     []byte
	}{{"text/plain", text.Bytes()}, {"text/html", html.Bytes()}} {
		body.WriteString("--" + boundary + "\r\n")
		body.WriteString("Content-Type: " + part.ctype + "; charset=utf-8\r\n")
		body.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
		qp := quotedprintable.NewWriter(&body)
		if _, err := qp.Write(part.b); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
		body.WriteString("\r\n")
	}
	body.WriteString("--" + boundary + "--\r\n")
	if bytes.Count(body.Bytes(), []byte(boundary)) != 3 {
		return nil, errors.New("notify: the mail's boundary occurs in its text")
	}

	var m bytes.Buffer
	header := func(name, value string) { writeHeader(&m, name, value) }
	header("From", r.From.String())
	header("To", (&mail.Address{Name: name, Address: d.To.Email}).String())
	header("Subject", encodeWords(v.Subject))
	header("Date", d.Date.In(r.loc()).Format(time.RFC1123Z))
	header("Message-ID", r.MessageID(d.Key))
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	header("Content-Language", lang)
	header("List-Id", encodeWords(title)+" <"+d.Doc.Slug+"."+r.host()+">")
	header("List-Unsubscribe", "<"+unsub(AllTopics)+">")
	header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	header("Auto-Submitted", "auto-generated")
	header("X-Auto-Response-Suppress", "All")
	m.WriteString("\r\n")
	m.Write(body.Bytes())
	return m.Bytes(), nil
}

// boundary is unpredictable (keyed), so no text a member writes can
// contain it.
func (r *Renderer) boundary(key string) string {
	h := hmac.New(sha256.New, r.Signer.key)
	h.Write([]byte("redline boundary\x00" + key))
	return "=_redline_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// encodeWords encodes s for a header (RFC 2047) when it is not plain
// ASCII, in base64 (a third of the length of quoted-printable for
// Cyrillic); line breaks become spaces.
func encodeWords(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s)
	return mime.BEncoding.Encode("utf-8", s)
}

// writeHeader writes a header field, folded at spaces so that lines stay
// within 78 characters where the value allows it (RFC 5322 §2.2.3).
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && word != "" && len(line)+1+len(word) > 78 {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

// clipRunes keeps at most n runes of s.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
