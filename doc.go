// Package karafka is the embedding API of karafka-actors, a Kafka application
// framework in the spirit of Ruby's Karafka, built on an actor runtime.
//
// An App declares routes: each topic goes to a controller, whose result goes
// to a responder that declares the topics it may write to. Run starts a
// supervision tree (one listener actor per route, one actor per claimed
// partition, one responder actor per partition actor) that consumes with
// sarama consumer groups and produces through one shared producer.
//
// No message is lost: an offset is committed only after the message and every
// earlier one of its partition are done and their responses acknowledged by
// the broker; failures are retried with backoff and then dead-lettered.
//
// Life cycle: New validates the configuration; Route adds routes; Run
// validates the routes, connects (with backoff while Kafka is unreachable)
// and consumes until its context ends or Shutdown is called; Shutdown stops
// fetching, drains in-flight messages, flushes the producer, commits, leaves
// the consumer groups and stops the actors.
package karafka
