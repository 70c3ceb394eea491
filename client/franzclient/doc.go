// Package franzclient implements the client seam ([client.Factory]) on
// twmb/franz-go (kgo), with the session semantics of sarama's consumer
// group that the runtime relies on:
//
//   - Consume runs exactly one session (one kgo group session): it waits
//     for an assignment, calls Setup, runs one ConsumeClaim goroutine per
//     assigned partition and, when the group revokes the partitions or
//     Consume's context ends, waits for every ConsumeClaim to return and
//     calls Cleanup, which commits what was marked, before kgo may hand
//     the partitions to another member (kgo's OnPartitionsRevoked waits
//     for it).
//   - The balancer is eager (round robin): every rebalance revokes every
//     partition, and a new session starts each one again from its
//     committed offset.
//   - One poll goroutine per connected group routes fetched records, in
//     order, to the claim of their partition in the current session. kgo
//     runs with BlockRebalanceOnPoll so that no rebalance callback runs
//     while a poll's records are being routed: records polled for one
//     session never reach the next one.
//   - A claim holds at most about GroupConfig.Buffer records: beyond that
//     its partition is paused in kgo until the claim drained half of it.
//     kgo drops what it already fetched for a paused partition and fetches
//     it again after the resume, so nothing is lost.
//
// kgo does not fail a join for a topic that does not exist (it waits for
// it), so Consume asks the cluster for the group's topics itself, before
// it waits for an assignment and every few seconds while it waits, and
// returns an error matching client.ErrUnknownTopicOrPartition when one is
// missing ([Group.Missing] names them). Group management errors (a join
// the coordinator refuses, for instance) reach Consume through kgo's
// HookGroupManageError, with their Kafka error code.
package franzclient
