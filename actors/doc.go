// Package actors is karafka-actors' runtime: a protoactor-go supervision tree
// that consumes with sarama consumer groups and produces through one shared
// producer.
//
//	root supervisor                 application strategy; restart limit → Run fails
//	 └─ listener, one per route     owns the consumer group of its topic
//	     └─ partition, one per      parse → before-filters → controller, in order
//	        claimed partition
//	         └─ responder           responder → validate → produce (pipelined)
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
// Offsets are marked strictly in order: a message's offset is marked only
// when it and every earlier message of its partition are done and every
// response they produced was acknowledged by the broker (at-least-once).
// Produce requests stay in flight; acknowledgements advance the mark.
//
// Responses keep their order through resends. A partition hands its
// responses to the producer in input-offset order (a message's own responses
// in the order its responder produced them). A response the broker still
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
