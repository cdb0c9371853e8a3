package convert

import (
	"archive/zip"
	"bytes"
	"context"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"redline/internal/drafting"
	"redline/internal/office"
	"redline/internal/testenv"
	"redline/internal/testenv/stack"
)

// world is a real service (SQLite, a blob folder, Casbin) with an
// administrator, the chair and a member of document "doc".
type world struct {
	svc                  *drafting.Service
	admin, chair, member *drafting.User
}

const text1 = "Проект итогового документа\n\n1. Участники конференции приняли за основу проект.\n\n2. Рекомендовать создать центр кластерного развития."

func newWorld(t *testing.T) *world {
	t.Helper()
	st := stack.New(t, "sqlite+disk")
	svc := st.Service(t, drafting.Options{})
	w := &world{svc: svc}
	for _, u := range []struct {
		login string
		admin bool
		to    **drafting.User
	}{{"admin", true, &w.admin}, {"chair", false, &w.chair}, {"member", false, &w.member}} {
		x := stack.MustUser(t, svc, u.login, u.admin)
		*u.to = &x
	}
	text := text1
	if _, err := svc.Documents.Create(context.Background(), w.admin, drafting.NewDocument{Slug: "doc", Title: "Итоговый документ", Text: &text}); err != nil {
		t.Fatal(err)
	}
	stack.MustRole(t, svc, "chair", drafting.RoleChair, "doc")
	stack.MustRole(t, svc, "member", drafting.RoleMember, "doc")
	return w
}

func docx(t *testing.T, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := office.WriteDOCX(&b, text, office.Meta{Title: "Из Word"}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEveryOfficeReasonMapped: each of office's refusals has the service's
// reason, which has a kind (and so a status) and is listed with the others.
func TestEveryOfficeReasonMapped(t *testing.T) {
	all := []office.Reason{office.ReasonTooLarge, office.ReasonNotADocument, office.ReasonUnsupportedFormat,
		office.ReasonZipBomb, office.ReasonUnsafePath, office.ReasonEntityExpansion, office.ReasonMalformed,
		office.ReasonTooDeep, office.ReasonTooManyParagraphs, office.ReasonTextTooLarge,
		office.ReasonPendingTrackedChanges, office.ReasonEmpty, office.ReasonOutputTooLarge}
	if len(all) != len(officeReasons) {
		t.Errorf("%d office reasons listed here, %d mapped", len(all), len(officeReasons))
	}
	for _, r := range all {
		d, ok := officeReasons[r]
		if !ok {
			t.Errorf("office reason %s is not mapped", r)
			continue
		}
		if !slices.Contains(drafting.Reasons(), d) || d.Kind() == drafting.KindInternal {
			t.Errorf("%s → %s: not a listed reason with a kind", r, d)
		}
		// The status office suggests is the one the service gives.
		err := refusal("import", &office.Error{Reason: r, Message: "m"})
		if got, want := string(drafting.ErrorKind(err)), (&office.Error{Reason: r}).Kind(); got != want {
			t.Errorf("%s: kind %s, office says %s", r, got, want)
		}
		if drafting.ErrorReason(err) != d {
			t.Errorf("%s: reason %s, want %s", r, drafting.ErrorReason(err), d)
		}
	}
}

func TestImport(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	f := New(w.svc, Options{})

	// Who may import where, asked before any file is read.
	cases := []struct {
		who    *drafting.User
		slug   string
		reason drafting.Reason
	}{
		{nil, "doc", drafting.ReasonSignIn},
		{nil, "new", drafting.ReasonSignIn},
		{w.member, "doc", drafting.ReasonNotAChair},
		{w.member, "new", drafting.ReasonNotAnAdmin},
		{w.member, "", drafting.ReasonNotAnAdmin},
		{w.admin, "doc", drafting.ReasonNotAChair}, // creating documents is not committing to them
		{w.admin, "Bad Slug", drafting.ReasonInvalidSlug},
		{w.chair, "new", drafting.ReasonNotAnAdmin},
	}
	for _, c := range cases {
		if _, err := f.Prepare(ctx, c.who, c.slug); drafting.ErrorReason(err) != c.reason {
			t.Errorf("%v into %q: %v, want %s", c.who, c.slug, err, c.reason)
		}
	}
	tg, err := f.Prepare(ctx, w.chair, "doc")
	if err != nil || !tg.Exists || tg.Head != 1 {
		t.Fatalf("chair into doc: %+v %v", tg, err)
	}
	text2 := text1 + "\n\n3. Новый пункт."
	im, err := f.ImportBytes(ctx, tg, docx(t, text2), `C:\Users\Секретарь\Проект.docx`)
	if err != nil {
		t.Fatal(err)
	}
	if im.Text != text2 || im.Title != "Из Word" || im.Format != office.FormatDOCX || im.Paragraphs != 4 || im.FileName != "Проект.docx" {
		t.Fatalf("import: %+v", im)
	}
	// What the reviewer saw is what is stored, hash and all.
	r, err := w.svc.Documents.Commit(ctx, w.chair, "doc", tg.Head, []byte(im.Text), "импорт")
	if err != nil || r.SHA256 != im.SHA256 {
		t.Fatalf("commit: %+v %v, want sha256 %s", r, err, im.SHA256)
	}
	tg, err = f.Prepare(ctx, w.admin, "new")
	if err != nil || tg.Exists || tg.Slug != "new" {
		t.Fatalf("admin into new: %+v %v", tg, err)
	}

	// Refusals carry the service's reasons, with what the sentences need.
	small := New(w.svc, Options{MaxUploadBytes: 4 << 10})
	_, err = small.ImportBytes(ctx, tg, docx(t, randomText(3000)), "big.docx")
	if drafting.ErrorReason(err) != drafting.ReasonFileTooLarge || drafting.ErrorKind(err) != drafting.KindTooLarge {
		t.Fatalf("big file: %v", err)
	}
	if d := drafting.ErrorDetails(err); d["max_bytes"] != int64(4<<10) || d["max_mb"] != "0.1" {
		t.Errorf("details %v", d)
	}
	for _, c := range []struct {
		data   []byte
		reason drafting.Reason
	}{
		{[]byte("просто текст"), drafting.ReasonNotADocument},
		{[]byte("{\\rtf1 x}"), drafting.ReasonUnsupportedFormat},
		{docx(t, ""), drafting.ReasonEmptyDocument},
		{zipWith(t, "word/document.xml", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><w:document/>`), drafting.ReasonEntityExpansion},
		{zipWith(t, "../evil", "x"), drafting.ReasonUnsafePath},
	} {
		_, err := f.ImportBytes(ctx, tg, c.data, "x.docx")
		if drafting.ErrorReason(err) != c.reason {
			t.Errorf("%.20q: %v, want %s", c.data, err, c.reason)
		}
		if f, _ := drafting.ErrorDetails(err)["field"].(string); f != "file" {
			t.Errorf("%.20q: field %q, want file", c.data, f)
		}
	}
	// A text over the service's own limit is refused as any text would be.
	tiny := New(stack.New(t, "sqlite+disk").Service(t, drafting.Options{MaxTextBytes: 1024}), Options{})
	_, err = tiny.ImportBytes(ctx, drafting.ImportTarget{}, docx(t, strings.Repeat("слово ", 400)), "x.docx")
	if drafting.ErrorReason(err) != drafting.ReasonTextTooLarge || drafting.ErrorDetails(err)["max_bytes"] != int64(1024) {
		t.Errorf("text over the limit: %v %v", err, drafting.ErrorDetails(err))
	}
}

// randomText is n words drawn from a few dozen, so that it does not
// compress to nothing.
func randomText(n int) string {
	words := strings.Fields("кластер инновации поддержка город Москва проект документ участники конференции развитие " +
		"предприятия наука образование технологии государственная программа экономика знаний центр регион")
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}

func zipWith(t *testing.T, name, body string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportTurns: imports run one at a time; one that cannot get its turn
// before its deadline is refused as unavailable, and the turn is given back.
func TestImportTurns(t *testing.T) {
	w := newWorld(t)
	f := New(w.svc, Options{})
	release, err := turn(context.Background(), f.imports, "import")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := f.ImportBytes(ctx, drafting.ImportTarget{}, docx(t, "x"), "x.docx"); drafting.ErrorKind(err) != drafting.KindUnavailable {
		t.Fatalf("while another runs: %v", err)
	}
	release()
	if _, err := f.ImportBytes(context.Background(), drafting.ImportTarget{}, docx(t, "x"), "x.docx"); err != nil {
		t.Fatalf("after: %v", err)
	}
}

func TestExports(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	f := New(w.svc, Options{})
	text2 := strings.Replace(text1, "центр", "региональный центр", 1)
	if _, err := w.svc.Documents.Commit(ctx, w.chair, "doc", 1, []byte(text2), "правка"); err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, format := range []office.Format{office.FormatDOCX, office.FormatODT, office.FormatPDF} {
		x, err := f.Revision(ctx, w.member, "doc", 2, format)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(x.Name, "doc-r2-") || !strings.HasSuffix(x.Name, "."+string(format)) || x.ContentType != office.ContentType(format) {
			t.Errorf("%s: name %q type %q", format, x.Name, x.ContentType)
		}
		a, err := x.Bytes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A fresh converter (no cache) writes the same bytes under the same tag.
		y, _ := New(w.svc, Options{CacheBytes: -1}).Revision(ctx, w.member, "doc", 2, format)
		b, err := y.Bytes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) || x.ETag != y.ETag || x.ETag == "" {
			t.Errorf("%s: not deterministic (tags %s %s)", format, x.ETag, y.ETag)
		}
		tags[x.ETag] = string(format)
		if format != office.FormatPDF {
			im, err := office.ImportBytes(a, office.Limits{})
			if err != nil || im.Text != text2 {
				t.Errorf("%s does not import back: %v %q", format, err, im.Text)
			}
		}
	}
	if len(tags) != 3 {
		t.Errorf("entity tags repeat across formats: %v", tags)
	}
	if _, err := f.Revision(ctx, nil, "doc", 2, office.FormatDOCX); drafting.ErrorReason(err) != drafting.ReasonSignIn {
		t.Errorf("anonymous export: %v", err)
	}
	if _, err := f.Revision(ctx, w.member, "doc", 9, office.FormatDOCX); drafting.ErrorKind(err) != drafting.KindNotFound {
		t.Errorf("no such revision: %v", err)
	}

	// The redline as tracked changes: accepting them gives the later text.
	x, err := f.Diff(ctx, w.member, "doc", 1, 2, office.FormatDOCX)
	if err != nil {
		t.Fatal(err)
	}
	if x.Name != "doc-r1-r2-"+x.SHA256[:12]+"-diff.docx" {
		t.Errorf("redline name %q", x.Name)
	}
	b, err := x.Bytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("word/document.xml")) {
		t.Fatal("not a .docx")
	}
	doc := unzip(t, b, "word/document.xml")
	if !strings.Contains(doc, "<w:ins ") || !strings.Contains(doc, `w:author="chair"`) {
		t.Errorf("no tracked insertion by the later revision's author: %.300s", doc)
	}
	if _, err := f.Diff(ctx, w.member, "doc", 1, 2, office.FormatODT); drafting.ErrorKind(err) != drafting.KindNotFound {
		t.Errorf("odt redline: %v", err)
	}

	// Bounded output.
	tinyOut := New(w.svc, Options{MaxOutputBytes: 512})
	x, _ = tinyOut.Revision(ctx, w.member, "doc", 2, office.FormatPDF)
	if _, err := x.Bytes(ctx); drafting.ErrorReason(err) != drafting.ReasonOutputTooLarge {
		t.Errorf("output over its bound: %v", err)
	}

	// Adopted texts, for anyone, once adopted.
	if _, err := f.Adopted(ctx, nil, "doc", 2, office.FormatPDF, "https://redline.example.org"); drafting.ErrorReason(err) != drafting.ReasonNotAdopted {
		t.Errorf("before adoption: %v", err)
	}
	r, _ := w.svc.Documents.Revision(ctx, w.chair, "doc", 2)
	if _, err := w.svc.Adoptions.Approve(ctx, w.chair, "doc", 2, r.SHA256, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Adoptions.Adopt(ctx, w.chair, "doc", 2, drafting.AdoptInput{Stage: drafting.StageBasis}); err != nil {
		t.Fatal(err)
	}
	x, err = f.Adopted(ctx, nil, "doc", 2, office.FormatPDF, "https://redline.example.org")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := x.Bytes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := f.Adopted(ctx, nil, "doc", 2, office.FormatPDF, "https://other.example.org")
	if other.ETag == x.ETag {
		t.Error("the entity tag ignores the public address printed in the file")
	}
	if _, err := f.Adopted(ctx, nil, "doc", 1, office.FormatPDF, ""); drafting.ErrorReason(err) != drafting.ReasonNotAdopted {
		t.Errorf("a revision never adopted: %v", err)
	}
	pdftotext := testenv.Tool(t, "pdftotext", "poppler-utils")
	cmd := exec.Command(pdftotext, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"принят за основу", "Редакция: 2", r.SHA256, "https://redline.example.org/public/doc", "региональный центр"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the adopted text's PDF lacks %q:\n%s", want, out)
		}
	}
}

func unzip(t *testing.T, data []byte, name string) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			var b bytes.Buffer
			b.ReadFrom(rc)
			return b.String()
		}
	}
	t.Fatalf("no %s", name)
	return ""
}

func TestMegabytes(t *testing.T) {
	got := []string{megabytes(20 << 20), megabytes(4 << 10), megabytes(1536 << 10), megabytes(15<<20 + 1)}
	if diff := cmp.Diff([]string{"20", "0.1", "1.5", "15"}, got); diff != "" {
		t.Error(diff)
	}
}
