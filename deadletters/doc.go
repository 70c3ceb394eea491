// Package deadletters replays dead letters: it sends the records of a dead
// letter topic back to the topics they failed on, once their cause is
// fixed. [Replay] is what the `karafka-actors replay` command and the
// operator console run.
//
// A dead letter goes back to the topic and partition its
// karafka.origin.topic and karafka.origin.partition headers name, with its
// key and value, and with its original headers: those the runtime renamed
// input.karafka.* get their names back, and the dead letter's own
// karafka.* headers (origin, error, attempts, stage) are dropped. A header
// karafka.replayed = "DLQ/PARTITION@OFFSET" names the dead letter it came
// from (a record replayed again carries one per replay, the latest last).
//
// Nothing is lost: a dead letter that cannot be replayed as it was is
// skipped with the reason, and stays where it is; each replayed record is
// acknowledged by the cluster (the producer's acks, "all" by default)
// before the next is sent; the first error stops the replay, and the
// [StoppedError] says at which dead letter, so that a replay resumed from
// there sends nothing twice but the record in flight when it stopped (at
// least once).
package deadletters
