// Package web holds the browser interface's files: html/template pages,
// static CSS and JavaScript, and the Russian and English messages, embedded
// in the binary.
package web

import "embed"

// Templates are the page templates: base.html (the layout),
// partials.html (pieces every page may use) and one file per page.
//
//go:embed templates
var Templates embed.FS

// Static are the stylesheets and scripts served under content-hash URLs.
//
//go:embed static
var Static embed.FS

// Locales are the message files, one TOML file per language.
//
//go:embed locales
var Locales embed.FS
