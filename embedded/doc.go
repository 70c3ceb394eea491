// Package embedded runs an in-process, single-node Kafka-protocol broker
// (franz-go's kfake) on a loopback address, for `server --embedded-broker`,
// `karafka-actors broker`, demos and tests, and next to it a schema
// registry ([StartRegistry]).
//
// Topics are never created automatically: pre-create them with [Topics] or
// [Broker.CreateTopics]. Data lives in memory and is gone after
// [Broker.Close], unless [DataDir] keeps it on disk for the next start.
// [Advertise] makes clients connect through another address (a proxy in
// front of the broker). Real deployments point kafka.brokers at Kafka
// instead.
//
// It is for development and tests only: it has no authentication, no
// authorization and no TLS (anyone who can connect can read, write and
// delete every topic), it is a single node, and kfake is not Kafka. So it
// listens on loopback only: [Start] refuses a listen or advertised address
// whose host is not loopback (127.0.0.0/8, ::1 or localhost), and a
// listener that ended up bound elsewhere (a "localhost" that the hosts
// file maps to another interface). Any local user can still connect to it.
//
// # Schema registry
//
// [StartRegistry] serves an in-memory, Confluent-compatible schema registry
// (franz-go's srfake) on a loopback address, for schema_registry.urls:
// [Registry.URL] is its base URL. It checks the compatibility of Avro
// schemas (hamba/avro, at the subject's level, BACKWARD unless PUT /config
// says otherwise) when they are registered or checked, and refuses an
// incompatible one as a registry does (HTTP 409); Protobuf and JSON Schema
// are registered unchecked. It is for development and tests under the same
// terms as the broker: no authentication, no TLS, loopback only, and its
// schemas are gone after [Registry.Close].
package embedded
