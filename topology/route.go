package topology

import (
	"time"

	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
)

// StartFrom says where a new consumer group starts reading a topic.
type StartFrom uint8

const (
	// StartDefault takes the application default (the beginning, unless configured otherwise).
	StartDefault StartFrom = iota
	// StartBeginning reads the topic from its oldest retained message.
	StartBeginning
	// StartEnd reads only messages produced after the group first joins.
	StartEnd
)

// Route sends one topic to one controller and, optionally, a responder.
// Only Topic and one of Controller or BatchController are required.
type Route struct {
	// Topic is the Kafka topic consumed.
	Topic string
	// Controller makes the route's controller (see controllers.Factory),
	// which gets one message at a time.
	Controller controllers.Factory
	// BatchController makes the route's batch controller instead (see
	// controllers.BatchFactory), which gets the messages of one partition
	// a batch at a time. A route has exactly one of the two.
	BatchController controllers.BatchFactory
	// BatchSize bounds a batch of a BatchController route; 0 takes the
	// application's consumer.batch_size. Only a BatchController route may
	// set it.
	BatchSize int
	// Responder makes the route's responder. When nil, a responder registered
	// under the controller's conventional name is used, if any
	// (UsersCreatedController → UsersCreatedResponder).
	Responder responders.Factory
	// Group is the consumer group; default "<app name>_<topic>".
	Group string
	// Parser parses payloads; default params.JSON.
	Parser params.Parser
	// StartFrom applies when the group has no committed offset yet.
	StartFrom StartFrom
	// Timeout, when set, bounds each Perform (or Consume) call: the
	// controller's context is cancelled at the deadline, and a call that
	// returns after it fails the message, or the batch, (retried, then
	// dead-lettered) even if it returned nil.
	Timeout time.Duration
	// BeforeFilters run in order before the controller; the first that
	// returns false drops the message.
	BeforeFilters []controllers.BeforeFilter
	// Retry overrides the application's retry policy for this route.
	Retry *supervision.RetryPolicy
	// Supervision overrides how this route's partition actors are supervised.
	Supervision *supervision.Config
	// DeadLetterTopic overrides the application's dead letter topic pattern.
	DeadLetterTopic string
	// DeadLetterSpec declares the dead letter topic (see TopicSpec).
	DeadLetterSpec TopicSpec
	// TopicSpec declares the route's topic: partitions, replication factor
	// and configs, for the topics command and App.EnsureTopics.
	TopicSpec TopicSpec
	// ResponseSpecs declares the responder's topics, by name; each must be
	// a topic of the route's responder.
	ResponseSpecs map[string]TopicSpec
	// DisableDeadLetter makes exhausted messages block their partition
	// (retrying with capped backoff) instead of going to a dead letter topic.
	DisableDeadLetter bool
	// VirtualPartitions, when set, runs the Controller of each claimed
	// partition on up to Max actors at once, keeping the order of messages
	// of one key (see VirtualPartitions). Not with a BatchController.
	VirtualPartitions *VirtualPartitions
	// Guarantee overrides the application's processing.guarantee for this
	// route (AtLeastOnce or ExactlyOnce). Routes of one consumer group must
	// agree.
	Guarantee Guarantee
}
