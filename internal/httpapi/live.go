package httpapi

// --- issue 17: the session, live ---

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"redline/internal/drafting"
	"redline/internal/live"
	"redline/internal/shell"
)

// LiveOptions configure the live routes.
type LiveOptions struct {
	// MaxStreams bounds the event streams open at once on this instance;
	// one more is answered 503 with Retry-After, and the browser retries
	// (default 2000).
	MaxStreams int
	// MaxAge ends a stream after this long, so the browser reconnects
	// through authentication again, losing nothing (default 30 min).
	MaxAge time.Duration
	// Heartbeat is how often an idle stream writes a comment (default 15 s).
	Heartbeat time.Duration
}

// liveAPI serves the event streams and the hall.
type liveAPI struct {
	svc     *drafting.Service
	sh      *shell.Shell
	hub     *live.Hub
	opt     LiveOptions
	streams chan struct{} // a slot per open stream
}

// The stream routes, exempt from the shell's request deadline: a stream
// lives as long as its reader, each write bounded by its own deadline.
const (
	memberStreamPath = "/api/v1/documents/:slug/events/stream"
	publicStreamPath = "/api/v1/public/documents/:slug/stream"
)

// MountLive registers the event streams and the hall's API on sh:
//
//	GET /api/v1/documents/{slug}/events/stream   members' Server-Sent Events
//	GET /api/v1/public/documents/{slug}/stream   the public's (adoptions, an open hall)
//	GET /api/v1/documents/{slug}/hall            the item under discussion
//	PUT /api/v1/documents/{slug}/hall            {item, public} by a chair
//	GET /api/v1/public/documents/{slug}/hall     the hall when open to the audience
func MountLive(sh *shell.Shell, svc *drafting.Service, hub *live.Hub, opt LiveOptions) {
	if opt.MaxStreams <= 0 {
		opt.MaxStreams = 2000
	}
	if opt.MaxAge <= 0 {
		opt.MaxAge = 30 * time.Minute
	}
	l := &liveAPI{svc: svc, sh: sh, hub: hub, opt: opt, streams: make(chan struct{}, opt.MaxStreams)}
	sh.Unbounded(memberStreamPath)
	sh.Unbounded(publicStreamPath)
	api := sh.Group("/api/v1", sh.JSONError)
	api.GET("/documents/:slug/events/stream", l.handleMemberStream)
	api.GET("/public/documents/:slug/stream", l.handlePublicStream)
	api.GET("/documents/:slug/hall", l.handleHallGet)
	api.PUT("/documents/:slug/hall", l.handleHallPut)
	api.GET("/public/documents/:slug/hall", l.handlePublicHallGet)
}

func (l *liveAPI) handleMemberStream(c *gin.Context) {
	u := actor(c)
	doc, err := l.svc.Hall().DocumentID(c.Request.Context(), u, c.Param("slug"))
	if err != nil {
		l.sh.JSONError(c, err)
		return
	}
	l.stream(c, doc, live.StreamOptions{Audience: live.Members, Login: u.Login})
}

func (l *liveAPI) handlePublicStream(c *gin.Context) {
	doc, err := l.svc.Hall().PublicDocumentID(c.Request.Context(), c.Param("slug"))
	if err != nil {
		l.sh.JSONError(c, err)
		return
	}
	l.stream(c, doc, live.StreamOptions{Audience: live.Public})
}

func (l *liveAPI) stream(c *gin.Context, doc string, o live.StreamOptions) {
	const op = "stream events"
	select {
	case l.streams <- struct{}{}:
		defer func() { <-l.streams }()
	default:
		c.Header("Retry-After", "5")
		l.sh.JSONError(c, drafting.E(drafting.KindUnavailable, op, "too many event streams are open; try again shortly"))
		return
	}
	// The server's ReadTimeout would cancel the request's context once it
	// passes (net/http's background read fails and cancels it): lift it,
	// as ServeStream lifts WriteTimeout with a deadline per write.
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Time{})
	o.MaxAge, o.Heartbeat = l.opt.MaxAge, l.opt.Heartbeat
	err := l.hub.ServeStream(c.Writer, c.Request, doc, o)
	switch {
	case err == nil:
	case errors.Is(err, live.ErrBadEventID):
		l.sh.JSONError(c, drafting.Refuse(op, drafting.ReasonInvalidInput, "Last-Event-ID is not an event ID of this stream"))
	default:
		c.Header("Retry-After", "5")
		l.sh.JSONError(c, drafting.Wrap(drafting.KindUnavailable, op, "events are unavailable; try again shortly", err))
	}
}

// hallJSON is the hall of a document.
type hallJSON struct {
	Item     string     `json:"item"`
	Revision int64      `json:"revision"`
	Public   bool       `json:"public"`
	SetBy    string     `json:"set_by,omitempty"`
	SetAt    *time.Time `json:"set_at,omitempty"`
	Event    int64      `json:"event"`
}

func hallOut(h drafting.HallState) hallJSON {
	out := hallJSON{Item: h.Item, Revision: h.Revision, Public: h.Public, SetBy: h.SetBy, Event: h.Event}
	if !h.SetAt.IsZero() {
		out.SetAt = &h.SetAt
	}
	return out
}

type hallRequest struct {
	Item   string `json:"item"`
	Public bool   `json:"public"`
}

func (l *liveAPI) handleHallGet(c *gin.Context) {
	h, err := l.svc.Hall().State(c.Request.Context(), actor(c), c.Param("slug"))
	if err != nil {
		l.sh.JSONError(c, err)
		return
	}
	c.JSON(http.StatusOK, hallOut(h))
}

func (l *liveAPI) handlePublicHallGet(c *gin.Context) {
	h, err := l.svc.Hall().PublicState(c.Request.Context(), c.Param("slug"))
	if err != nil {
		l.sh.JSONError(c, err)
		return
	}
	c.JSON(http.StatusOK, hallOut(h))
}

func (l *liveAPI) handleHallPut(c *gin.Context) {
	var req hallRequest
	if err := decodeJSON(c, 4<<10, &req); err != nil {
		l.sh.JSONError(c, err)
		return
	}
	h, err := l.svc.Hall().SetItem(c.Request.Context(), actor(c), c.Param("slug"), drafting.HallInput{Item: req.Item, Public: req.Public})
	if err != nil {
		l.sh.JSONError(c, err)
		return
	}
	c.JSON(http.StatusOK, hallOut(h))
}
