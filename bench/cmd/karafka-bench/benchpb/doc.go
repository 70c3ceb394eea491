// Package benchpb is the throughput benchmark's record as a generated
// Protobuf message, for the karafka-protobuf contender. record.pb.go is
// generated from record.proto by the main module's internal/gengo, with no protoc:
// go generate ./cmd/karafka-bench/benchpb (in the bench module).
package benchpb

import _ "embed"

//go:generate go run github.com/karafka-actors/karafka-actors/internal/gengo -file record.proto -registered karafka-actors/bench/record.proto

// Proto is record.proto, the schema registered for the contender's topics.
//
//go:embed record.proto
var Proto string
