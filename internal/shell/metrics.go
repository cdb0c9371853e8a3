package shell

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"redline/internal/drafting"
)

// Metrics are Redline's Prometheus metrics, in a registry of their own.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	commits   prometheus.Counter
	blobBytes prometheus.Counter
}

// NewMetrics registers Redline's metrics and the Go runtime's.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redline_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "redline_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "redline_revisions_committed_total", Help: "Revisions committed.",
		}),
		blobBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "redline_blob_bytes_written_total", Help: "Bytes of revision text written to the blob store.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.commits, m.blobBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Hooks returns the service hooks that feed these metrics.
func (m *Metrics) Hooks() drafting.Hooks {
	return drafting.Hooks{
		Committed:   func(drafting.Revision) { m.commits.Inc() },
		BlobWritten: func(n int) { m.blobBytes.Add(float64(n)) },
	}
}

func (m *Metrics) middleware(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // keep label cardinality bounded
	}
	method := MethodLabel(c.Request.Method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
}

// MethodLabel is the method as a metric label: the methods HTTP defines,
// else "other", so that a client sending made-up methods cannot grow the
// metrics without bound.
func MethodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// metricsGuard restricts /metrics to a bearer token and/or a list of client
// addresses; with neither it lets everyone in.
type metricsGuard struct {
	token string
	nets  []*net.IPNet
}

func newMetricsGuard(token string, allow []string) (*metricsGuard, error) {
	g := &metricsGuard{token: token}
	for _, a := range allow {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if ip := net.ParseIP(a); ip != nil {
			bits := 8 * len(ip.To16())
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			g.nets = append(g.nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(a)
		if err != nil {
			return nil, fmt.Errorf("metrics allow list: %q is neither an IP address nor a CIDR", a)
		}
		g.nets = append(g.nets, n)
	}
	return g, nil
}

func (g *metricsGuard) check(s *Shell) gin.HandlerFunc {
	return func(c *gin.Context) {
		if len(g.nets) > 0 {
			ip := net.ParseIP(c.ClientIP())
			ok := false
			for _, n := range g.nets {
				if ip != nil && n.Contains(ip) {
					ok = true
					break
				}
			}
			if !ok {
				s.JSONError(c, drafting.Refuse("metrics", drafting.ReasonMetricsForbidden, "/metrics is not served to this address"))
				return
			}
		}
		if g.token != "" {
			scheme, tok, _ := strings.Cut(c.GetHeader("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(g.token)) != 1 {
				s.JSONError(c, drafting.Refuse("metrics", drafting.ReasonMetricsForbidden, "/metrics needs its bearer token (REDLINE_METRICS_TOKEN)"))
				return
			}
		}
		c.Next()
	}
}

func (m *Metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
