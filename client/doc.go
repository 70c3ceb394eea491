// Package client is the seam between the runtime and a Kafka client
// library. The runtime (package actors), the producer and the admin tools
// talk to Kafka only through the interfaces here, which say what the runtime
// needs rather than how either library is shaped:
//
//   - a consumer group member ([Group]): one session per generation, in
//     which every assigned partition is one ordered stream of [Record]s
//     ([Claim]); offsets are marked and committed through the [Session],
//     and partitions are paused and resumed for backpressure;
//   - a reader of partitions outside any group ([Reader]): any offset,
//     up to the end a read began with, for the operator console and the
//     replay of dead letters;
//   - errors carrying Kafka's protocol codes ([Code], [Error]), so that the
//     runtime tells them apart with errors.Is whatever library made them.
//
// Two implementations exist: client/saramaclient (IBM/sarama, the default)
// and client/franzclient (twmb/franz-go). [Factory] makes the parts of one
// of them; kafka.client chooses which (see package clients).
package client
