package shell

import (
	"strconv"
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
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

func (m *Metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
