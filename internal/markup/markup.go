// Package markup renders comment bodies: plain text with a small, safe
// Markdown subset (emphasis, lists, links, code), sanitised so that no
// executable markup survives whatever the input.
package markup

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"html/template"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

var (
	once   sync.Once
	md     goldmark.Markdown
	policy *bluemonday.Policy
)

func setup() {
	// Raw HTML in the input is dropped by goldmark (no WithUnsafe) and
	// whatever remains passes a strict allow-list: belt and braces.
	md = goldmark.New(
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	policy = bluemonday.NewPolicy()
	policy.AllowElements("p", "br", "em", "strong", "del", "ul", "ol", "li", "code", "pre", "blockquote")
	policy.AllowAttrs("href").OnElements("a")
	policy.AllowURLSchemes("http", "https", "mailto")
	policy.RequireParseableURLs(true)
	policy.RequireNoFollowOnLinks(true)
	policy.RequireNoReferrerOnLinks(true)
	policy.AddTargetBlankToFullyQualifiedLinks(true)
}

// Render turns a comment body into safe HTML. A body renders the same every
// time, so renderings are cached by the body's hash (a comment version's
// body never changes): a listing of forty comments renders none of them
// again, however costly their Markdown.
func Render(body string) template.HTML {
	key := sha256.Sum256([]byte(body))
	if h, ok := rendered.get(key); ok {
		return h
	}
	h := render(body)
	rendered.put(key, h)
	return h
}

func render(body string) template.HTML {
	once.Do(setup)
	var buf bytes.Buffer
	if err := md.Convert([]byte(body), &buf); err != nil {
		// goldmark writes into memory and does not fail on any input;
		// should it, the escaped text is still a faithful rendering.
		return template.HTML(template.HTMLEscapeString(body))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised by the allow-list above
}

// rendered holds recent renderings, at most cacheBytes of HTML.
var rendered = &htmlCache{max: cacheBytes, order: list.New(), items: map[[32]byte]*list.Element{}}

const cacheBytes = 16 << 20

// htmlCache is a least-recently-used cache of renderings bounded by their
// bytes.
type htmlCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recent
	items map[[32]byte]*list.Element
}

type htmlEntry struct {
	key  [32]byte
	html template.HTML
}

func (c *htmlCache) get(k [32]byte) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return "", false
	}
	c.order.MoveToFront(e)
	return e.Value.(*htmlEntry).html, true
}

func (c *htmlCache) put(k [32]byte, h template.HTML) {
	if len(h) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.order.PushFront(&htmlEntry{key: k, html: h})
	c.size += len(h)
	for c.size > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		e := last.Value.(*htmlEntry)
		delete(c.items, e.key)
		c.size -= len(e.html)
	}
}
