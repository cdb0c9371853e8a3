package webui

// --- issue 16: signed adoptions on the public page and in the feed ---

import (
	"strconv"
	"time"

	"redline/internal/drafting"
	"redline/internal/signing"
)

// keysURL is where the secretariat's keys are published (allowed_signers).
const keysURL = "/.well-known/redline-keys"

// signedData is what the public page shows of the signatures: the keys
// with their fingerprints, and for the current adoption its statement,
// signature and the exact commands that check a download with them.
type signedData struct {
	Keys      []drafting.PublishedKey
	KeysURL   string
	Current   *statementLink // nil while the current adoption is unsigned
	TextFile  string         // the names the downloads are saved under
	AKN       string
	Namespace string
}

// statementLink is one adoption's statement as the page links it.
type statementLink struct {
	drafting.AdoptionStatement
	URL, SigURL   string
	File, SigFile string
	VerifyTime    string // ssh-keygen's -O verify-time
}

func statementURL(slug string, n int64) string {
	return "/api/v1/public/documents/" + slug + "/statements/" + strconv.FormatInt(n, 10) + ".json"
}

func newStatementLink(slug string, st drafting.AdoptionStatement) *statementLink {
	u := statementURL(slug, st.Number)
	file := slug + "-adoption-" + strconv.FormatInt(st.Number, 10) + ".json"
	return &statementLink{AdoptionStatement: st, URL: u, SigURL: u + ".sig", File: file, SigFile: file + ".sig",
		VerifyTime: signing.SSHTime(st.SignedAt.Truncate(time.Second))}
}

// statementsByAdoption links each signed adoption's statement.
func statementsByAdoption(slug string, pub drafting.PublicDocument) map[int64]*statementLink {
	out := map[int64]*statementLink{}
	for _, st := range pub.Statements {
		out[st.AdoptionID] = newStatementLink(slug, st)
	}
	return out
}

// signed is the public page's signature section for the current adoption.
func (u *UI) signed(pub drafting.PublicDocument, links map[int64]*statementLink) *signedData {
	a := pub.Current
	d := &signedData{Keys: u.svc.Adoptions.PublishedKeys().Keys, KeysURL: keysURL, Current: links[a.ID],
		TextFile:  pub.Document.Slug + "-r" + strconv.FormatInt(a.Revision, 10) + "-" + shortHash(a.SHA256) + ".md",
		AKN:       "/api/v1/public/documents/" + pub.Document.Slug + "/download/" + strconv.FormatInt(a.Revision, 10) + ".akn.xml",
		Namespace: signing.Namespace}
	return d
}
