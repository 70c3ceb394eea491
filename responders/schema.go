package responders

// Schema encodes and checks the values a response sends to one declared
// topic, as a schema registry's serializer does (package schemas has
// Avro, Protobuf and JSON Schema against a registry). Deliver calls it for
// every message of the topic before anything of the response is sent.
//
// Errors: a value that does not fit the schema must wrap ErrSchema (the
// message is dead-lettered with the reason, as any invalid response); an
// error wrapping params.ErrUnavailable or marked supervision.Outage (a
// registry down) makes the message wait and be tried again, never
// dead-lettered for it. Implementations must be safe for concurrent use.
type Schema interface {
	// Encode encodes v, a Go value RespondTo was given, for topic.
	Encode(topic string, v any) ([]byte, error)
	// Check checks value, bytes RespondTo was given as already encoded,
	// for topic.
	Check(topic string, value []byte) error
	// Describe names the schema for topic in flow, routes and logs, such
	// as "avro subject users_created-value".
	Describe(topic string) string
}
