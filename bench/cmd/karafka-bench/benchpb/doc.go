// Package benchpb is the throughput benchmark's record as a generated
// Protobuf message, for the karafka-protobuf contender. record.pb.go is
// generated from record.proto by gen.go, with no protoc:
// go generate ./cmd/karafka-bench/benchpb (in the bench module).
package benchpb

import _ "embed"

//go:generate go run gen.go

// Proto is record.proto, the schema registered for the contender's topics.
//
//go:embed record.proto
var Proto string
