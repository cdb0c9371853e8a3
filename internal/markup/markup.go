// Package markup renders comment bodies: plain text with a small, safe
// Markdown subset (emphasis, lists, links, code), sanitised so that no
// executable markup survives whatever the input.
package markup

import (
	"bytes"
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

// Render turns a comment body into safe HTML.
func Render(body string) template.HTML {
	once.Do(setup)
	var buf bytes.Buffer
	if err := md.Convert([]byte(body), &buf); err != nil {
		// goldmark writes into memory and does not fail on any input;
		// should it, the escaped text is still a faithful rendering.
		return template.HTML(template.HTMLEscapeString(body))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes())) //nolint:gosec // sanitised by the allow-list above
}
