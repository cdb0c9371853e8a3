package httpapi

// issue 14: the table of amendments as JSON, .csv and .docx, for members
// and, after a final adoption, for everyone; the consolidated text.

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/textdiff"
)

type amendmentRowJSON struct {
	No        int                `json:"no"`
	Proposal  int64              `json:"proposal"`
	Title     string             `json:"title"`
	Base      int64              `json:"base"`
	Items     []itemJSON         `json:"items"`
	Draft     string             `json:"draft"`
	Proposed  string             `json:"proposed"`
	Changes   [][]textdiff.Chunk `json:"changes"`
	Author    string             `json:"author,omitempty"`
	Decision  *string            `json:"decision"`
	DecidedBy string             `json:"decided_by,omitempty"`
	Reason    string             `json:"reason,omitempty"`
	Vote      *voteJSON          `json:"vote"`
	Revision  *int64             `json:"merged_revision"`
}

func amendmentTableOut(t drafting.AmendmentTable) gin.H {
	rows := make([]amendmentRowJSON, 0, len(t.Rows))
	for _, r := range t.Rows {
		j := amendmentRowJSON{No: r.No, Proposal: r.Proposal.Number, Title: r.Proposal.Title, Base: r.Proposal.Base,
			Items: itemsOut(r.Items), Draft: r.Draft(), Proposed: r.Proposed(), Changes: r.Changes, Author: r.Author,
			DecidedBy: r.DecidedBy, Reason: r.Reason, Vote: voteOut(r.Vote), Revision: ptr(r.Proposal.MergedRevision)}
		if j.Changes == nil {
			j.Changes = [][]textdiff.Chunk{}
		}
		if r.Decision != "" {
			d := r.Decision
			j.Decision = &d
		}
		rows = append(rows, j)
	}
	return gin.H{"basis": t.Basis, "decision": t.Filter, "amendments": rows,
		"counts": gin.H{"accepted": t.Accepted, "rejected": t.Rejected, "open": t.Open}}
}

func basisParam(c *gin.Context) (int64, error) {
	if q := c.Query("basis"); q != "" {
		return intParam("basis", q)
	}
	return 0, nil
}

// handleAmendments answers the table of amendments (?basis=N&decision=
// accepted|rejected|open) as JSON, or as a file by the path's extension.
func (s *Server) handleAmendments(c *gin.Context) {
	basis, err := basisParam(c)
	if err != nil {
		if aerr := s.svc.Authorize(c.Request.Context(), actor(c), c.Param("slug"), drafting.ObjProposal, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	t, err := s.svc.Proposals.Amendments(c.Request.Context(), actor(c), c.Param("slug"), basis, c.Query("decision"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.answerTable(c, t, true)
}

// handlePublicAmendments answers the public table of amendments, once the
// document is adopted as a whole.
func (s *Server) handlePublicAmendments(c *gin.Context) {
	basis, err := basisParam(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	t, err := s.svc.Adoptions.PublicAmendments(c.Request.Context(), actor(c), c.Param("slug"), basis, c.Query("decision"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	s.answerTable(c, t, false)
}

func (s *Server) answerTable(c *gin.Context, t drafting.AmendmentTable, people bool) {
	var (
		body  []byte
		ctype string
		name  = t.Document.Slug + "-amendments-r" + itoa(t.Basis)
	)
	if t.Filter != "" {
		name += "-" + t.Filter
	}
	switch {
	case strings.HasSuffix(c.Request.URL.Path, ".csv"):
		body, ctype, name = AmendmentsCSV(t, people), "text/csv; charset=utf-8", name+".csv"
	case strings.HasSuffix(c.Request.URL.Path, ".docx"):
		var buf bytes.Buffer
		if err := office.WriteTableDOCX(&buf, AmendmentsTable(t, people), office.Meta{Title: t.Document.Title, Slug: t.Document.Slug,
			Revision: int(t.Basis), Language: t.Document.Language}); err != nil {
			s.respondError(c, err)
			return
		}
		body, ctype, name = buf.Bytes(), office.ContentType(office.FormatDOCX), name+".docx"
	default:
		c.JSON(http.StatusOK, amendmentTableOut(t))
		return
	}
	sum := sha256.Sum256(body)
	etag := hex.EncodeToString(sum[:])
	if etagMatch(c.GetHeader("If-None-Match"), etag) {
		c.Header("ETag", `"`+etag+`"`)
		c.Status(http.StatusNotModified)
		return
	}
	h := c.Writer.Header()
	h.Set("ETag", `"`+etag+`"`)
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", "attachment; filename=\""+name+"\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(body)
	}
}

// tableWords are the table's headings and decisions in a language.
type tableWords struct {
	title, basis                                         string
	no, item, draft, proposed, author, decision, vote    string
	accepted, withChanges, rejected, open, voteF, voteFn string
}

var tableVocab = map[string]tableWords{
	"ru": {title: "Таблица поправок", basis: "к редакции № ", no: "№", item: "Пункт", draft: "Текст проекта",
		proposed: "Предлагаемая редакция", author: "Автор", decision: "Решение", vote: "Голосование",
		accepted: "принять", withChanges: "принять с изменениями", rejected: "отклонить", open: "не рассмотрено",
		voteF: "за %d, против %d, воздержались %d"},
	"en": {title: "Table of amendments", basis: "to revision ", no: "No.", item: "Item", draft: "Text of the draft",
		proposed: "Proposed wording", author: "Author", decision: "Decision", vote: "Vote",
		accepted: "accept", withChanges: "accept with changes", rejected: "reject", open: "not considered",
		voteF: "for %d, against %d, abstained %d"},
}

func wordsFor(lang string) tableWords {
	if strings.HasPrefix(lang, "ru") {
		return tableVocab["ru"]
	}
	return tableVocab["en"]
}

func (w tableWords) decisionText(r drafting.AmendmentRow) string {
	switch r.Decision {
	case drafting.DecisionAccepted:
		return w.accepted
	case drafting.DecisionAcceptedWithChanges:
		return w.withChanges
	case drafting.DecisionRejected:
		if r.Reason != "" {
			return w.rejected + ": " + r.Reason
		}
		return w.rejected
	}
	return w.open
}

func (w tableWords) formatVote(v *drafting.Vote) string {
	if v == nil {
		return ""
	}
	parts := strings.Split(w.voteF, "%d")
	nums := []int{v.For, v.Against, v.Abstained}
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(p)
		if i < len(nums) {
			b.WriteString(strconv.Itoa(nums[i]))
		}
	}
	return b.String()
}

func itemLabels(items []drafting.ItemRef) string {
	labels := make([]string, 0, len(items))
	for _, it := range items {
		labels = append(labels, it.Label)
	}
	return strings.Join(labels, "; ")
}

// AmendmentsCSV is the table as CSV (UTF-8 with a byte order mark, which
// spreadsheet programs need to read Cyrillic), one row per amendment.
func AmendmentsCSV(t drafting.AmendmentTable, people bool) []byte {
	w := wordsFor(t.Document.Language)
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	header := []string{w.no, w.item, w.draft, w.proposed}
	if people {
		header = append(header, w.author)
	}
	_ = cw.Write(append(header, w.decision, w.vote))
	for _, r := range t.Rows {
		rec := []string{strconv.Itoa(r.No), csvText(itemLabels(r.Items)), csvText(r.Draft()), csvText(r.Proposed())}
		if people {
			rec = append(rec, csvText(r.Author))
		}
		_ = cw.Write(append(rec, w.decisionText(r), w.formatVote(r.Vote)))
	}
	cw.Flush()
	return buf.Bytes()
}

// csvText keeps a cell of members' text from being read as a formula by a
// spreadsheet program: one that starts with =, +, -, @, a tab or a carriage
// return (a proposed wording "=HYPERLINK(…)", or an item "- обеспечить…"
// that Excel shows as #NAME?) is prefixed with an apostrophe, which the
// programs take as "text follows".
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AmendmentsTable is the table as office writes it: the proposed wording
// with its changes marked.
func AmendmentsTable(t drafting.AmendmentTable, people bool) office.Table {
	w := wordsFor(t.Document.Language)
	out := office.Table{Title: w.title + " " + w.basis + strconv.FormatInt(t.Basis, 10),
		Intro:  []string{t.Document.Title},
		Header: []string{w.no, w.item, w.draft, w.proposed}, Widths: []int{4, 9, 28, 28}}
	if people {
		out.Header, out.Widths = append(out.Header, w.author), append(out.Widths, 10)
	}
	out.Header, out.Widths = append(out.Header, w.decision, w.vote), append(out.Widths, 14, 13)
	for _, r := range t.Rows {
		var draft, proposed office.Cell
		for _, ch := range r.Changes {
			var d, p []office.Run
			for _, c := range ch {
				switch c.Op {
				case textdiff.OpEqual:
					d, p = append(d, office.Run{Text: c.Text}), append(p, office.Run{Text: c.Text})
				case textdiff.OpDelete:
					d, p = append(d, office.Run{Text: c.Text}), append(p, office.Run{Text: c.Text, Deleted: true})
				case textdiff.OpInsert:
					p = append(p, office.Run{Text: c.Text, Inserted: true})
				}
			}
			// A paragraph deleted or inserted as a whole has nothing on the
			// other side: no empty paragraph there.
			if len(d) > 0 {
				draft = append(draft, d)
			}
			if len(p) > 0 {
				proposed = append(proposed, p)
			}
		}
		row := []office.Cell{office.PlainCell(strconv.Itoa(r.No)), office.PlainCell(itemLabels(r.Items)), draft, proposed}
		if people {
			row = append(row, office.PlainCell(r.Author))
		}
		out.Rows = append(out.Rows, append(row, office.PlainCell(w.decisionText(r)), office.PlainCell(w.formatVote(r.Vote))))
	}
	return out
}

// handleConsolidated answers the consolidated text (?basis=N&open=1,2):
// the draft with every accepted amendment and the chosen open ones, the
// conflicts, and the redline against the basis with labels.
func (s *Server) handleConsolidated(c *gin.Context) {
	ctx := c.Request.Context()
	basis, err := basisParam(c)
	var open []int64
	if err == nil && c.Query("open") != "" {
		for _, f := range strings.Split(c.Query("open"), ",") {
			n, perr := intParam("open", strings.TrimSpace(f))
			if perr != nil {
				err = perr
				break
			}
			open = append(open, n)
		}
	}
	if err != nil {
		if aerr := s.svc.Authorize(ctx, actor(c), c.Param("slug"), drafting.ObjProposal, drafting.ActRead); aerr != nil {
			err = aerr
		}
		s.respondError(c, err)
		return
	}
	mode, err := textdiff.ParseMode(c.Query("mode"))
	if err != nil {
		s.respondError(c, invalid("mode must be word, char or line"))
		return
	}
	v, err := s.svc.Proposals.Consolidated(ctx, actor(c), c.Param("slug"), basis, open, mode)
	if err != nil {
		s.respondError(c, err)
		return
	}
	var redline bytes.Buffer
	if err := writeLabeledJSON(&redline, v.Redline, v.BasisOutline, v.TextOutline); err != nil {
		s.respondError(c, err)
		return
	}
	type consolidatedConflict struct {
		Proposal int64 `json:"proposal"`
		conflictJSON
	}
	cs := make([]consolidatedConflict, 0, len(v.Conflicts))
	for _, x := range v.Conflicts {
		cs = append(cs, consolidatedConflict{Proposal: x.Proposal, conflictJSON: conflictJSON{MergeConflict: x.MergeConflict, Items: itemsOut(x.Items)}})
	}
	applied := v.Applied
	if applied == nil {
		applied = []int64{}
	}
	c.JSON(http.StatusOK, gin.H{"basis": v.Basis.Number, "head": v.Head.Number, "applied": applied, "text": v.Text,
		"conflicts": cs, "redline": jsonRaw(redline.Bytes())})
}
