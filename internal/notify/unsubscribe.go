package notify

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"io"
	"net/http"
	"path"
)

var unsubscribePage = htmltemplate.Must(htmltemplate.New("unsubscribe").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>body{font:18px/1.5 Arial,Helvetica,sans-serif;color:#1a1a1a;background:#fff;max-width:36em;margin:2em auto;padding:0 1em}button{font:inherit;padding:.4em 1.2em}</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
{{if .Form}}<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">{{.Button}}</button></form>{{end}}
</body>
</html>
`))

// UnsubscribeHandler serves the one-click unsubscribe link of a mail,
// /unsubscribe/{token} (the token is the last path segment). GET shows a
// page with a button and changes nothing (mail scanners follow links);
// POST, from the button or from a mail provider's RFC 8058 one-click
// request (body List-Unsubscribe=One-Click, no cookies), unsubscribes. The
// signed token is the only authority needed, so the route must be exempt
// from the cross-origin checks of the HTTP shell.
func (n *Notifier) UnsubscribeHandler(prefs Preferences) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer") // the token is in the URL
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
			h.Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		t, err := n.render.Signer.Verify(path.Base(r.URL.Path))
		if err != nil || t.Purpose != Unsubscribe || t.Topics == 0 {
			lang := "ru"
			if err == nil {
				lang = t.Lang
			}
			n.page(w, http.StatusBadRequest, lang, tr(lang, "unsub.bad"), false)
			return
		}
		lang := Lang(t.Lang)
		d, err := n.dir.Document(r.Context(), t.Document)
		if errors.Is(err, ErrNotFound) {
			n.page(w, http.StatusNotFound, lang, tr(lang, "unsub.gone"), false)
			return
		}
		if err != nil {
			n.opt.Logger.Warn("notify: unsubscribe", "err", err)
			n.page(w, http.StatusServiceUnavailable, lang, tr(lang, "unsub.error"), false)
			return
		}
		topics := topicList(lang, t.Topics)
		if r.Method != http.MethodPost {
			n.page(w, http.StatusOK, lang, tr(lang, "unsub.confirm", d.Title, topics), true)
			return
		}
		// The body says nothing we need; read a little of it so the
		// connection can be reused, and no more.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<10))
		if err := prefs.Unsubscribe(r.Context(), t.User, t.Document, t.Topics); err != nil {
			if errors.Is(err, ErrNotFound) {
				n.page(w, http.StatusNotFound, lang, tr(lang, "unsub.gone"), false)
				return
			}
			n.opt.Logger.Warn("notify: unsubscribe", "user", t.User, "document", t.Document, "err", err)
			n.page(w, http.StatusServiceUnavailable, lang, tr(lang, "unsub.error"), false)
			return
		}
		n.page(w, http.StatusOK, lang, tr(lang, "unsub.done", d.Title, topics), false)
	})
}

func (n *Notifier) page(w http.ResponseWriter, status int, lang, text string, form bool) {
	var b bytes.Buffer
	err := unsubscribePage.Execute(&b, map[string]any{
		"Lang": Lang(lang), "Title": tr(lang, "unsub.title"), "Text": text, "Form": form, "Button": tr(lang, "unsub.button"),
	})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
