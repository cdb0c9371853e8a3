// Package convert is Redline's office files, under the service's rules: a
// revision, a redline between two revisions and an adopted text exported as
// .docx, .odt or .pdf, and a .docx or .odt file imported as a text for its
// reader to review before it becomes a document or a revision.
//
// It joins the service (package drafting: who may read what, who may create
// or commit) to the formats (package office: pure conversions), so that the
// JSON API, the pages and the command line import and export alike. Both
// directions are bounded: an upload is read up to Options.MaxUploadBytes
// and imported within office's limits, an export is rendered into at most
// Options.MaxOutputBytes, and only a few of each run at once, so memory stays
// bounded whatever arrives. Exports are deterministic (the same revision
// gives the same bytes), so each File has a strong entity tag computed from
// what the output depends on, before anything is rendered.
package convert

import (
	"context"
	"runtime/debug"

	"redline/internal/drafting"
	"redline/internal/office"
)

// Options configure Files. Zero fields take their defaults.
type Options struct {
	// MaxUploadBytes bounds an imported file. Default 20 MiB.
	MaxUploadBytes int64
	// MaxOutputBytes bounds an exported file. Default 64 MiB.
	MaxOutputBytes int64
	// Imports is how many imports run at once; more wait for a turn until
	// their request's deadline. Each holds its file and its work in
	// memory. Default 1.
	Imports int
	// Exports is how many exports are rendered at once. Default 2.
	Exports int
	// CacheBytes bounds the rendered files kept for the next request for
	// the same entity tag. Default 32 MiB; negative: none.
	CacheBytes int
}

// DefaultMaxUploadBytes is the default bound of an imported file.
const DefaultMaxUploadBytes = 20 << 20

// Files imports and exports office files for the service's callers.
type Files struct {
	svc       *drafting.Service
	lim       office.Limits
	maxOutput int64
	imports   chan struct{}
	exports   chan struct{}
	cache     *cache
}

// New returns Files over svc.
func New(svc *drafting.Service, opt Options) *Files {
	if opt.MaxUploadBytes <= 0 {
		opt.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if opt.MaxOutputBytes <= 0 {
		opt.MaxOutputBytes = office.DefaultMaxOutputBytes
	}
	if opt.Imports <= 0 {
		opt.Imports = 1
	}
	if opt.Exports <= 0 {
		opt.Exports = 2
	}
	if opt.CacheBytes == 0 {
		opt.CacheBytes = 32 << 20
	}
	lim := office.DefaultLimits()
	lim.MaxInputBytes = opt.MaxUploadBytes
	lim.MaxTextBytes = int(svc.MaxTextBytes())
	return &Files{svc: svc, lim: lim, maxOutput: opt.MaxOutputBytes,
		imports: make(chan struct{}, opt.Imports), exports: make(chan struct{}, opt.Exports),
		cache: newCache(max(opt.CacheBytes, 0))}
}

// MaxUploadBytes is the largest file Import reads.
func (f *Files) MaxUploadBytes() int64 { return f.lim.MaxInputBytes }

// turn waits for a place among the n that run at once, until ctx ends; the
// function it returns gives the place back.
func turn(ctx context.Context, sem chan struct{}, what string) (func(), error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	default:
	}
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, drafting.Refuse(what, drafting.ReasonUnavailable, "too many "+what+"s at once; try again")
	}
}

// build identifies this program's build for the entity tags: a new build
// may write the same text differently.
var build = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}()
