// Package topology declares an application's routes (topic → controller →
// responder), validates them at boot, resolves their defaults, and models the
// resulting graph that `karafka-actors flow` prints.
//
// A Route is what a user writes; Resolve turns a set of routes into Resolved
// routes with every default filled in (consumer group, parser, retry policy,
// supervision, dead letter topic, responder found by naming convention) and
// reports every problem at once, each naming its route.
package topology
