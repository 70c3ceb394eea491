// Package controllers defines the controller contract: the business logic a
// route runs for each consumed message.
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
package controllers
