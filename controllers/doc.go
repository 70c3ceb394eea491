// Package controllers defines the controller contracts: the business logic
// a route runs for its consumed messages, one at a time (Controller) or a
// batch at a time (BatchController).
//
// Life cycle of a controller:
//
//  1. The partition actor that owns a claimed partition calls the route's
//     Factory once when it starts, and again every time it is restarted by
//     its supervisor. A controller is therefore never used by two goroutines
//     at once and may keep state across the messages of one partition; that
//     state is discarded when the actor restarts after a failure.
//  2. For every message that passed the route's before-filters, Perform is
//     called with a Context that carries the message's params.
//  3. Perform calls Context.RespondWith to hand arguments to the route's
//     responder. Nothing is produced until Perform returned nil and the
//     responder's output has been validated.
//  4. An error returned by Perform, or a panic, fails the message: the
//     runtime retries it with backoff, then sends it to the dead letter topic.
//
// Life cycle of a batch controller (a route's BatchController), where it
// differs:
//
//  1. The route's BatchFactory is called as a Factory is.
//  2. Consume is called with a BatchContext holding up to the route's batch
//     size (consumer.batch_size unless the route sets BatchSize) of the
//     messages that passed the before-filters, all of one partition, in
//     offset order. A message whose payload the parser rejects is never in
//     a batch; it is dead-lettered on its own.
//  3. Consume responds per message (RespondTo(i, ...)) or once per batch
//     (RespondWith). Nothing is produced until Consume returned nil and every
//     response of the batch has been validated; one invalid response fails
//     the batch. Per-batch responses are produced with the batch's first
//     message, so no offset of the batch is marked before they are
//     acknowledged.
//  4. An error or a panic fails the whole batch, which is retried with
//     backoff. When its tries run out, the batch is split in halves, tried
//     again half by half (one try each; the halves that fail are split
//     again), down to single messages, which get the route's retry policy
//     of their own: only the messages that still fail go to the dead letter
//     topic, and every other message of the batch is answered. Consume must
//     therefore expect to see a message again, in a smaller batch.
package controllers
