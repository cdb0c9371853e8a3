package webui

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"redline/web"
)

// asset is one static file, served from memory under a URL that holds the
// hash of its content, so it can be cached for ever.
type asset struct {
	name  string
	hash  string
	ctype string
	body  []byte
}

// assets are the files of web/static by name.
type assets map[string]*asset

func loadAssets() (assets, error) {
	out := assets{}
	err := fs.WalkDir(web.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := p[len("static/"):]
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		out[name] = &asset{name: name, hash: hex.EncodeToString(sum[:6]), ctype: ctype, body: b}
		return nil
	})
	return out, err
}

// URL is where the named asset is served.
func (a assets) URL(name string) string {
	if f, ok := a[name]; ok {
		return "/static/" + f.hash + "/" + f.name
	}
	return "/static/missing/" + name
}

func (u *UI) handleStatic(c *gin.Context) {
	f, ok := u.assets[c.Param("file")[1:]]
	if !ok || f.hash != c.Param("hash") {
		c.Header("Cache-Control", "no-store")
		c.String(http.StatusNotFound, "not found")
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+f.hash+`"`)
	if c.GetHeader("If-None-Match") == `"`+f.hash+`"` {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, f.ctype, f.body)
}
