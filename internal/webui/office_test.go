package webui

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"redline/internal/office"
	"redline/internal/testenv"
	"redline/internal/webui/demo"
)

// upload posts a file in a multipart form, as a browser's file field does.
func (c *client) upload(path, name string, data []byte) (*http.Response, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.site.URL+path, &b)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func officeBytes(t *testing.T, f office.Format, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if f == office.FormatODT {
		err = office.WriteODT(&b, text, office.Meta{Title: "Проект резолюции"})
	} else {
		err = office.WriteDOCX(&b, text, office.Meta{Title: "Проект резолюции"})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportPages: an administrator uploads a new document's file and a
// chair the next revision's; each reviews the text (in Russian: what was
// not carried, the changes against the head) and creates or commits it
// with the usual forms. Refused files are said next to the file field, in
// the page's language; who may not import gets an error page.
func TestImportPages(t *testing.T) {
	s := newSite(t)
	admin := s.client().signIn("admin")
	text := "Проект резолюции\n\n1. Поддержать создание кластеров.\n\n2. Рекомендовать правительству Москвы программу."
	withPicture := officeBytes(t, office.FormatDOCX, text)
	resp, body := admin.upload("/documents/import", "Проект резолюции 2011.docx", withPicture)
	if resp.StatusCode != 200 {
		t.Fatalf("admin upload: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Проверка текста из файла", "Проект резолюции 2011.docx", "Word (.docx)", "Перенесено всё содержимое файла.",
		`action="/documents"`, `value="proekt-rezolyutsii-2011"`, "2. Рекомендовать правительству Москвы программу.", "Создать документ"} {
		if !strings.Contains(body, want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	resp, _ = admin.post("/documents", url.Values{"slug": {"rezolyutsiya"}, "title": {"Проект резолюции"},
		"approvals_required": {"1"}, "text": {strings.ReplaceAll(text, "\n", "\r\n")}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create from the reviewed text: %d", resp.StatusCode)
	}
	_, stored, err := s.svc.Documents.Text(context.Background(), s.admin, "rezolyutsiya", 1)
	if err != nil || string(stored) != text {
		t.Fatalf("stored %q %v", stored, err)
	}

	// The chair's next revision, reviewed against the head.
	chair := s.client().signIn("chair")
	next := demo.Revision4 + "\n\n25. Новый пункт, внесённый из файла."
	resp, body = chair.upload("/documents/"+demo.Slug+"/import", "редакция.odt", officeBytes(t, office.FormatODT, next))
	if resp.StatusCode != 200 {
		t.Fatalf("chair upload: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Изменения относительно редакции № 4", "Сохранить редакцию № 5", `name="base" value="4"`,
		"Импорт из файла редакция.odt", "LibreOffice (.odt)", `<ins class="ins">`} {
		if !strings.Contains(body, want) {
			t.Errorf("chair's review page lacks %q", want)
		}
	}
	resp, _ = chair.post("/documents/"+demo.Slug+"/edit", url.Values{"base": {"4"}, "text": {next}, "message": {"Импорт из файла редакция.odt"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit the reviewed text: %d", resp.StatusCode)
	}

	// What a file does not carry is listed, in Russian.
	picture := docxWith(t, `<w:p><w:r><w:t>Текст</w:t></w:r><w:r><w:drawing/></w:r><w:r><w:footnoteReference w:id="1"/></w:r></w:p>`)
	_, body = admin.upload("/documents/import", "draft.docx", picture)
	for _, want := range []string{"Что не перенесено в текст", "1 рисунок или схема — в абзацах 1", "1 сноска — в абзацах 1", `value="draft"`} {
		if !strings.Contains(body, want) {
			t.Errorf("ignored parts: no %q", want)
		}
	}

	// Refusals.
	resp, body = admin.upload("/documents/import", "notes.txt", []byte("просто текст"))
	if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body, "Это не документ Word (.docx) или LibreOffice (.odt)") ||
		!strings.Contains(body, `id="import-form"`) {
		t.Errorf("not a document: %d", resp.StatusCode)
	}
	tracked := docxWith(t, `<w:p><w:ins w:id="1" w:author="a"><w:r><w:t>вставка</w:t></w:r></w:ins></w:p>`)
	resp, body = chair.upload("/documents/"+demo.Slug+"/import", "tracked.docx", tracked)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "непринятые исправления") || !strings.Contains(body, `id="edit-form"`) {
		t.Errorf("tracked changes: %d", resp.StatusCode)
	}
	member := s.client().signIn("ivanova")
	if resp, _ := member.upload("/documents/"+demo.Slug+"/import", "p.docx", withPicture); resp.StatusCode != http.StatusForbidden {
		t.Errorf("member upload: %d", resp.StatusCode)
	}
	if resp, _ := chair.upload("/documents/import", "p.docx", withPicture); resp.StatusCode != http.StatusForbidden {
		t.Errorf("chair's new document: %d", resp.StatusCode)
	}
	// In English, the same refusal in English.
	en := s.client().signIn("admin")
	en.get("/lang/en")
	_, body = en.upload("/documents/import", "notes.txt", []byte("просто текст"))
	if !strings.Contains(body, "This is not a Word (.docx) or LibreOffice (.odt) document.") {
		t.Errorf("English refusal missing")
	}
}

func docxWith(t *testing.T, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := office.WriteDOCX(&b, "x", office.Meta{}); err != nil {
		t.Fatal(err)
	}
	// Replace the body of Redline's own .docx with the given one.
	data := b.Bytes()
	return rewriteZip(t, data, "word/document.xml", func(doc string) string {
		i, j := strings.Index(doc, "<w:body>"), strings.Index(doc, "</w:body>")
		return doc[:i+len("<w:body>")] + body + doc[j:]
	})
}

// TestBrowserImportAndDownloads: in Chromium, a chair uploads a .docx that
// LibreOffice made (after one too large, refused with the limit), reviews
// the text (changing a word), and commits it; the
// download buttons of the revision, the redline and the public page answer
// with the right types and files that the office package reads back.
func TestBrowserImportAndDownloads(t *testing.T) {
	soffice := testenv.Tool(t, "soffice", "libreoffice-writer-nogui")
	s := newSite(t)
	dir := t.TempDir()
	adopted := strings.TrimRight(demo.Revision4, "\n")
	next := adopted + "\n\n25. Пункт, подготовленный секретариатом в Word."
	odt := filepath.Join(dir, "проект.odt")
	if err := os.WriteFile(odt, officeBytes(t, office.FormatODT, next), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore",
		"--convert-to", "docx", "--outdir", dir, odt)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	docx := filepath.Join(dir, "проект.docx")
	if _, err := os.Stat(docx); err != nil {
		t.Fatalf("LibreOffice made no .docx: %v", err)
	}

	b := newBrowser(t, s)
	b.signIn("chair")
	// A file over the limit is refused on its length, unread, and the
	// browser shows why next to the file field.
	big := filepath.Join(dir, "большой.docx")
	if err := os.WriteFile(big, append([]byte("PK\x03\x04"), make([]byte, 30<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open("/documents/" + demo.Slug + "/edit")
	b.do("choose a 30 MB file", chromedp.SetUploadFiles("#import-file", []string{big}))
	b.submitStatus("#import-form button[type=submit]", http.StatusRequestEntityTooLarge)
	if got := b.text("#import-form .field-error"); got != "Файл больше допустимого размера (20 МБ)." {
		t.Errorf("refusal shown: %q", got)
	}
	b.open("/documents/" + demo.Slug + "/edit")
	b.do("choose the file", chromedp.SetUploadFiles("#import-file", []string{docx}))
	b.submit("#import-form button[type=submit]")
	if loc := eval[string](b, "location.pathname"); loc != "/documents/"+demo.Slug+"/import" {
		t.Fatalf("upload landed on %s", loc)
	}
	if got := b.text("#import-facts"); !strings.Contains(got, "проект.docx") || !strings.Contains(got, "Word (.docx)") {
		t.Errorf("facts: %q", got)
	}
	if got := b.text("#import-ignored"); !strings.Contains(got, "Перенесено всё содержимое файла.") {
		t.Errorf("ignored: %q", got)
	}
	if got := eval[string](b, "document.querySelector('#e-text').value"); got != next {
		t.Fatalf("the review shows %q, want the file's text", got)
	}
	b.shot("import-review")
	// The reviewer corrects a word before committing.
	reviewed := strings.Replace(next, "в Word", "в Word и проверенный", 1)
	b.do("correct the text", chromedp.SetValue("#e-text", reviewed))
	b.submit("#import-commit button[type=submit]")
	if loc := eval[string](b, "location.pathname + location.search"); loc != "/documents/"+demo.Slug+"?rev=5&done=revision.committed" {
		t.Fatalf("commit landed on %s", loc)
	}
	_, stored, err := s.svc.Documents.Text(context.Background(), s.user("chair"), demo.Slug, 5)
	if err != nil || string(stored) != reviewed {
		t.Fatalf("revision 5 is %q (%v), want the reviewed text", stored, err)
	}

	// Downloads, fetched as the page's links are, with the reader's session.
	fetch := func(sel string) (string, []byte) {
		t.Helper()
		js := `(() => { const a = document.querySelector(` + jsString(sel) + `); if (!a) return ['', '', ''];
			const x = new XMLHttpRequest(); x.open('GET', a.href, false);
			x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
			let s = ''; for (let i = 0; i < x.responseText.length; i++) s += String.fromCharCode(x.responseText.charCodeAt(i) & 0xff);
			return [String(x.status), x.getResponseHeader('Content-Type') || '', btoa(s)]; })()`
		v := eval[[]string](b, js)
		if v[0] != "200" {
			t.Fatalf("%s: status %q", sel, v[0])
		}
		data, err := base64.StdEncoding.DecodeString(v[2])
		if err != nil {
			t.Fatal(err)
		}
		return v[1], data
	}
	check := func(where, sel string, f office.Format, want string) {
		t.Helper()
		ctype, data := fetch(sel)
		if ctype != office.ContentType(f) {
			t.Errorf("%s %s: type %q", where, f, ctype)
		}
		switch {
		case f == office.FormatPDF:
			if !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("%s: not a PDF", where)
			}
		case want == "":
			// A redline: tracked changes, which an import refuses.
			if _, err := office.ImportBytes(data, office.Limits{}); office.ReasonOf(err) != office.ReasonPendingTrackedChanges {
				t.Errorf("%s: the redline .docx reads back as %v", where, err)
			}
		default:
			im, err := office.ImportBytes(data, office.Limits{})
			if err != nil || im.Text != want {
				t.Errorf("%s %s does not read back: %v", where, f, err)
			}
		}
	}
	for _, f := range []office.Format{office.FormatDOCX, office.FormatODT, office.FormatPDF} {
		check("revision 5", "#downloads a[href$='export."+string(f)+"']", f, reviewed)
	}
	b.open("/documents/" + demo.Slug + "/diff?from=4&to=5")
	check("redline", "#diff-downloads a[href*='diff.docx']", office.FormatDOCX, "")
	check("redline", "#diff-downloads a[href*='diff.pdf']", office.FormatPDF, "")
	b.open("/public/" + demo.Slug)
	for _, f := range []office.Format{office.FormatDOCX, office.FormatODT, office.FormatPDF} {
		check("public page", "#public-downloads a[href$='."+string(f)+"']", f, adopted)
	}
	if f := b.foreign(); len(f) > 0 {
		t.Errorf("requests left the site: %v", f)
	}
}

// rewriteZip returns the archive with one entry's text changed by f.
func rewriteZip(t *testing.T, data []byte, name string, f func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == name {
			b = []byte(f(string(b)))
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func TestSlugFrom(t *testing.T) {
	for name, want := range map[string]string{
		"Проект резолюции 2011.docx":     "proekt-rezolyutsii-2011",
		"Итоговый документ (ред. 3).odt": "itogovyy-dokument-red-3",
		"draft_v2.DOCX":                   "draft-v2",
		"Щёткин и съезд.docx":             "shchetkin-i-sezd",
		"文件.docx":                         "",
		strings.Repeat("щ", 40) + ".docx": strings.Repeat("shch", 15),
	} {
		if got := slugFrom(name); got != want {
			t.Errorf("slugFrom(%q) = %q, want %q", name, got, want)
		}
	}
}
