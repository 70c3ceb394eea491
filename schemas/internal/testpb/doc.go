// Package testpb holds generated protobuf types for the schemas tests and
// benchmarks. order.pb.go is generated from order.proto by gen.go, with
// no protoc: go generate ./schemas/internal/testpb.
package testpb

//go:generate go run gen.go
