// Package actors is karafka-actors' runtime: a protoactor-go supervision tree
// that consumes with sarama consumer groups and produces through one shared
// producer.
//
//	root supervisor                 application strategy; restart limit → Run fails
//	 └─ listener, one per route     spawns and stops the partition actors of its topic
//	     └─ partition, one per      parse → before-filters → controller, in order
//	        claimed partition
//	         ├─ virtual × N         with virtual partitions only: the controller
//	         │                      runs here, per key; the partition actor
//	         │                      only dispatches by key (virtual.go)
//	         └─ responder           responder → validate → produce (pipelined)
//
// A batch route's partition actor (stage_batch.go) has no responder child:
// it tries up to the route's BatchSize queued messages at once with the
// batch controller, runs the responder on every response of the batch, and
// hands the records to the finisher itself. A failed batch is retried and
// then split under pipeline.Isolation, kept in the partition's state across
// restarts, down to the messages that fail alone.
//
// The consumer group is not an actor's: a membership (membership.go) owns
// one sarama client and consumer group per group, shared by the routes of
// that group. Its handler (handler.go) runs sarama's session life cycle and
// one claim loop per assigned partition, and asks the listener of the
// partition's topic to spawn its partition actor.
//
// How a finished message leaves its partition is one seam (finish.go): per
// session a sessionFinisher, which owns committing, and per claimed
// partition a finisher, to which the claim loop registers each consumed
// message and the stages hand each message's responses or dead letter, or
// say it had nothing to send. The at-least-once implementation
// (finish_atleastonce.go) is built from the tracker (in-order marks), the
// outbox (responses in order through resends) and the session's committer.
// The exactly-once one (finish_exactlyonce.go), for groups whose routes are
// topology.ExactlyOnce, hands each partition's finished messages in offset
// order to the session's transactional producer: their records and offsets
// go into one open transaction, committed every TransactionConfig.MaxMessages
// messages or Interval; a failed transaction is aborted and ends the session,
// so its partitions are consumed again from the committed offsets. What
// follows describes at-least-once; with exactly-once, steps 3 to 6 are the
// transaction's (its records are acknowledged when it commits).
//
// A message's way from fetch to commit, and its goroutine hand-offs:
//
//  1. sarama fetches it (the broker consumer goroutine) and decodes it (the
//     partition consumer's feeder goroutine), which puts it on the claim's
//     channel; the claim loop (ConsumeClaim's goroutine) takes it and
//     registers it with the finisher, in offset order;
//  2. the claim loop pushes it, with whatever else the claim already held,
//     to the partition actor's inbox: parse, before-filters, controller;
//  3. the partition actor pushes it to the responder actor's inbox:
//     responder, validate, hand the records to the finisher, whose outbox
//     passes them to the producer (SendAsync);
//  4. sarama's producer writes them (its dispatcher, topic, partition and
//     broker producer goroutines, and the request bridge);
//  5. the acknowledgement comes back (the connection's response reader, a
//     forwarder and the broker producer goroutine) to the producer's result
//     goroutine, which runs the callback: the message is finished, and its
//     offset is marked once every earlier one is (by whichever goroutine
//     finishes the last of them, usually this one);
//  6. the mark wakes the session's committer goroutine, which commits.
//
// With virtual partitions step 2 has one hand-off more: the partition
// actor computes the message's virtual key and pushes it to the inbox of
// its virtual actor, which runs parse, before-filters and controller.
//
// That is six hand-offs between the goroutines this package sees (one per
// step), and 14 goroutine changes counting sarama's internal ones (2 in
// step 1, 5 in step 4, 4 in step 5). Steps 2 and 3 go by batch: one wake-up
// moves every message queued meanwhile. A message that is filtered or has
// nothing to answer is finished in step 2 (3 hand-offs to its commit); a
// dead letter goes from step 2 straight to the producer (step 4).
//
// Protoactor drops the message an actor crashed on and the mailbox of a
// stopped actor. This package therefore never keeps work only in a mailbox:
// every stage keeps its queue in state that outlives actor incarnations, and
// mailboxes carry only wake-ups. A crash restarts the actor under its
// supervisor's strategy; the restarted actor finds the failed message at the
// head of its queue and tries it again after the retry policy's backoff, and
// later messages of the partition wait behind it.
//
// The root supervisor's guardian stops it when it gives up: the tree is not
// restarted, no stage takes more work, and waits for in-flight work end at
// once; what is done is committed, what is not stays uncommitted.
//
// Offsets are marked strictly in order, with virtual partitions too (whose
// messages finish out of order): a message's offset is marked only
// when it and every earlier message of its partition are done and every
// response they produced was acknowledged by the broker (at-least-once).
// Produce requests stay in flight; acknowledgements advance the mark.
// The claim loop bounds what a crash replays: at most
// consumer.max_in_flight unfinished messages per partition (it pauses the
// partition) and, at-least-once, at most 2 x max_in_flight not covered by a
// commit, finished or not (it waits for the commit under way), so a crash
// replays at most 2 x max_in_flight messages per partition, however slow
// the commits.
//
// Responses keep their order through resends. A partition hands its
// responses to the producer in input-offset order (a message's own responses
// in the order its responder produced them); with virtual partitions, in
// input-offset order per virtual key, and what follows holds for two
// responses of one key. A response the broker still
// refuses after the producer's own retries is sent again after
// produce_backoff, and so is every later response of the partition already
// handed over, acknowledged or not, in their order; responses produced
// meanwhile queue behind them in the partition's state (no mailbox waits).
// The guarantee: for two responses a before b of one input partition that
// go to the same output topic-partition, the last copy of b on the output
// comes after the last copy of a. Copies before the last are duplicates,
// which at-least-once allows; a reader that keeps the last copy of each
// response (or is idempotent) sees them in input order. Order of first
// copies cannot be promised: a later response may already be written when
// an earlier one's failure is reported. A message's offset is marked only
// once the last copy of each of its responses, and of every response before
// it, was acknowledged, so a crash keeps the guarantee: the next owner sends
// again, in order, from the first uncommitted message.
//
// Conditions: the producer writes the records of one topic-partition in the
// order it was handed them (sarama does with the idempotent producer, the
// default, which sends one request at a time). A partition handed back after
// consumer.drain_timeout stops resending; records it had already handed to
// the producer may still land after its next owner's. Dead letters are not
// part of this order: they are resent each on its own.
package actors
