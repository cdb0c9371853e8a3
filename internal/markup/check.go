package markup

import (
	"io"
	"strings"

	"golang.org/x/net/html"
)

// safeTags are the elements a rendered body may contain.
var safeTags = map[string]bool{
	"p": true, "br": true, "em": true, "strong": true, "del": true, "ul": true, "ol": true, "li": true,
	"code": true, "pre": true, "blockquote": true, "a": true,
}

// Executable parses HTML as a browser would and returns a description of the
// first construct in it that could run script or load content (a script-
// capable element, an event attribute, a javascript: or data: URL, a style
// attribute), or "" when there is none. Tests of every page and API output
// that carries user text use it.
func Executable(s string, allowedTags map[string]bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return ""
			}
			return "unparseable HTML: " + z.Err().Error()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "math", "base", "meta", "frame", "frameset", "applet":
				return "<" + tok.Data + ">"
			}
			if allowedTags != nil && !allowedTags[tok.Data] {
				return "<" + tok.Data + "> is not allowed here"
			}
			for _, a := range tok.Attr {
				key := strings.ToLower(a.Key)
				if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
					return "attribute " + key + " on <" + tok.Data + ">"
				}
				if key == "href" || key == "src" || key == "action" || key == "xlink:href" || key == "data" {
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					v = strings.Map(func(r rune) rune {
						if r < 0x20 {
							return -1
						}
						return r
					}, v)
					if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:") {
						return key + "=" + a.Val + " on <" + tok.Data + ">"
					}
				}
			}
		}
	}
}

// SafeTags is the allow-list of elements in a rendered comment body.
func SafeTags() map[string]bool { return safeTags }
