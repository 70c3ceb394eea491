package karafka

import (
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/params"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/supervision"
	"github.com/karafka-actors/karafka-actors/topology"
)

// The names of this file declare a route with this package alone. Each is
// an alias of, or a thin wrapper around, the name of the package that
// implements it (topology, controllers, params, responders, supervision),
// so the two spellings are the same type and mix freely.

// Route sends one topic to one controller and, optionally, a responder
// (topology.Route). Only Topic and one of Controller or BatchController
// are required; every other field falls back to the application's
// configuration.
type Route = topology.Route

// StartFrom says where a new consumer group starts reading a route's topic
// (Route.StartFrom).
type StartFrom = topology.StartFrom

// Where a new consumer group starts reading.
const (
	// StartDefault takes Config.StartFromBeginning.
	StartDefault = topology.StartDefault
	// StartBeginning reads the topic from its oldest retained message.
	StartBeginning = topology.StartBeginning
	// StartEnd reads only messages produced after the group first joins.
	StartEnd = topology.StartEnd
)

// TopicSpec declares how a topic is created and aligned: partitions,
// replication factor and configs (Route.TopicSpec, Route.ResponseSpecs,
// Route.DeadLetterSpec). Zero fields take Config.Topics.
type TopicSpec = topology.TopicSpec

// VirtualPartitions lets one Kafka partition be worked by up to Max
// controllers at once, keeping the order of the messages of one key
// (Route.VirtualPartitions).
type VirtualPartitions = topology.VirtualPartitions

// Guarantee is how a route's messages are processed (Route.Guarantee,
// Config.Processing.Guarantee).
type Guarantee = topology.Guarantee

// The processing guarantees.
const (
	// AtLeastOnce writes a message's responses, then commits its offset:
	// after a crash or a rebalance they may be written again. The default.
	AtLeastOnce = topology.AtLeastOnce
	// ExactlyOnce writes a message's responses, its dead letter and its
	// offset in one Kafka transaction (docs/exactly-once.md).
	ExactlyOnce = topology.ExactlyOnce
)

// Controller runs a route's business logic for one message at a time
// (controllers.Controller). Route.Controller makes one per partition
// actor incarnation, so a controller is never used by two goroutines at
// once.
type Controller = controllers.Controller

// ControllerFunc adapts a function to the Controller interface.
type ControllerFunc = controllers.Func

// Context is what Controller.Perform receives: the message's Params, a
// logger naming the message, RespondWith, and a context.Context cancelled
// at the route's Timeout and when shutdown gives up waiting.
type Context = controllers.Context

// BatchController runs a route's business logic for a batch of messages of
// one partition at a time (Route.BatchController, Route.BatchSize).
type BatchController = controllers.BatchController

// BatchControllerFunc adapts a function to the BatchController interface.
type BatchControllerFunc = controllers.BatchFunc

// BatchContext is what BatchController.Consume receives: the batch's
// Messages, a logger, and RespondTo (per message) and RespondWith (per
// batch).
type BatchContext = controllers.BatchContext

// BeforeFilter decides whether a message reaches its controller
// (Route.BeforeFilters): false drops it, its offset still advances and
// nothing is produced.
type BeforeFilter = controllers.BeforeFilter

// Params is one consumed message as a controller sees it: its metadata
// (topic, partition, offset, key, headers), its raw payload, and the
// payload parsed lazily by the route's Parser (String, Int, Bool, Get by
// path; Decode into a struct).
type Params = params.Params

// Parser parses a route's payloads (Route.Parser).
type Parser = params.Parser

// The parsers of Route.Parser.
var (
	// JSONParser parses JSON; the default.
	JSONParser Parser = params.JSON
	// RawParser keeps the payload as bytes (Params.Raw).
	RawParser Parser = params.Raw
)

// Permanent marks err as one that retrying cannot fix: a controller that
// returns it has its message dead-lettered at once instead of retried under
// the route's RetryPolicy (supervision.Permanent).
func Permanent(err error) error { return supervision.Permanent(err) }

// Outage marks err as an outage of something the message needs (a database,
// a schema registry) rather than its fault: the message is retried with the
// route's backoff for as long as that lasts, its partition waiting, and is
// never dead-lettered for it (supervision.Outage).
func Outage(err error) error { return supervision.Outage(err) }

// Responder turns what a controller responded with into messages on the
// topics it declares (responders.Responder). Route.Responder makes one;
// without it, the responder registered under the controller's
// conventional name is used (UsersCreatedController → UsersCreatedResponder,
// see Registry).
type Responder = responders.Responder

// NewResponder makes a Responder of the declared topics and a function
// that asks out for the messages of one response (responders.Func).
func NewResponder(topics []Topic, respond func(out *Output, args ...any) error) Responder {
	return responders.Func(topics, respond)
}

// NewNamedResponder is NewResponder shown as name in routes, flow, the web
// view and logs (responders.NamedFunc); NewResponder's shows as
// "responders.Func".
func NewNamedResponder(name string, topics []Topic, respond func(out *Output, args ...any) error) Responder {
	return responders.NamedFunc(name, topics, respond)
}

// Topic is a topic a Responder declares it may write to: Required or
// Optional.
type Topic = responders.Topic

// Required declares a topic every response must write to.
func Required(name string) Topic { return responders.Required(name) }

// Optional declares a topic a response may write to.
func Optional(name string) Topic { return responders.Optional(name) }

// Output is where a Responder asks for messages (Output.RespondTo); they
// are sent only once the whole response is valid.
type Output = responders.Output

// ResponseOption sets a field of one message given to Output.RespondTo:
// Key, KeyBytes, Header, HeaderBytes or Partition.
type ResponseOption = responders.Option

// Key sets a response's key.
func Key(k string) ResponseOption { return responders.Key(k) }

// KeyBytes sets a response's key.
func KeyBytes(k []byte) ResponseOption { return responders.KeyBytes(k) }

// Header adds a header to a response.
func Header(k, v string) ResponseOption { return responders.Header(k, v) }

// HeaderBytes adds a header to a response.
func HeaderBytes(k string, v []byte) ResponseOption { return responders.HeaderBytes(k, v) }

// Partition sends a response to partition p of its topic.
func Partition(p int32) ResponseOption { return responders.Partition(p) }

// Registry is where responders are found by naming convention
// (App.Registry, WithRegistry).
type Registry = responders.Registry

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return responders.NewRegistry() }

// RetryPolicy says how often a failed message is tried and how long to
// wait between tries (Route.Retry, Config.Retry).
type RetryPolicy = supervision.RetryPolicy

// DefaultRetryPolicy returns the default of Config.Retry.
func DefaultRetryPolicy() RetryPolicy { return supervision.DefaultRetryPolicy() }

// Backoff computes exponential, capped, jittered delays (RetryPolicy,
// SupervisionConfig).
type Backoff = supervision.Backoff

// SupervisionConfig chooses how a route's partition actors are supervised
// (Route.Supervision, Config.Supervision): a Strategy and its restart
// limits.
type SupervisionConfig = supervision.Config

// DefaultSupervisionConfig returns the default of Config.Supervision.
func DefaultSupervisionConfig() SupervisionConfig { return supervision.DefaultConfig() }

// Strategy names a supervisor strategy (SupervisionConfig.Strategy).
type Strategy = supervision.Kind

// The supervisor strategies.
const (
	// OneForOne restarts only the failed actor, at once.
	OneForOne = supervision.OneForOne
	// AllForOne restarts every child of the supervisor when one fails.
	AllForOne = supervision.AllForOne
	// ExponentialBackoff restarts the failed actor after an exponentially
	// growing, capped, jittered delay.
	ExponentialBackoff = supervision.ExponentialBackoff
)
