// Package policies holds Redline's Casbin model and role permissions, embedded
// so that what runs is what was reviewed in git; internal/authz loads them.
package policies

import _ "embed"

// Model is the Casbin model (model.conf): RBAC with domains, the domain being
// a document ID.
//
//go:embed model.conf
var Model string

// Policy is the permission of every role on every object kind and action
// (policy.csv), shared by all documents, and the role hierarchy. Per-document
// role assignments are not here: they come from the database.
//
//go:embed policy.csv
var Policy string
