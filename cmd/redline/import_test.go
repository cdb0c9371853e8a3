package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"redline/internal/apidoc/apidoctest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"redline/internal/office"
	"redline/internal/textdiff"
)

const importText = "Проект итогового документа\n\n1. Участники конференции приняли за основу проект.\n\n2. Рекомендовать создать центр кластерного развития."

func writeDOCX(t *testing.T, dir, name, text string) string {
	t.Helper()
	var b bytes.Buffer
	if err := office.WriteDOCX(&b, text, office.Meta{Title: "Итоговый документ"}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportCommand: redline import creates a document as an
// administrator, commits the next revision as its chair, lists what was
// ignored, and refuses with the reason.
func TestImportCommand(t *testing.T) {
	dir := useDataDir(t)
	if code, _, errs := runCLI(t, "secret-password-1\n", "user", "add", "boss", "--admin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "secret-password-2\n", "user", "add", "anna"); code != 0 {
		t.Fatal(errs)
	}
	file := writeDOCX(t, dir, "проект.docx", importText)
	code, out, errs := runCLI(t, "", "import", file, "--document", "doc", "--as", "boss")
	if code != 0 || !strings.Contains(out, `created document doc ("Итоговый документ") with revision 1`) ||
		!strings.Contains(out, "3 paragraphs") || !strings.Contains(out, "ignored: nothing") {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	// The chair commits the next revision; anna, a member, may not.
	next := importText + "\n\n3. Новый пункт."
	file2 := writeDOCX(t, dir, "next.docx", next)
	if code, _, errs := runCLI(t, "", "role", "grant", "anna", "member", "doc"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "import", file2, "--document", "doc", "--as", "anna", "--base", "1"); code != 1 || !strings.Contains(errs, "refused (not_a_chair)") {
		t.Errorf("member: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "import", file2, "--document", "doc", "--as", "boss"); code != 1 || !strings.Contains(errs, "refused (slug_taken)") || !strings.Contains(errs, "--base 1") {
		t.Errorf("existing document without --base: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "", "role", "grant", "boss", "chair", "doc"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "import", file2, "--document", "doc", "--as", "boss", "--base", "7"); code != 1 || !strings.Contains(errs, "refused (stale_base)") {
		t.Errorf("stale base: %d %s", code, errs)
	}
	code, out, errs = runCLI(t, "", "import", file2, "--dry-run", "--document", "doc", "--as", "boss", "--base", "1")
	if code != 0 || !strings.Contains(out, "dry run: nothing committed") || !strings.HasSuffix(out, next+"\n") {
		t.Errorf("dry run: %d %s %s", code, out, errs)
	}
	code, out, errs = runCLI(t, "", "import", "--document", "doc", file2, "--as", "boss", "--base", "1", "--message", "из файла")
	if code != 0 || !strings.Contains(out, "committed revision 2 of doc") {
		t.Fatalf("commit: %d %s %s", code, out, errs)
	}

	// What a text does not carry is listed; hostile or wrong files are
	// refused with their reason.
	withPicture := docxFile(t, `<w:p><w:r><w:t>Текст</w:t></w:r><w:r><w:drawing/></w:r></w:p><w:p><w:r><w:t>Ещё</w:t></w:r></w:p>`)
	p := filepath.Join(dir, "picture.docx")
	os.WriteFile(p, withPicture, 0o644)
	code, out, _ = runCLI(t, "", "import", p, "--document", "pic", "--as", "boss")
	if code != 0 || !strings.Contains(out, "ignored (not in the text):\n  1 picture in paragraphs 1\n") {
		t.Errorf("ignored parts: %d %s", code, out)
	}
	var red bytes.Buffer
	if err := office.WriteRedlineDOCX(&red, textdiff.Diff(importText, next, textdiff.Options{}), office.RedlineMeta{}); err != nil {
		t.Fatal(err)
	}
	refusals := map[string][]byte{
		"pending_tracked_changes": red.Bytes(),
		"not_a_document":          []byte("1. Пункт."),
		"entity_expansion":        docxDocument(t, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><w:document/>`),
	}
	for reason, data := range refusals {
		p := filepath.Join(dir, reason+".docx")
		os.WriteFile(p, data, 0o644)
		if code, _, errs := runCLI(t, "", "import", p, "--document", "x-"+strings.ReplaceAll(reason, "_", "-"), "--as", "boss"); code != 1 || !strings.Contains(errs, "refused ("+reason+")") {
			t.Errorf("%s: %d %s", reason, code, errs)
		}
	}
	for _, args := range [][]string{{"import"}, {"import", file}, {"import", file, "--document", "doc"}, {"import", "--as", "boss", "--document", "doc"}} {
		if code, _, _ := runCLI(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// A .docx with the given body.
func docxFile(t testing.TB, body string) []byte {
	return docxDocument(t, `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`+body+`</w:body></w:document>`)
}

func docxDocument(t testing.TB, doc string) []byte {
	return docxArchive(t, func(z *zip.Writer) {
		w, _ := z.Create("word/document.xml")
		io.WriteString(w, doc)
	})
}

func docxArchive(t testing.TB, body func(z *zip.Writer)) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("_rels/.rels")
	io.WriteString(w, `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	body(z)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rawEntry adds an entry whose header declares size bytes inflated, with an
// already deflated payload: how zip bombs are made.
func rawEntry(t testing.TB, z *zip.Writer, name string, size uint64, payload []byte, crc uint32) {
	w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(len(payload)), UncompressedSize64: size, CRC32: crc})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(payload)
}

func deflated(t testing.TB, r io.Reader) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	if _, err := io.Copy(fw, r); err != nil {
		t.Fatal(err)
	}
	fw.Close()
	return buf.Bytes()
}

// hostileCase is an upload and the reason it must be refused with ("" for
// a file that imports).
type hostileCase struct {
	name   string
	data   func() []byte
	reason string
}

func hostileCases(t *testing.T) []hostileCase {
	const wns = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"`
	head := `<?xml version="1.0"?><w:document ` + wns + `><w:body>`
	tail := `</w:body></w:document>`
	rng := rand.New(rand.NewPCG(3, 4))
	return []hostileCase{
		{"zip bomb declaring 4 GiB", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				rawEntry(t, z, "word/document.xml", 4<<30, deflated(t, io.LimitReader(zeroReader{}, 4<<20)), 0)
			})
		}, "zip_bomb"},
		{"zip bomb compressed 1000 times", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				payload := deflated(t, io.MultiReader(strings.NewReader(head+"<w:p><w:r><w:t>"), io.LimitReader(zeroReader{}, 1<<20)))
				rawEntry(t, z, "word/document.xml", 60<<20, append(payload, make([]byte, 60<<10-len(payload))...), 0)
			})
		}, "zip_bomb"},
		{"zip bomb lying about its size", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				doc := head + "<w:p><w:r><w:t>" + strings.Repeat("бомба ", 300<<10) + "</w:t></w:r></w:p>" + tail
				rawEntry(t, z, "word/document.xml", 10<<10, deflated(t, strings.NewReader(doc)), crc32.ChecksumIEEE([]byte(doc)))
			})
		}, "zip_bomb"},
		{"billion laughs", func() []byte {
			var b strings.Builder
			b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
			for i := 1; i <= 9; i++ {
				prev := "lol"
				if i > 1 {
					prev = "lol" + strconv.Itoa(i-1)
				}
				b.WriteString(`<!ENTITY lol` + strconv.Itoa(i) + ` "` + strings.Repeat("&"+prev+";", 10) + `">`)
			}
			b.WriteString(`]><w:document ` + wns + `><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>`)
			return docxDocument(t, b.String())
		}, "entity_expansion"},
		{"100 000 empty paragraphs", func() []byte {
			var b strings.Builder
			b.WriteString(head)
			for range 100_000 {
				fmt.Fprintf(&b, `<w:p w:rsidR="%08X" w:rsidP="%08X"/>`, rng.Uint32(), rng.Uint32())
			}
			b.WriteString(tail)
			return docxDocument(t, b.String())
		}, "too_many_paragraphs"},
		{"path climbing out of the archive", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				w, _ := z.Create("../../etc/passwd")
				io.WriteString(w, "x")
			})
		}, "unsafe_path"},
		{"a 15 MB file that is not a document", func() []byte {
			b := make([]byte, 15<<20)
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			copy(b, "PK\x03\x04")
			return b
		}, "not_a_document"},
		{"the real Aprx manual", func() []byte {
			b, err := os.ReadFile("../../internal/office/testdata/aprx-manual.odt")
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, ""},
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// serverBinary is a redline binary without the race detector, whose shadow
// memory would triple what is measured: this test binary when it has none,
// else one built with go build, once for the whole package.
func serverBinary(t *testing.T) (bin string, env []string) {
	if !raceEnabled {
		return os.Args[0], []string{"REDLINE_TEST_AS_MAIN=1"}
	}
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "redline-cmd-test-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "redline"), ".")
		cmd.Env = append(os.Environ(), "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return filepath.Join(built.dir, "redline"), nil
}

// built is the redline binary serverBinary builds (removed by TestMain).
var built struct {
	once sync.Once
	dir  string
	err  error
}

// peakRSS reads a process's peak resident set size (VmHWM).
func peakRSS(t *testing.T, pid int) int64 { return procStatus(t, pid, "VmHWM:") }

// procStatus reads a size from a process's /proc status.
func procStatus(t *testing.T, pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no " + field)
	return 0
}

// resetPeak starts a new peak RSS measurement (Linux's clear_refs 5); false
// when the kernel does not allow it, and the peak then spans every case.
func resetPeak(pid int) bool {
	return os.WriteFile("/proc/"+strconv.Itoa(pid)+"/clear_refs", []byte("5"), 0) == nil
}

const maxServerRSS = 256 << 20

// TestHostileUploads sends hostile uploads to a real redline serve process
// through POST /api/v1/documents/{slug}/imports and measures the server's
// peak resident memory (VmHWM) for each: every one is refused with its
// reason and the server stays under 256 MB, also with four uploads at once.
// A 50 MB upload is refused on its declared length before the server reads
// it, and one without a length once the cap is reached.
func TestHostileUploads(t *testing.T) {
	bin, env := serverBinary(t)
	dir := t.TempDir()
	env = append(append(os.Environ(), env...), "REDLINE_DATA_DIR="+dir, "REDLINE_DATABASE_URL=", "REDLINE_S3_ENDPOINT=")
	// The account and its token are made by the command line beforehand:
	// signing in (argon2id, 64 MiB a hash) is not what is measured.
	redline := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("redline %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	redline("hostile-uploads-1\n", "user", "add", "boss", "--admin")
	token := redline("", "token", "create", "boss")
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	srv := &server{cmd: cmd, stderr: &lockedBuffer{}, lines: make(chan string, 100)}
	cmd.Stderr = srv.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			srv.lines <- sc.Text()
		}
		close(srv.lines)
	}()
	base := srv.find(t, regexp.MustCompile(`listening on (http://\S+)`))
	pid := cmd.Process.Pid
	url := base + "/api/v1/documents/upload-test/imports"
	t.Logf("server at rest: peak RSS %d MB", peakRSS(t, pid)>>20)

	post := func(data []byte) (int, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "upload.docx")
		fw.Write(data)
		mw.Close()
		req, _ := http.NewRequest("POST", url, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := apidoctest.Client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error struct{ Reason string } `json:"error"`
			Text  string                  `json:"text"`
		}
		raw, _ := io.ReadAll(resp.Body)
		json.Unmarshal(raw, &body)
		return resp.StatusCode, body.Error.Reason
	}
	resettable := resetPeak(pid)
	if !resettable {
		t.Log("the kernel does not let the peak be reset: each figure is the peak so far")
	}
	// Each case's peak is measured from a reset; Go keeps freed memory
	// resident for a while, so it starts from what the case before left
	// (shown as "from").
	from := procStatus(t, pid, "VmRSS:")
	measure := func(name string) {
		rss := peakRSS(t, pid)
		if rss > maxServerRSS {
			t.Errorf("%s: server peak RSS %d MB, want under %d MB", name, rss>>20, maxServerRSS>>20)
		}
		t.Logf("%-52s server peak RSS %3d MB (from %3d MB)", name, rss>>20, from>>20)
		resetPeak(pid)
		from = procStatus(t, pid, "VmRSS:")
	}
	cases := hostileCases(t)
	for _, c := range cases {
		data := c.data()
		status, reason := post(data)
		switch {
		case c.reason == "" && status != 200:
			t.Errorf("%s: %d %s, want 200", c.name, status, reason)
		case c.reason != "" && reason != c.reason:
			t.Errorf("%s: %d %s, want %s", c.name, status, reason, c.reason)
		}
		measure(fmt.Sprintf("%s (%s)", c.name, orOK(reason)))
	}

	// A 50 MB upload: refused on its declared length, with the limit, while
	// the client has sent only its first megabyte.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	const boundary = "hostile"
	fmt.Fprintf(conn, "POST /api/v1/documents/upload-test/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n", token, boundary, 50<<20)
	fmt.Fprintf(conn, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.docx\"\r\n\r\nPK\x03\x04", boundary)
	conn.Write(make([]byte, 1<<20))
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a declared 50 MB upload after 1 MB sent: %v", err)
	}
	raw, _ := io.ReadAll(resp.Body)
	conn.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(raw), `"reason":"file_too_large"`) || !strings.Contains(string(raw), `"max_bytes":20971520`) {
		t.Errorf("declared 50 MB: %d %s", resp.StatusCode, raw)
	}
	measure("50 MB declared, 1 MB sent (file_too_large)")

	// The same without a declared length (chunked): read up to the cap, no
	// further.
	conn, err = net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/v1/documents/upload-test/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nTransfer-Encoding: chunked\r\n\r\n", token, boundary)
	var sent int64
	var mu sync.Mutex
	go func() {
		chunk := make([]byte, 64<<10)
		pre := fmt.Sprintf("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.docx\"\r\n\r\nPK\x03\x04", boundary)
		fmt.Fprintf(conn, "%x\r\n%s\r\n", len(pre), pre)
		for i := 0; i < 50<<20/len(chunk); i++ {
			if _, err := fmt.Fprintf(conn, "%x\r\n", len(chunk)); err != nil {
				return
			}
			if _, err := conn.Write(append(chunk, '\r', '\n')); err != nil {
				return
			}
			mu.Lock()
			sent += int64(len(chunk))
			mu.Unlock()
		}
		io.WriteString(conn, "0\r\n\r\n")
	}()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a 50 MB chunked upload: %v", err)
	}
	raw, _ = io.ReadAll(resp.Body)
	mu.Lock()
	atAnswer := sent
	mu.Unlock()
	conn.Close()
	if resp.StatusCode != 413 || !strings.Contains(string(raw), `"reason":"file_too_large"`) {
		t.Errorf("chunked 50 MB: %d %s", resp.StatusCode, raw)
	}
	if atAnswer >= 40<<20 {
		t.Errorf("the server answered only after %d MB of a 50 MB upload", atAnswer>>20)
	}
	t.Logf("chunked 50 MB upload refused after %d MB sent", atAnswer>>20)
	measure("50 MB chunked (file_too_large)")

	// Four at once: imports take turns, so memory stays bounded.
	var wg sync.WaitGroup
	for _, i := range []int{0, 4, 6, 6} {
		c, data := cases[i], cases[i].data()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, reason := post(data); reason != c.reason {
				t.Errorf("at once, %s: %s, want %s", c.name, reason, c.reason)
			}
		}()
	}
	wg.Wait()
	measure("four uploads at once")
}

func orOK(reason string) string {
	if reason == "" {
		return "imported"
	}
	return reason
}
