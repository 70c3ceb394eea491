package topology

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/karafka-actors/karafka-actors/supervision"
)

// GraphFormatVersion is the version of the JSON document WriteJSON writes.
// It changes only when a field is renamed or removed; new fields may appear
// without a change.
const GraphFormatVersion = 1

// Graph is an application's actor supervision tree and data flow, as the
// runtime builds it from resolved routes:
//
//	root supervisor (the application)
//	 └─ listener, one per route (spawns and stops the partition actors of
//	    the partitions its group's membership is assigned)
//	     └─ partition actors, one per claimed partition (run the controller,
//	        or the batch controller a batch at a time)
//	         ├─ virtual actors, N per partition actor, only with virtual
//	         │  partitions (each runs the controller on the messages of its keys)
//	         └─ responder (validates and produces the responses)
//
// The JSON field names are stable (see GraphFormatVersion); WriteTree,
// WriteDOT, WriteMermaid and WriteJSON all draw this one model.
type Graph struct {
	FormatVersion int    `json:"format_version"`
	App           string `json:"app"`
	// Client is the Kafka client library the application runs on
	// (kafka.client: "sarama" or "franz"); NewGraph leaves it empty for
	// the caller to set, and an empty one is left out of every format.
	Client     string     `json:"client,omitempty"`
	Supervisor Supervisor `json:"supervisor"`
	Listeners  []Listener `json:"listeners"`
	// Topics are the topics whose routes declare a TopicSpec (partitions,
	// replication factor, configs; 0 and absent take the defaults), in
	// route order; absent when none does.
	Topics []GraphTopic `json:"topics,omitempty"`
}

// GraphTopic is a topic with what its routes declare for it.
type GraphTopic struct {
	Name              string            `json:"name"`
	Role              TopicRole         `json:"role"`
	Partitions        int32             `json:"partitions"`
	ReplicationFactor int16             `json:"replication_factor"`
	Configs           map[string]string `json:"configs,omitempty"`
}

// summary is "6 partitions, replication factor 3, retention.ms=1000",
// leaving out what takes the default.
func (t GraphTopic) summary() string {
	var parts []string
	if t.Partitions > 0 {
		parts = append(parts, fmt.Sprintf("%d partition(s)", t.Partitions))
	}
	if t.ReplicationFactor > 0 {
		parts = append(parts, fmt.Sprintf("replication factor %d", t.ReplicationFactor))
	}
	for _, k := range slices.Sorted(maps.Keys(t.Configs)) {
		parts = append(parts, k+"="+t.Configs[k])
	}
	return strings.Join(parts, ", ")
}

// Supervisor describes how a supervisor restarts its failed children.
type Supervisor struct {
	// Strategy is the supervision strategy's name, e.g. "one_for_one".
	Strategy string `json:"strategy"`
	// MaxRestarts restarts within Within are allowed before escalating.
	MaxRestarts int `json:"max_restarts"`
	// Within is the restart-counting window, a Go duration ("1m0s").
	Within string `json:"within"`
	// Backoff spaces restarts; only the exponential_backoff strategy has
	// one (null otherwise: restarts are immediate).
	Backoff *Backoff `json:"backoff"`
}

// Backoff is an exponential backoff: Initial, times Multiplier per attempt,
// capped at Max, with ±Jitter (a fraction) of randomness.
type Backoff struct {
	Initial    string  `json:"initial"`
	Max        string  `json:"max"`
	Multiplier float64 `json:"multiplier"`
	Jitter     float64 `json:"jitter"`
}

// Listener is the actor of one route, whose Topic is consumed as Group (the
// group's membership, shared by the routes of one group, is not an actor).
type Listener struct {
	Topic      string `json:"topic"`
	Group      string `json:"group"`
	Controller string `json:"controller"`
	Parser     string `json:"parser"`
	// StartFrom is "beginning" or "end": where a new group starts reading.
	StartFrom     string `json:"start_from"`
	BeforeFilters int    `json:"before_filters"`
	// Guarantee is "at_least_once" or "exactly_once".
	Guarantee string `json:"guarantee"`
	// Batch is set when Controller is a batch controller; absent otherwise.
	Batch      *Batch         `json:"batch,omitempty"`
	Partitions PartitionActor `json:"partitions"`
}

// Batch describes how a batch controller gets its messages.
type Batch struct {
	// MaxSize bounds a batch (the route's BatchSize or consumer.batch_size);
	// 0 when unknown.
	MaxSize int `json:"max_size"`
}

// summary is "batch of ≤500", or "batch" when the bound is unknown.
func (b *Batch) summary() string {
	if b.MaxSize > 0 {
		return fmt.Sprintf("batch of ≤%d", b.MaxSize)
	}
	return "batch"
}

// controller is how the tree and the drawings name the listener's
// controller: "controller X", or "batch controller X (batch of ≤500)".
func (l Listener) controller() string {
	if l.Batch == nil {
		return "controller " + l.Controller
	}
	return "batch controller " + l.Controller + " (" + l.Batch.summary() + ")"
}

// PartitionActor describes the actors of a listener: one per claimed
// partition, each supervised by the listener and running the controller.
type PartitionActor struct {
	// Cardinality is always "one per claimed partition".
	Cardinality string     `json:"cardinality"`
	Supervisor  Supervisor `json:"supervisor"`
	Retry       Retry      `json:"retry"`
	// DeadLetter is the dead letter topic, "" when disabled (the partition
	// then blocks on a message whose retries ran out).
	DeadLetter string `json:"dead_letter"`
	// Virtual is set when the controller runs on virtual partitions:
	// children of each partition actor; absent otherwise.
	Virtual   *Virtual   `json:"virtual,omitempty"`
	Responder *Responder `json:"responder"`
}

// Virtual describes the virtual actors of a partition actor.
type Virtual struct {
	// Max is the number of virtual actors per partition actor.
	Max int `json:"max"`
	// Key is what a message's virtual key is: "record key" (the default)
	// or "key function" (the route's Key function).
	Key string `json:"key"`
}

// summary is "8 per partition, by record key".
func (v *Virtual) summary() string {
	return fmt.Sprintf("%d per partition, by %s", v.Max, v.Key)
}

// Retry is how often and how far apart a failed message is tried.
type Retry struct {
	Attempts int     `json:"attempts"`
	Backoff  Backoff `json:"backoff"`
}

// Responder is the responder of a route with its declared topics.
type Responder struct {
	Name   string           `json:"name"`
	Topics []ResponderTopic `json:"topics"`
}

// ResponderTopic is one declared topic of a responder.
type ResponderTopic struct {
	Name string `json:"name"`
	// Required topics are used by every response ("always").
	Required bool `json:"required"`
	// MultipleUsage topics may get more than one message per response.
	MultipleUsage bool `json:"multiple_usage"`
	// Schema describes the topic's schema ("avro subject x-value (topic
	// name)"), when it has one.
	Schema string `json:"schema,omitempty"`
}

// Cardinality of partition actors.
const partitionCardinality = "one per claimed partition"

// NewGraph builds the graph of routes under a root supervisor configured by
// root. Listeners are sorted by topic, like WriteFlow.
func NewGraph(app string, root supervision.Config, routes []Resolved) Graph {
	g := Graph{FormatVersion: GraphFormatVersion, App: app, Supervisor: describeSupervisor(root), Listeners: []Listener{}}
	for _, r := range SortedByTopic(routes) {
		l := Listener{
			Topic: r.Topic, Group: r.Group, Controller: nameOr(r.ControllerName, "func"),
			Parser: "json", StartFrom: "end", BeforeFilters: len(r.BeforeFilters), Guarantee: string(guaranteeOf(r)),
			Partitions: PartitionActor{
				Cardinality: partitionCardinality,
				Supervisor:  describeSupervisor(r.SupervisionConfig),
				Retry:       Retry{Attempts: r.RetryPolicy.Attempts, Backoff: describeBackoff(r.RetryPolicy.Backoff)},
				DeadLetter:  r.DeadLetter,
			},
		}
		if r.Parser != nil {
			l.Parser = r.Parser.Name()
		}
		if r.Batch() {
			l.Batch = &Batch{MaxSize: r.BatchSize}
		}
		if n, ok := r.Virtual(); ok {
			l.Partitions.Virtual = &Virtual{Max: n, Key: "record key"}
			if r.VirtualPartitions.Key != nil {
				l.Partitions.Virtual.Key = "key function"
			}
		}
		if r.StartFromBeginning {
			l.StartFrom = "beginning"
		}
		if r.Responder != nil || len(r.ResponderTopics) > 0 {
			resp := &Responder{Name: nameOr(r.ResponderName, "responder"), Topics: []ResponderTopic{}}
			for _, t := range r.ResponderTopics {
				rt := ResponderTopic{Name: t.Name, Required: t.Required, MultipleUsage: t.MultipleUsage}
				if t.Schema != nil {
					rt.Schema = t.Schema.Describe(t.Name)
				}
				resp.Topics = append(resp.Topics, rt)
			}
			l.Partitions.Responder = resp
		}
		g.Listeners = append(g.Listeners, l)
	}
	for _, d := range Topics(routes) {
		if !d.Spec.IsZero() {
			g.Topics = append(g.Topics, GraphTopic{Name: d.Name, Role: d.Role, Partitions: d.Spec.Partitions,
				ReplicationFactor: d.Spec.ReplicationFactor, Configs: d.Spec.Configs})
		}
	}
	return g
}

func guaranteeOf(r Resolved) Guarantee {
	if r.Guarantee == GuaranteeDefault {
		return AtLeastOnce
	}
	return r.Guarantee
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func describeBackoff(b supervision.Backoff) Backoff {
	return Backoff{Initial: b.Initial.String(), Max: b.Max.String(), Multiplier: b.Multiplier, Jitter: b.Jitter}
}

// summary is a one-line description of s, as the tree and the drawings show it.
func (s Supervisor) summary() string {
	out := fmt.Sprintf("%s, max %d restarts within %s", s.Strategy, s.MaxRestarts, s.Within)
	if s.Backoff != nil {
		out += ", restart backoff " + s.Backoff.summary()
	}
	return out
}

func (b Backoff) summary() string {
	s := fmt.Sprintf("%s..%s x%g", b.Initial, b.Max, b.Multiplier)
	if b.Jitter > 0 {
		s += fmt.Sprintf(" ±%g%%", b.Jitter*100)
	}
	return s
}

func (r Retry) summary() string {
	return fmt.Sprintf("retry %d attempts, backoff %s", r.Attempts, r.Backoff.summary())
}

// usage is Karafka's "(always, exactly once)" description of a topic.
func (t ResponderTopic) usage() string {
	if t.Schema != "" {
		return usage(t.Required, t.MultipleUsage) + ", " + t.Schema
	}
	return usage(t.Required, t.MultipleUsage)
}

// usage is the one wording of a responder topic's use, in flow and the graph.
func usage(required, multiple bool) string {
	when, times := "conditionally", "exactly once"
	if required {
		when = "always"
	}
	if multiple {
		times = "one or more"
	}
	return when + ", " + times
}
