package kafka

import (
	"reflect"

	"github.com/rcrowley/go-metrics"
)

// nilRegistry is the go-metrics registry of every sarama configuration
// Config.Sarama builds: it keeps nothing and hands sarama go-metrics' no-op
// metric of the kind asked for (NilMeter, NilHistogram, NilCounter, ...),
// without building the real one. sarama otherwise updates exp-decay
// histograms and meters per request and per batch (7.3% of the worker's CPU
// at 10k msg/s, docs/benchmarks.md), and every meter it creates joins
// go-metrics' global ticker; nothing in this project reads them, its
// metrics come from its own events.
//
// It is per configuration, unlike go-metrics' process-wide
// metrics.UseNilMetrics: a program's other sarama clients keep their
// metrics, and so does a producer whose producer.WithSaramaConfig sets
// MetricRegistry to a registry of its own (sarama then records into it as
// usual).
type nilRegistry struct{}

var _ metrics.Registry = nilRegistry{}

func (nilRegistry) Each(func(string, any))            {}
func (nilRegistry) Get(string) any                    { return nil }
func (nilRegistry) GetAll() map[string]map[string]any { return map[string]map[string]any{} }
func (nilRegistry) Register(string, any) error        { return nil }
func (nilRegistry) RunHealthchecks()                  {}
func (nilRegistry) Unregister(string)                 {}
func (nilRegistry) UnregisterAll()                    {}
func (nilRegistry) GetOrRegister(_ string, m any) any { return nilMetric(m) }

// nilMetric is the no-op metric of m's kind; m is a metric or a function
// returning one (go-metrics' GetOrRegister contract). sarama v1.62 asks only
// for meters, histograms and counters, always by constructor.
func nilMetric(m any) any {
	switch m.(type) {
	case func() metrics.Meter, metrics.Meter:
		return metrics.NilMeter{}
	case func() metrics.Histogram, metrics.Histogram:
		return metrics.NilHistogram{}
	case func() metrics.Counter, metrics.Counter:
		return metrics.NilCounter{}
	}
	// Another kind, from a later sarama: build it as go-metrics' own
	// registry would (and keep nothing), so that the caller's type
	// assertion holds.
	if v := reflect.ValueOf(m); v.Kind() == reflect.Func && v.Type().NumIn() == 0 && v.Type().NumOut() == 1 {
		return v.Call(nil)[0].Interface()
	}
	return m
}
