package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Client drives Redline's JSON API as one user and records every
// acknowledged write in Acks. A transport error (the server died, the
// connection was cut) is returned as an error and acknowledges nothing; an
// answer with any status is returned as such.
type Client struct {
	Base  string // http://host:port
	Token string
	Login string
	HTTP  *http.Client
	Acks  *AckLog
}

// Response is a status and body as answered.
type Response struct {
	Status     int
	Body       []byte
	RetryAfter string
}

// Do sends one request with a JSON body (nil: none) and reads the answer.
func (c *Client) Do(ctx context.Context, method, path string, body any) (Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Response{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return Response{}, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("read answer to %s %s: %w", method, path, err)
	}
	return Response{Status: resp.StatusCode, Body: b, RetryAfter: resp.Header.Get("Retry-After")}, nil
}

func (c *Client) ack(a Ack) {
	if c.Acks != nil {
		c.Acks.Add(a)
	}
}

func decode(r Response, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("decode %d answer: %w", r.Status, err)
	}
	return nil
}

// Head returns the document's head number and hash (0, "" without one).
func (c *Client) Head(ctx context.Context, slug string) (int64, string, Response, error) {
	r, err := c.Do(ctx, "GET", "/api/v1/documents/"+slug, nil)
	if err != nil || r.Status != http.StatusOK {
		return 0, "", r, err
	}
	var d struct {
		Head *struct {
			Number int64  `json:"number"`
			SHA256 string `json:"sha256"`
		} `json:"head"`
	}
	if err := decode(r, &d); err != nil || d.Head == nil {
		return 0, "", r, err
	}
	return d.Head.Number, d.Head.SHA256, r, nil
}

// Commit commits text on base; on 201 it records the ack and returns the
// new revision's number and hash.
func (c *Client) Commit(ctx context.Context, slug string, base int64, text string) (int64, string, Response, error) {
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/revisions", map[string]any{"base": base, "text": text, "message": "load"})
	if err != nil || r.Status != http.StatusCreated {
		return 0, "", r, err
	}
	var rev struct {
		Number int64  `json:"number"`
		SHA256 string `json:"sha256"`
	}
	if err := decode(r, &rev); err != nil {
		return 0, "", r, err
	}
	c.ack(Ack{Op: OpCommit, Doc: slug, Number: rev.Number, SHA256: rev.SHA256})
	return rev.Number, rev.SHA256, r, nil
}

// Propose files text as a proposal against base; on 201 it records the ack.
func (c *Client) Propose(ctx context.Context, slug string, base int64, text, title string) (int64, Response, error) {
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/proposals", map[string]any{"base": base, "text": text, "title": title})
	if err != nil || r.Status != http.StatusCreated {
		return 0, r, err
	}
	var p struct {
		Number int64  `json:"number"`
		SHA256 string `json:"sha256"`
	}
	if err := decode(r, &p); err != nil {
		return 0, r, err
	}
	c.ack(Ack{Op: OpProposal, Doc: slug, Number: p.Number, SHA256: p.SHA256})
	return p.Number, r, nil
}

// Approve approves revision n with hash sum; on 201 it records the ack.
func (c *Client) Approve(ctx context.Context, slug string, n int64, sum string) (Response, error) {
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/revisions/"+strconv.FormatInt(n, 10)+"/approvals", map[string]any{"sha256": sum})
	if err == nil && r.Status == http.StatusCreated {
		c.ack(Ack{Op: OpApproval, Doc: slug, Number: n, SHA256: sum, Login: c.Login})
	}
	return r, err
}

// Adopt adopts revision n at stage; on 201 it records the ack.
func (c *Client) Adopt(ctx context.Context, slug string, n int64, stage string) (Response, error) {
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/revisions/"+strconv.FormatInt(n, 10)+"/adopt",
		map[string]any{"stage": stage, "override_reason": "open threads are editorial"})
	if err != nil || r.Status != http.StatusCreated {
		return r, err
	}
	var a struct {
		ID       int64  `json:"id"`
		Revision int64  `json:"revision"`
		SHA256   string `json:"sha256"`
		Stage    string `json:"stage"`
	}
	if err := decode(r, &a); err != nil {
		return r, err
	}
	c.ack(Ack{Op: OpAdoption, Doc: slug, Number: a.Revision, SHA256: a.SHA256, Stage: a.Stage, Adoption: a.ID})
	return r, nil
}

// Reopen reopens a document adopted as a whole (an administrator's
// client); on 201 it records the ack.
func (c *Client) Reopen(ctx context.Context, slug, reason string) (Response, error) {
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/reopen", map[string]any{"reason": reason})
	if err != nil || r.Status != http.StatusCreated {
		return r, err
	}
	var ro struct {
		Adoption int64 `json:"adoption"`
	}
	if err := decode(r, &ro); err != nil {
		return r, err
	}
	c.ack(Ack{Op: OpReopen, Doc: slug, Adoption: ro.Adoption})
	return r, nil
}

// State returns the document's state in the procedure.
func (c *Client) State(ctx context.Context, slug string) (string, Response, error) {
	r, err := c.Do(ctx, "GET", "/api/v1/documents/"+slug, nil)
	if err != nil || r.Status != http.StatusOK {
		return "", r, err
	}
	var d struct {
		State string `json:"state"`
	}
	err = decode(r, &d)
	return d.State, r, err
}

// CommentAnchor is a comment's anchor as the API takes it.
type CommentAnchor struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Quote  string `json:"quote"`
	Prefix string `json:"prefix"`
	Suffix string `json:"suffix"`
}

// Comment comments on revision n (anchored when a is not nil); on 201 it
// records the ack.
func (c *Client) Comment(ctx context.Context, slug string, n int64, body string, a *CommentAnchor) (int64, Response, error) {
	in := map[string]any{"revision": n, "body": body}
	if a != nil {
		in["anchor"] = a
	}
	r, err := c.Do(ctx, "POST", "/api/v1/documents/"+slug+"/comments", in)
	if err != nil || r.Status != http.StatusCreated {
		return 0, r, err
	}
	var cm struct {
		ID int64 `json:"id"`
	}
	if err := decode(r, &cm); err != nil {
		return 0, r, err
	}
	c.ack(Ack{Op: OpComment, Doc: slug, Number: n, Comment: cm.ID})
	return cm.ID, r, nil
}

// Text reads revision n's text.
func (c *Client) Text(ctx context.Context, slug string, n int64) (Response, error) {
	return c.Do(ctx, "GET", "/api/v1/documents/"+slug+"/revisions/"+strconv.FormatInt(n, 10)+"/text", nil)
}

// Adopted reads the current adopted text, as the public does.
func (c *Client) Adopted(ctx context.Context, slug string) (Response, error) {
	return c.Do(ctx, "GET", "/api/v1/public/documents/"+slug, nil)
}

// NewHTTPClient returns an HTTP client for one virtual user with a request
// timeout.
func NewHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}}
}
