package ops

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/karafka-actors/karafka-actors/actors"
	"github.com/karafka-actors/karafka-actors/events"
)

// prefix starts the name of every metric.
const prefix = "karafka_"

// subscribedKinds are the events stats counts.
var subscribedKinds = []events.Kind{
	events.MessageConsumed, events.MessageProcessed, events.MessageFailed, events.MessageRetried,
	events.MessageDeadLettered, events.ResponseProduced, events.ProduceFailed, events.OffsetsCommitted,
	events.GroupJoined, events.ActorRestarted, events.BrokerUnreachable,
}

// durationBuckets of karafka_processing_duration_seconds: 0.5 ms to 30 s.
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// stats turns events into Prometheus counters and the counts /api/state
// shows. handle runs on the runtime's goroutines: after the first event of a
// partition it costs a map lookup and an atomic add or two, and no lock.
//
// It exports only series that can move: a series is made by the first
// event it counts, or, for a partition's outcomes, with the partition's
// first event when its route can have that outcome (no dead_lettered
// series for a route without a dead letter topic).
type stats struct {
	routes map[string]routeInfo // by route topic (actor events name no group)

	consumed, processed, deadLetters, produced, produceErrors *prometheus.CounterVec
	commits, rebalances, restarts, unreachable                *prometheus.CounterVec
	duration                                                  *prometheus.HistogramVec

	parts   sync.Map // partKey -> *partStats
	outputs sync.Map // outputKey -> prometheus.Counter
}

// routeInfo is what stats knows of a route.
type routeInfo struct {
	group string
	// deadLetters: the route has a dead letter topic, so its messages
	// can end dead-lettered.
	deadLetters bool
}

type partKey struct {
	topic, group string
	partition    int32
}

// outputKey names one series of an output topic of a route: of the
// responses produced to it, of its produce errors, or of the dead letters
// written to it.
type outputKey struct {
	vec                 *prometheus.CounterVec
	route, group, topic string
}

// partStats are one partition's counters, created on its first event.
type partStats struct {
	consumed, ok, filtered, failed, retried, deadLettered prometheus.Counter
	duration                                              prometheus.Observer

	// processed counts finished messages; ok and filtered are two of its
	// outcomes, deadLetters (counted on MessageDeadLettered) the third; the
	// fourth, skipped by an operator without a dead letter topic, is rare
	// and counted only in processed.
	processed, okN, filteredN, failures, deadLetters, restarts atomic.Int64
	lastError                                                  atomic.Pointer[string]
	// last seen by /api/state while assigned, shown once it is not
	committed, highWatermark atomic.Int64
}

func newStats(routes map[string]routeInfo) *stats {
	pl := []string{"topic", "partition", "group"}
	rl := []string{"route", "group", "topic"}
	return &stats{
		routes: routes,
		consumed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "messages_consumed_total",
			Help: "Messages fetched and handed to their partition actor."}, pl),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "messages_processed_total",
			Help: "Messages by outcome: ok, filtered, dead_lettered and skipped count finished messages; failed and retried count tries."},
			append(pl[:3:3], "outcome")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: prefix + "processing_duration_seconds",
			Help: "Time from consumed to finished (controller, responder and every response acknowledged) of messages finished ok.", Buckets: durationBuckets},
			[]string{"topic", "group"}),
		produced: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "responses_produced_total",
			Help: "Responses acknowledged by the broker, by route and response topic."}, rl),
		produceErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "produce_errors_total",
			Help: "Responses and dead letters the broker did not acknowledge (sent again after produce_backoff), by route and destination topic."}, rl),
		deadLetters: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "dead_letters_total",
			Help: "Messages acknowledged on their dead letter topic, by route and dead letter topic."}, rl),
		commits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "offset_commits_total",
			Help: "Commits of marked offsets, by consumer group."}, []string{"group"}),
		rebalances: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "rebalances_total",
			Help: "Consumer-group sessions begun (the first join and every rebalance), by consumer group."}, []string{"group"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "actor_restarts_total",
			Help: "Actors restarted by their supervisor, by kind: listener, partition, virtual, responder."}, []string{"kind"}),
		unreachable: prometheus.NewCounterVec(prometheus.CounterOpts{Name: prefix + "broker_unreachable_total",
			Help: "Failed attempts of a consumer group to reach Kafka (retried with backoff)."}, []string{"group"}),
	}
}

func (s *stats) collectors() []prometheus.Collector {
	return []prometheus.Collector{s.consumed, s.processed, s.duration, s.produced, s.produceErrors, s.deadLetters,
		s.commits, s.rebalances, s.restarts, s.unreachable}
}

// part returns the counters of a partition, making them on first use.
func (s *stats) part(topic, group string, partition int32) *partStats {
	k := partKey{topic, group, partition}
	if v, ok := s.parts.Load(k); ok {
		return v.(*partStats)
	}
	lv := []string{topic, itoa(partition), group}
	ps := &partStats{
		consumed: s.consumed.WithLabelValues(lv...),
		ok:       s.processed.WithLabelValues(append(lv, "ok")...),
		filtered: s.processed.WithLabelValues(append(lv, "filtered")...),
		failed:   s.processed.WithLabelValues(append(lv, "failed")...),
		retried:  s.processed.WithLabelValues(append(lv, "retried")...),
		duration: s.duration.WithLabelValues(topic, group),
	}
	if r, known := s.routes[topic]; !known || r.deadLetters {
		ps.deadLettered = s.processed.WithLabelValues(append(lv, "dead_lettered")...)
	}
	ps.committed.Store(-1)
	v, _ := s.parts.LoadOrStore(k, ps)
	return v.(*partStats)
}

// output returns the counter of vec for one output topic of a route, made
// on first use: a response topic has no dead letter series, a dead letter
// topic no responses series.
func (s *stats) output(vec *prometheus.CounterVec, route, group, topic string) prometheus.Counter {
	k := outputKey{vec, route, group, topic}
	if v, ok := s.outputs.Load(k); ok {
		return v.(prometheus.Counter)
	}
	v, _ := s.outputs.LoadOrStore(k, vec.WithLabelValues(route, group, topic))
	return v.(prometheus.Counter)
}

// handle is the events subscriber.
func (s *stats) handle(e events.Event) {
	switch e.Kind {
	case events.MessageConsumed:
		s.part(e.Topic, e.Group, e.Partition).consumed.Inc()
	case events.MessageProcessed:
		p := s.part(e.Topic, e.Group, e.Partition)
		p.processed.Add(1)
		switch e.Outcome {
		case events.OutcomeOK:
			p.ok.Inc()
			p.okN.Add(1)
			if e.Duration > 0 {
				p.duration.Observe(e.Duration.Seconds())
			}
		case events.OutcomeFiltered:
			p.filtered.Inc()
			p.filteredN.Add(1)
		case events.OutcomeDeadLettered:
			if p.deadLettered != nil {
				p.deadLettered.Inc()
			}
		case events.OutcomeSkipped: // rare (an operator's skip): its series appears with the first
			s.processed.WithLabelValues(e.Topic, itoa(e.Partition), e.Group, "skipped").Inc()
		}
	case events.MessageFailed:
		p := s.part(e.Topic, e.Group, e.Partition)
		p.failed.Inc()
		p.failures.Add(1)
		p.setError(e.Err)
	case events.MessageRetried:
		s.part(e.Topic, e.Group, e.Partition).retried.Inc()
	case events.MessageDeadLettered:
		s.part(e.Topic, e.Group, e.Partition).deadLetters.Add(1)
		s.output(s.deadLetters, e.Topic, e.Group, e.Destination).Inc()
	case events.ResponseProduced:
		s.output(s.produced, e.Topic, e.Group, e.Destination).Inc()
	case events.ProduceFailed:
		s.output(s.produceErrors, e.Topic, e.Group, e.Destination).Inc()
		s.part(e.Topic, e.Group, e.Partition).setError(e.Err)
	case events.OffsetsCommitted:
		s.commits.WithLabelValues(e.Group).Inc()
	case events.GroupJoined:
		s.rebalances.WithLabelValues(e.Group).Inc()
	case events.BrokerUnreachable:
		// The producer's attempts at start-up name no group: a series of
		// theirs could never move once the app ran (the producer does
		// not connect again); /readyz and karafka_ready tell that wait.
		if e.Group != "" {
			s.unreachable.WithLabelValues(e.Group).Inc()
		}
	case events.ActorRestarted:
		s.restarts.WithLabelValues(actors.ActorKind(e.Actor)).Inc()
		var pe *actors.ProcessingError
		if errors.As(e.Err, &pe) {
			s.part(pe.Topic, s.routes[pe.Topic].group, pe.Partition).restarts.Add(1)
		}
	}
}

func (p *partStats) setError(err error) {
	if err != nil {
		msg := err.Error()
		p.lastError.Store(&msg)
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
