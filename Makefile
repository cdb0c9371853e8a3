.PHONY: run test build fmt vet bench-diff fuzz cluster test-cluster

# Build and start Redline on the embedded default (SQLite and blobs under ./data)
# with a demo account.
run: build
	./bin/redline serve --demo

# bin/redline is the command (diff runs there with no server linked in;
# every other command it hands to bin/redline-server, the server binary).
build:
	go build -o bin/redline-server ./cmd/redline
	go build -o bin/redline ./cmd/redline-cli

# Install what is missing, start PostgreSQL and MinIO on loopback, run every
# test with the race detector, stop the services.
test:
	bash scripts/test.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	go vet ./...

bench-diff:
	bash scripts/bench-diff.sh

# Fuzz every decoder of outside input for FUZZTIME each (default 2m), against
# the services make test starts.
fuzz:
	bash -c '. scripts/services.sh && trap services_stop EXIT && services_start && FUZZTIME=$${FUZZTIME:-2m} bash scripts/fuzz.sh'

# A Redline cluster on this machine, as plain processes on loopback ports:
# MinIO distributed over 4 nodes, a PostgreSQL primary with a synchronous
# standby, 3 instances behind HAProxy. Prints addresses and credentials;
# `scripts/cluster.sh down` stops it (see docs/scaling.md).
cluster:
	bash scripts/cluster.sh up

# The failover test on that topology (a cluster of its own, stopped after):
# faults under load, nothing acknowledged lost, what clients saw, reads with
# 1-3 instances. REDLINE_CLUSTER_REPORT=file.json keeps the figures.
test-cluster:
	@dir=$$(mktemp -d "$${TMPDIR:-/tmp}/redline-cluster.XXXXXX"); \
	echo "cluster folder: $$dir (if interrupted: scripts/cluster.sh --dir $$dir down)"; \
	REDLINE_CLUSTER_DIR=$$dir go test -tags cluster -count=1 -timeout 15m -v -run '^TestCluster$$' ./internal/cluster/; rc=$$?; \
	bash scripts/cluster.sh --dir $$dir down --keep >/dev/null 2>&1; \
	if [ $$rc -eq 0 ]; then rm -rf $$dir; fi; exit $$rc
