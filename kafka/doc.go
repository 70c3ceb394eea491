// Package kafka holds the connection settings shared by every consumer and
// producer of karafka-actors: brokers, client id, protocol version, dial
// timeout, TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
//
// A [Config] is a plain struct. Start from [DefaultConfig], set the brokers,
// call [Config.Validate] (or let [Config.Sarama] or [Config.Franz] do it)
// and hand the result to a client of the library [Config.Client] names.
//
// Declared topics ([Topic]: partitions, replication factor, configs) are
// compared with a cluster into a [TopicPlan] (what to create, alter and
// repartition, and notes on what is never changed) and carried out by
// package topicsync, through the admin seam of package client (either
// library): configs change only incrementally, partitions are only added.
//
// Every validation problem wraps [ErrInvalidConfig] and names its key, for
// example "kafka.brokers: at least one broker is required"; topic creation
// problems (package topicsync) wrap [ErrTopicSetup] and name the topic.
package kafka
