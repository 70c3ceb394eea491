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
package actors
