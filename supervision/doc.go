// Package supervision holds karafka-actors' failure semantics: supervisor
// strategies for the actor tree (one-for-one, all-for-one, exponential
// backoff, each with a restart limit that escalates), the retry policy of
// failed messages and its dead-letter decision, and the typed error a
// recovered panic becomes.
//
// The strategies implement protoactor-go's actor.SupervisorStrategy but do
// not use its strategies or deciders: protoactor's exponential backoff is
// linear and unbounded and its default decider restarts forever.
package supervision
