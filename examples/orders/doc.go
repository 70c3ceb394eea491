// Command orders embeds the orders example (Avro in, Avro out, through a
// schema registry) in a small service:
//
//	go run ./examples/orders server --embedded-broker   # a broker and a schema registry in process
package main
