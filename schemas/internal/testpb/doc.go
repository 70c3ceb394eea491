// Package testpb holds generated protobuf types for the schemas tests and
// benchmarks. order.pb.go is generated from order.proto by internal/gengo, with
// no protoc: go generate ./schemas/internal/testpb.
package testpb

//go:generate go run github.com/karafka-actors/karafka-actors/internal/gengo -file order.proto -registered karafka-actors/schemas/testpb/order.proto
