// Package cluster brings up Redline's distributed topology on one machine
// (scripts/cluster.sh: MinIO over 4 nodes, a PostgreSQL primary with a
// synchronous standby, 3 Redline instances behind HAProxy) and proves, in
// tests built with the tag "cluster", that nothing acknowledged is lost
// while MinIO nodes, Redline instances and the PostgreSQL primary fail, and
// what clients see meanwhile:
//
//	go test -tags cluster -v ./internal/cluster/   (make test-cluster)
package cluster
