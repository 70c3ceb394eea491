// Package kafka holds the connection settings shared by every consumer and
// producer of karafka-actors: brokers, client id, protocol version, dial
// timeout, TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
//
// A [Config] is a plain struct. Start from [DefaultConfig], set the brokers,
// call [Config.Validate] (or let [Config.Sarama] do it) and hand the resulting
// *sarama.Config to a client. [EnsureTopics] creates missing topics through
// sarama's ClusterAdmin, waiting for a broker that is still starting.
//
// Declared topics ([Topic]: partitions, replication factor, configs) are
// compared with a cluster by [PlanTopics] into a [TopicPlan] (what to
// create, alter and repartition, and notes on what is never changed), which
// [ApplyTopicPlan] carries out; [SyncTopics] does both with retries. They
// work on a [TopicAdmin], the part of sarama's ClusterAdmin they use:
// configs change only through IncrementalAlterConfig, partitions are only
// added.
//
// Every validation problem wraps [ErrInvalidConfig] and names its key, for
// example "kafka.brokers: at least one broker is required"; topic creation
// problems wrap [ErrTopicSetup] and name the topic.
package kafka
