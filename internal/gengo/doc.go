// Command gengo writes the Go code of one .proto file as protoc-gen-go
// would, compiling it with protocompile instead of protoc (which this
// project does not need installed). It is run by go:generate:
//
//	go run github.com/karafka-actors/karafka-actors/internal/gengo -file order.proto -registered karafka-actors/schemas/testpb/order.proto
//
// -registered is the file's path in the generated code's registry: one no
// other package registers. Well-known imports (google/protobuf/*.proto)
// resolve; the output is written beside the file, named as protoc-gen-go
// names it (paths=source_relative).
package main
