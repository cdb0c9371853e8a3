package notify_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"redline/internal/testenv"
)

// aiosmtpdPython returns a Python that can import aiosmtpd (Debian's
// python3-aiosmtpd, which make test installs): /usr/bin/python3 first,
// since a python3 earlier on PATH (pyenv, a virtualenv) does not see
// Debian's modules.
func aiosmtpdPython(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		if exec.Command(p, "-c", "import aiosmtpd").Run() == nil {
			return p
		}
	}
	if testenv.Required() {
		t.Fatalf("no python3 can import aiosmtpd but %s is set: install Debian's python3-aiosmtpd (make test does)", testenv.EnvRequire)
	}
	t.Skip("no python3 can import aiosmtpd: install Debian's python3-aiosmtpd, or run make test, which does")
	return ""
}

// smtpd is the aiosmtpd server of testdata/smtpd.py, in its own process.
type smtpd struct {
	Port string
	Dir  string
	cmd  *exec.Cmd
}

// received is one message the server accepted.
type received struct {
	Name     string
	Raw      []byte
	MailFrom string   `json:"mail_from"`
	RcptTos  []string `json:"rcpt_tos"`
	Auth     *string  `json:"auth"`
	TLS      bool     `json:"tls"`
}

// startSMTPD starts the server on a free loopback port with args, and
// stops it when the test ends.
func startSMTPD(t testing.TB, args ...string) *smtpd {
	t.Helper()
	py := aiosmtpdPython(t)
	s := &smtpd{Port: testenv.FreePort(t), Dir: t.TempDir()}
	s.cmd = exec.Command(py, append([]string{"testdata/smtpd.py", "--port", s.Port, "--dir", s.Dir}, args...)...)
	var stderr bytes.Buffer
	s.cmd.Stderr = &stderr // logged when the test ends: shown on failure or with -v
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start aiosmtpd: %v", err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
		if stderr.Len() > 0 {
			t.Logf("aiosmtpd's log:\n%s", stderr.Bytes())
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		ready <- line
	}()
	select {
	case line := <-ready:
		if strings.TrimSpace(line) != "ready" {
			t.Fatalf("aiosmtpd did not start: %q", line)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("aiosmtpd did not start within a minute")
	}
	return s
}

// messages returns what the server has accepted, in order.
func (s *smtpd) messages(t testing.TB) []received {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(s.Dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	var out []received
	for _, name := range names {
		base := strings.TrimSuffix(name, ".eml")
		var r received
		meta, err := os.ReadFile(base + ".json")
		if err != nil {
			continue // the message is being written
		}
		if err := json.Unmarshal(meta, &r); err != nil {
			t.Fatal(err)
		}
		if r.Raw, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
		r.Name = filepath.Base(base)
		out = append(out, r)
	}
	return out
}

// tlsFiles makes a self-signed certificate for 127.0.0.1, writes it and
// its key as PEM files, and returns their paths and a pool that trusts it.
func tlsFiles(t testing.TB) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "redline test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"smtp.test"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// trusting returns a TLS configuration trusting roots.
func trusting(roots *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
}
