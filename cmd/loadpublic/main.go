// Command loadpublic measures the public page of an adopted text against a
// bare Gin handler writing the same cached bytes, on loopback.
//
//	loadpublic serve -dir DIR -real 127.0.0.1:PORT -bare 127.0.0.1:PORT -kb 200
//	loadpublic load -url URL -etag ETAG -duration 5s -conns 32
//
// serve builds a real Redline (SQLite and a blob folder, the Casbin
// authorizer, the JSON API and the pages) with one document of about kb
// kilobytes adopted, and a bare Gin engine that answers the page's bytes and
// ETag, 304 when revalidated. load asks one URL as fast as it can (with
// If-None-Match when etag is set) and prints the requests per second.
// scripts/load-public.sh runs both, pinned to separate cores.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/auth"
	"redline/internal/authz"
	"redline/internal/blobstore"
	"redline/internal/drafting"
	"redline/internal/httpapi"
	"redline/internal/shell"
	"redline/internal/sqlstore"
	"redline/internal/webui"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadpublic serve|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadpublic:", err)
		os.Exit(1)
	}
}

const slug = "load"

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "", "data folder (empty: a temporary one)")
	realAddr := fs.String("real", "127.0.0.1:18081", "address of the real Redline")
	bareAddr := fs.String("bare", "127.0.0.1:18082", "address of the bare Gin handler")
	kb := fs.Int("kb", 200, "size of the adopted text in kilobytes")
	_ = fs.Parse(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *dir == "" {
		d, err := os.MkdirTemp("", "loadpublic-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	h, err := build(ctx, *dir, *kb)
	if err != nil {
		return err
	}
	defer h.close()
	real := shell.NewHTTPServer(*realAddr, h.real)
	ln, err := net.Listen("tcp", *realAddr)
	if err != nil {
		return err
	}
	go real.Serve(ln)
	defer real.Close()
	body, etag, e := h.body, h.etag, h.bare
	bare := shell.NewHTTPServer(*bareAddr, e)
	bln, err := net.Listen("tcp", *bareAddr)
	if err != nil {
		return err
	}
	go bare.Serve(bln)
	defer bare.Close()
	fmt.Printf("ready page_bytes=%d etag=%s\n", len(body), etag)
	<-ctx.Done()
	return nil
}

// handlers are the real Redline and the bare Gin engine answering the
// same page.
type handlers struct {
	real, bare http.Handler
	body       []byte
	etag       string
	close      func()
}

// build makes a real Redline over SQLite and a blob folder in dir, as serve
// mounts it (the JSON API and the pages on the shell), with a document of
// about kb kilobytes adopted, and the bare Gin engine that writes the very
// bytes and ETag the real one serves for its public page, 304 when
// revalidated.
func build(ctx context.Context, dir string, kb int) (*handlers, error) {
	db, err := sqlstore.Open(ctx, "sqlite://"+filepath.Join(dir, "redline.db"))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*handlers, error) {
		db.Close()
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		return fail(err)
	}
	disk, err := blobstore.NewDisk(dir)
	if err != nil {
		return fail(err)
	}
	enf, err := authz.New(db, nil)
	if err != nil {
		return fail(err)
	}
	if err := enf.Reload(ctx); err != nil {
		return fail(err)
	}
	svc := drafting.NewService(db, disk, drafting.Options{Authorizer: enf, PolicyChanged: enf.Reload, PolicySync: enf.Sync})
	if err := seed(ctx, svc, kb); err != nil {
		return fail(err)
	}
	ui, err := webui.New(svc, webui.Options{PublicRefresh: time.Minute}) // as serve
	if err != nil {
		return fail(err)
	}
	sh, err := shell.New(svc, shell.Options{})
	if err != nil {
		return fail(err)
	}
	httpapi.Mount(sh, svc)
	ui.Mount(sh)
	real := sh.Handler()

	// The first request renders the page; the bare handler writes its bytes.
	w := httptest.NewRecorder()
	real.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/public/"+slug, nil))
	if w.Code != http.StatusOK {
		return fail(fmt.Errorf("read the public page: %d %s", w.Code, w.Body.Bytes()))
	}
	body, etag := w.Body.Bytes(), w.Header().Get("ETag")
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.GET("/public/:slug", func(c *gin.Context) {
		c.Header("ETag", etag)
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, "text/html; charset=utf-8", body)
	})
	return &handlers{real: real, bare: e, body: body, etag: etag, close: func() { db.Close() }}, nil
}

// seed adopts a document of about kb kilobytes of Russian paragraphs.
func seed(ctx context.Context, svc *drafting.Service, kb int) error {
	hash, err := auth.HashPassword("load-test-password")
	if err != nil {
		return err
	}
	admin, err := drafting.NewOperator(svc).CreateUser(ctx, drafting.NewUser{Login: "admin", PasswordHash: hash, Admin: true})
	if err != nil {
		return err
	}
	var b strings.Builder
	for i := 1; b.Len() < kb*1024; i++ {
		fmt.Fprintf(&b, "%d. Участники рекомендуют органам исполнительной власти города Москвы предусмотреть меры поддержки кластерных проектов, включая субсидии, льготную аренду и доступ к оборудованию центров коллективного пользования (пункт %d).\n\n", i, i)
	}
	text := b.String()
	if _, err := svc.Documents.Create(ctx, &admin, drafting.NewDocument{Slug: slug, Title: "Нагрузочный документ", Text: &text, Message: "load"}); err != nil {
		return err
	}
	if _, err := drafting.NewOperator(svc).GrantRole(ctx, "admin", drafting.RoleChair, slug); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(text))
	if _, err := svc.Adoptions.Approve(ctx, &admin, slug, 1, hex.EncodeToString(sum[:]), ""); err != nil {
		return err
	}
	_, err = svc.Adoptions.Adopt(ctx, &admin, slug, 1, drafting.AdoptInput{Stage: drafting.StageBasis})
	return err
}

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	target := fs.String("url", "", "URL to ask")
	etag := fs.String("etag", "", "send If-None-Match with this ETag (expect 304)")
	duration := fs.Duration("duration", 5*time.Second, "how long to run")
	conns := fs.Int("conns", 32, "concurrent connections")
	_ = fs.Parse(args)
	want := http.StatusOK
	if *etag != "" {
		want = http.StatusNotModified
	}
	tr := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var ok, bad atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	start := time.Now()
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, *target, nil)
			if *etag != "" {
				req.Header.Set("If-None-Match", *etag)
			}
			for time.Now().Before(deadline) {
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == want {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("%.0f req/s (%d ok, %d bad in %.1fs)\n", float64(ok.Load())/el, ok.Load(), bad.Load(), el)
	return nil
}
