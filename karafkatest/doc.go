// Package karafkatest tests routes and applications: in memory with no
// broker (Route), or end to end against an embedded broker (Broker).
//
// # In memory
//
// NewRoute resolves a karafka.Route as an App would (karafka.DefaultConfig()
// unless WithConfig; WithRegistry for responders found by naming
// convention); AppRoute takes a route of an existing App. Feed then runs
// records through it and returns a Result per record. The contract:
//
//  1. Records run one at a time, in feed order, through the code the
//     runtime's partition actors run: the parser (params.LazyAt, so a
//     payload the parser rejects is never seen by filters or controller),
//     the route's before-filters then the controller's own, Perform within
//     the route's Timeout (a panic is recovered into an error), the payload
//     check, then every RespondWith through the responder with
//     responders.Deliver, validated all or nothing.
//  2. Each partition keeps one controller and one responder between records,
//     as the runtime's actors do. A failed try replaces what the supervisor
//     would restart (after a controller failure both, after a responder
//     failure the responder) and the record is tried again at once: the
//     route's retry policy counts the tries, its backoff is not waited out.
//     The responder stage counts its own tries.
//  3. When the tries run out, or at once for what no retry fixes (a parse
//     error, a responder's validation error, responses without a responder),
//     the Result holds the dead letter the runtime would produce: the
//     record's key, value and headers plus the karafka.* headers
//     (karafka.HeaderOriginTopic and the others), on the route's dead letter
//     topic. A route without a dead letter topic reports Blocked instead (the
//     runtime would retry it forever, holding its partition up).
//  4. Nothing is produced anywhere: Result.Produced is what would be.
//     Message.JSON decodes a message's value.
//  5. A batch route (BatchController) gets each partition's records, in
//     feed order, in batches of at most its BatchSize (else
//     consumer.batch_size), through the runtime's batch code: filters per
//     record, Consume within the Timeout, every response validated before
//     any is kept, the per-batch ones in the Produced of the batch's first
//     record. A failed batch is retried whole, then split down to the
//     records that still fail alone (pipeline.Isolation): only those get a
//     dead letter (or Blocked); every other record's Result is that of the
//     try that answered it.
//
// Events are not published and offsets do not exist in memory; use Broker
// for what needs Kafka.
//
// # With a broker
//
// StartBroker starts an embedded broker (package embedded) on a loopback
// port for one test; Config returns a karafka.Config pointing at it. Run
// creates the app's topics, runs the app until it is ready, and shuts it
// down when the test ends (failing the test if Run returned an error).
// Produce writes records; Wait reads a topic from its beginning until N
// records arrived, read_committed (as an exactly-once app's readers must). Everything is cleaned up by t.Cleanup. VerifyNoLeaks,
// called first in a test, fails it when goroutines outlive it.
//
// # With a schema registry
//
// NewRegistry returns a *schemas.Registry of an in-memory registry started
// for the test (package embedded's: Confluent's REST API, Avro
// compatibility checked, an incompatible version refused). A route reads
// with its Parser, a responder topic writes with the schema of
// reg.TopicName().Register(...) (Topic.WithSchema); the test encodes its
// records with Register and Schema.Encode and reads the responses with
// Decode. StartRegistry gives the URL of one for an app's
// schema_registry.urls (karafka.Config.SchemaRegistry.URLs), as an app on a
// Broker needs; the app's App.Schemas is then its client.
package karafkatest
