// Package embedded runs an in-process, single-node Kafka-protocol broker
// (franz-go's kfake) on a loopback address, for `server --embedded-broker`,
// `karafka-actors broker`, demos and tests.
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
package embedded
