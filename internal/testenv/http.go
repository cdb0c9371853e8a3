package testenv

import (
	"net/http"
	"time"
)

var client = &http.Client{Timeout: 2 * time.Second}

func httpGet(url string) (*http.Response, error) { return client.Get(url) }
