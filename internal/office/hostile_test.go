package office

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Hostile uploads are imported in a child process each, so that the peak
// resident memory (VmHWM) of one import can be measured: it must stay under
// 256 MB whatever the input, and the import must be refused with its reason.

const (
	envHostileFile = "REDLINE_OFFICE_HOSTILE_FILE"
	maxRSS         = 256 << 20
)

// TestHostileChild is the child: it imports the file it is given and prints
// the reason and its peak RSS. It does nothing in a normal run.
func TestHostileChild(t *testing.T) {
	name := os.Getenv(envHostileFile)
	if name == "" {
		t.Skip("run by TestHostileMemory")
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := Import(f, Limits{})
	reason := string(ReasonOf(err))
	if err == nil {
		reason = "ok:" + strconv.Itoa(im.Paragraphs)
	} else if reason == "" {
		reason = "error:" + err.Error()
	}
	fmt.Printf("\nRESULT %s %d\n", reason, peakRSS(t))
}

// peakRSS reads the process's peak resident set size from /proc.
func peakRSS(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// rawEntry adds an entry whose header declares size bytes inflated, with the
// given already-deflated payload: how zip bombs and lying headers are made.
func rawEntry(t testing.TB, z *zip.Writer, name string, size uint64, payload []byte, crc uint32) {
	t.Helper()
	w, err := z.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(len(payload)), UncompressedSize64: size, CRC32: crc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(payload); err != nil {
		t.Fatal(err)
	}
}

func deflate(t testing.TB, r io.Reader) []byte {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	if _, err := io.Copy(fw, r); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// docxArchive writes the package parts every .docx has, then body(z) adds
// word/document.xml.
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

type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// childBinary returns a test binary of this package without the race
// detector: this one when it has none, else a copy built with go test -c.
// Production binaries have no race detector, and its shadow memory would
// triple what is measured.
func childBinary(t *testing.T, dir string) string {
	if !raceEnabled {
		return os.Args[0]
	}
	bin := filepath.Join(dir, "office.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	return bin
}

func TestHostileMemory(t *testing.T) {
	if os.Getenv(envHostileFile) != "" {
		t.Skip("child")
	}
	dir := t.TempDir()
	child := childBinary(t, dir)
	rng := rand.New(rand.NewPCG(1, 2))
	head := `<?xml version="1.0"?><w:document ` + wNS + `><w:body>`
	tail := `</w:body></w:document>`
	cases := []struct {
		name string
		data func() []byte
		want string
	}{
		{"zip bomb declaring 4 GiB", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				rawEntry(t, z, "word/document.xml", 4<<30, deflate(t, &zeros{n: 4 << 20}), 0)
			})
		}, string(ReasonZipBomb)},
		{"zip bomb compressed 1000 times", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				// The header is all the importer needs to see: 60 MiB from
				// 60 KiB. (The payload is 1 MiB of zeros, so a reader that
				// trusted the header would inflate to its end.)
				payload := deflate(t, io.MultiReader(strings.NewReader(head+"<w:p><w:r><w:t>"), &zeros{n: 1 << 20}))
				rawEntry(t, z, "word/document.xml", 60<<20, append(payload, make([]byte, 60<<10-len(payload))...), 0)
			})
		}, string(ReasonZipBomb)},
		{"zip bomb lying about its size", func() []byte {
			return docxArchive(t, func(z *zip.Writer) {
				doc := head + "<w:p><w:r><w:t>" + strings.Repeat("бомба ", 300<<10) + "</w:t></w:r></w:p>" + tail
				rawEntry(t, z, "word/document.xml", 10<<10, deflate(t, strings.NewReader(doc)), crc32.ChecksumIEEE([]byte(doc)))
			})
		}, string(ReasonZipBomb)},
		{"100 000 archive entries", func() []byte {
			var buf bytes.Buffer
			z := zip.NewWriter(&buf)
			for i := range 100_000 {
				if _, err := z.CreateHeader(&zip.FileHeader{Name: "m/" + strconv.Itoa(i), Method: zip.Store}); err != nil {
					t.Fatal(err)
				}
			}
			z.Close()
			return buf.Bytes()
		}, string(ReasonZipBomb)},
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
			b.WriteString(`]><w:document ` + wNS + `><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>`)
			return docxWithDocument(t, b.String())
		}, string(ReasonEntityExpansion)},
		{"100 000 empty paragraphs", func() []byte {
			var b strings.Builder
			b.WriteString(head)
			var buf []byte
			for range 100_000 {
				buf = append(buf[:0], `<w:p w:rsidR="`...)
				buf = strconv.AppendUint(buf, rng.Uint64()>>16, 16)
				buf = append(buf, `" w:rsidP="`...)
				buf = strconv.AppendUint(buf, rng.Uint64()>>16, 16)
				buf = append(buf, `"/>`...)
				b.Write(buf)
			}
			b.WriteString(tail)
			return docxWithDocument(t, b.String())
		}, string(ReasonTooManyParagraphs)},
		{"20 000 nested elements", func() []byte {
			return docxWithDocument(t, head+strings.Repeat("<w:sdt><w:sdtContent>", 20_000)+tail)
		}, string(ReasonTooDeep)},
		{"a 6 MB paragraph", func() []byte {
			words := make([]string, 0, 512<<10)
			for len(words) < cap(words) {
				words = append(words, ruWords[rng.IntN(len(ruWords))])
			}
			return docxWithDocument(t, head+"<w:p><w:r><w:t>"+strings.Join(words, " ")+"</w:t></w:r></w:p>"+tail)
		}, string(ReasonTextTooLarge)},
		{"a 50 MB upload", func() []byte {
			block := make([]byte, 1<<20)
			for i := range block {
				block[i] = byte(rng.Uint32())
			}
			copy(block, "PK\x03\x04")
			return bytes.Repeat(block, 50)
		}, string(ReasonTooLarge)},
		{"the real 223 KB Aprx manual", func() []byte {
			b, err := os.ReadFile("testdata/aprx-manual.odt")
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, "ok:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := filepath.Join(dir, "input")
			if err := os.WriteFile(name, c.data(), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(child, "-test.run=^TestHostileChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), envHostileFile+"="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var reason string
			var rss int64
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "RESULT ") {
					fmt.Sscanf(line, "RESULT %s %d", &reason, &rss)
				}
			}
			if !strings.HasPrefix(reason, c.want) {
				t.Errorf("reason %q, want %q\n%s", reason, c.want, out)
			}
			if rss <= 0 || rss > maxRSS {
				t.Errorf("peak RSS %d MB, want under %d MB", rss>>20, maxRSS>>20)
			}
			t.Logf("%s: %s, peak RSS %d MB", c.name, reason, rss>>20)
		})
	}
}
