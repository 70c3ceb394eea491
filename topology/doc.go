// Package topology declares an application's routes (topic → controller →
// responder), validates them at boot, resolves their defaults, and models the
// resulting graph that `karafka-actors flow` prints.
//
// A Route is what a user writes; Resolve turns a set of routes into Resolved
// routes with every default filled in (consumer group, parser, retry policy,
// supervision, dead letter topic, responder found by naming convention) and
// reports every problem at once, each naming its route.
//
// A route may declare its topics (TopicSpec: partitions, replication factor,
// configs) for its own topic, its responder's topics and its dead letter
// topic; Topics lists an application's topics with those declarations
// merged, for the topics command and App.EnsureTopics.
package topology
