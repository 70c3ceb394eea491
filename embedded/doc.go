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
package embedded
