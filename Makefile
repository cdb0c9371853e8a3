.PHONY: run test build fmt vet bench-diff fuzz

# Build and start Redline on the embedded default (SQLite and blobs under ./data)
# with a demo account.
run: build
	./bin/redline serve --demo

build:
	go build -o bin/redline ./cmd/redline

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
