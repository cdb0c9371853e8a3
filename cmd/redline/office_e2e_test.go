package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"redline/internal/apidoc/apidoctest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"redline/internal/testenv"
)

var e2eWords = strings.Fields(`конференция участники кластер инновационный развитие города Москвы поддержка
государственной программы предприятия научных организаций вузов центр кластерного рекомендовать обеспечить
финансирование проектов мониторинг дорожная карта правительство Москвы экономика знаний технопарк`)

// e2eText is a random Russian resolution of n numbered items.
func e2eText(rng *rand.Rand, n int) []string {
	paras := []string{"Проект итогового документа"}
	for i := 1; i <= n; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "%d. ", i)
		for k := range 6 + rng.IntN(14) {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(e2eWords[rng.IntN(len(e2eWords))])
		}
		b.WriteByte('.')
		paras = append(paras, b.String())
	}
	return paras
}

// e2eEdit edits a text as a working group would: words changed, an item
// removed, one added, one moved.
func e2eEdit(rng *rand.Rand, paras []string) []string {
	out := slices.Clone(paras)
	for range 1 + rng.IntN(3) {
		i := 1 + rng.IntN(len(out)-1)
		w := strings.Fields(out[i])
		w[1+rng.IntN(len(w)-1)] = e2eWords[rng.IntN(len(e2eWords))]
		out[i] = strings.Join(w, " ")
	}
	if len(out) > 3 && rng.IntN(2) == 0 {
		i := 1 + rng.IntN(len(out)-1)
		out = slices.Delete(out, i, i+1)
	}
	i := 1 + rng.IntN(len(out))
	out = slices.Insert(out, i, "Новый пункт: "+e2eWords[rng.IntN(len(e2eWords))]+" "+e2eWords[rng.IntN(len(e2eWords))]+".")
	if len(out) > 4 {
		from, to := 1+rng.IntN(len(out)-1), 1+rng.IntN(len(out)-1)
		p := out[from]
		out = slices.Delete(out, from, from+1)
		out = slices.Insert(out, min(to, len(out)), p)
	}
	return out
}

func squashParas(ps []string) []string {
	var out []string
	for _, p := range ps {
		if s := strings.Join(strings.Fields(p), " "); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// TestOfficeClientsThroughServer holds issue 15's checks by real clients on
// what a real redline serve process answers, not only on the office
// package: for random Russian texts and edits committed through the API,
// pandoc --track-changes=accept of the downloaded redline .docx is the newer
// text and reject the older one; LibreOffice converts every downloaded
// .docx and .odt to PDF; pdftotext gives back the text of the downloaded
// PDFs and pdffonts shows their fonts embedded; files LibreOffice made
// import through the API to their text, with what they do not carry listed.
func TestOfficeClientsThroughServer(t *testing.T) {
	pandoc := testenv.Tool(t, "pandoc", "pandoc")
	soffice := testenv.Tool(t, "soffice", "libreoffice-writer-nogui")
	pdftotext := testenv.Tool(t, "pdftotext", "poppler-utils")
	pdffonts := testenv.Tool(t, "pdffonts", "poppler-utils")
	data := t.TempDir()
	dir := t.TempDir()
	env := []string{"REDLINE_DATA_DIR=" + data, "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT="}
	redline := func(stdin string, args ...string) string {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env, cmd.Stdin = append(append(os.Environ(), "REDLINE_TEST_AS_MAIN=1"), env...), strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("redline %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	redline("office-clients-1\n", "user", "add", "boss", "--admin")
	token := redline("", "token", "create", "boss")
	srv := startServe(t, env)
	call := func(method, path string, body io.Reader, ctype string, want int) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, srv.base+path, body)
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := apidoctest.Client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return b
	}
	jsonBody := func(v any) io.Reader { b, _ := json.Marshal(v); return bytes.NewReader(b) }
	save := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(name string, args ...string) []byte {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v", filepath.Base(name), args, err)
		}
		return out
	}

	rng := rand.New(rand.NewPCG(15, 2))
	var offices, pdfs []string
	want := map[string]string{} // a downloaded PDF → a text it must show
	for c := range 6 {
		slug := "doc-" + strconv.Itoa(c)
		old := e2eText(rng, 4+rng.IntN(8))
		nw := e2eEdit(rng, old)
		oldText, newText := strings.Join(old, "\n\n"), strings.Join(nw, "\n\n")
		call("POST", "/api/v1/documents", jsonBody(map[string]any{"slug": slug, "title": "Итоговый документ " + strconv.Itoa(c), "text": oldText}), "application/json", 201)
		call("PUT", "/api/v1/documents/"+slug+"/members/boss", jsonBody(map[string]any{"role": "chair"}), "application/json", 200)
		call("POST", "/api/v1/documents/"+slug+"/revisions", jsonBody(map[string]any{"base": 1, "text": newText}), "application/json", 201)
		redlineFile := save(slug+"-diff.docx", call("GET", "/api/v1/documents/"+slug+"/diff.docx?from=1&to=2", nil, "", 200))
		for _, side := range []struct {
			mode  string
			paras []string
		}{{"accept", nw}, {"reject", old}} {
			out := run(pandoc, "--track-changes="+side.mode, "-f", "docx", "-t", "plain", "--wrap=none", redlineFile)
			got := squashParas(strings.Split(string(out), "\n\n"))
			if !slices.Equal(got, squashParas(side.paras)) {
				t.Errorf("%s: pandoc --track-changes=%s gives\n%q\nwant\n%q", slug, side.mode, got, squashParas(side.paras))
			}
		}
		offices = append(offices, redlineFile,
			save(slug+".docx", call("GET", "/api/v1/documents/"+slug+"/revisions/2/export.docx", nil, "", 200)),
			save(slug+".odt", call("GET", "/api/v1/documents/"+slug+"/revisions/2/export.odt", nil, "", 200)))
		p := save(slug+".pdf", call("GET", "/api/v1/documents/"+slug+"/revisions/2/export.pdf", nil, "", 200))
		pdfs = append(pdfs, p)
		want[p] = nw[len(nw)-1]
		p = save(slug+"-diff.pdf", call("GET", "/api/v1/documents/"+slug+"/diff.pdf?from=1&to=2", nil, "", 200))
		pdfs = append(pdfs, p)
		want[p] = "Поправки: редакция 1 → редакция 2"
	}
	// The last document is adopted and its public PDF read too.
	r := call("GET", "/api/v1/documents/doc-5/revisions/2", nil, "", 200)
	var rev struct{ SHA256 string }
	json.Unmarshal(r, &rev)
	call("POST", "/api/v1/documents/doc-5/revisions/2/approvals", jsonBody(map[string]any{"sha256": rev.SHA256}), "application/json", 201)
	call("POST", "/api/v1/documents/doc-5/revisions/2/adopt", jsonBody(map[string]any{"stage": "final"}), "application/json", 201)
	p := save("public.pdf", call("GET", "/api/v1/public/documents/doc-5/download/2.pdf", nil, "", 200))
	pdfs = append(pdfs, p)
	want[p] = rev.SHA256

	// LibreOffice converts every file Redline wrote.
	profile := "-env:UserInstallation=file://" + filepath.Join(dir, "profile")
	run(soffice, append([]string{profile, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", filepath.Join(dir, "lo")}, offices...)...)
	for _, f := range offices {
		out := filepath.Join(dir, "lo", strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+".pdf")
		if st, err := os.Stat(out); err != nil || st.Size() == 0 {
			t.Errorf("LibreOffice did not convert %s: %v", filepath.Base(f), err)
		}
	}
	// poppler reads Redline's PDFs: their text, and every font embedded.
	for _, f := range pdfs {
		text := strings.Join(strings.Fields(string(run(pdftotext, f, "-"))), " ")
		if !strings.Contains(text, strings.Join(strings.Fields(want[f]), " ")) {
			t.Errorf("pdftotext %s lacks %q", filepath.Base(f), want[f])
		}
		for _, line := range strings.Split(string(run(pdffonts, f)), "\n")[2:] {
			if fs := strings.Fields(line); len(fs) >= 5 && fs[len(fs)-5] != "yes" {
				t.Errorf("%s: a font is not embedded: %s", filepath.Base(f), line)
			}
		}
	}

	// Files LibreOffice made import through the API: Redline's own
	// exports converted by LibreOffice to the other format, and the real
	// Aprx manual.
	run(soffice, profile, "--headless", "--norestore", "--convert-to", "odt", "--outdir", filepath.Join(dir, "lo-odt"), filepath.Join(dir, "doc-0.docx"))
	run(soffice, profile, "--headless", "--norestore", "--convert-to", "docx", "--outdir", filepath.Join(dir, "lo-docx"), filepath.Join(dir, "doc-0.odt"))
	upload := func(path string) map[string]any {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", filepath.Base(path))
		fw.Write(b)
		mw.Close()
		var m map[string]any
		json.Unmarshal(call("POST", "/api/v1/documents/doc-0/imports", &body, mw.FormDataContentType(), 200), &m)
		return m
	}
	exported := string(call("GET", "/api/v1/documents/doc-0/revisions/2/text", nil, "", 200))
	for _, f := range []string{filepath.Join(dir, "lo-odt", "doc-0.odt"), filepath.Join(dir, "lo-docx", "doc-0.docx")} {
		m := upload(f)
		if got, _ := m["text"].(string); got != exported || m["base"] != float64(2) {
			t.Errorf("%s imports as %q (base %v), want %q", filepath.Base(f), got, m["base"], exported)
		}
	}
	m := upload("../../internal/office/testdata/aprx-manual.odt")
	ignored, _ := m["ignored"].([]any)
	if m["paragraphs"] != float64(1212) || len(ignored) != 5 || m["title"] != "Aprx 2.9 Manual" {
		t.Errorf("the Aprx manual: %v paragraphs, ignored %v", m["paragraphs"], m["ignored"])
	}
}
