package ops

import (
	"github.com/prometheus/client_golang/prometheus"
)

// The gauges read from the App's State at each scrape.
var (
	pl = []string{"topic", "partition", "group"}

	descReady     = prometheus.NewDesc(prefix+"ready", "1 when every route joined its consumer group and the app is not stopping (what /readyz answers 200 to).", nil, nil)
	descAssigned  = prometheus.NewDesc(prefix+"partitions_assigned", "Partitions this process holds, by topic and group.", []string{"topic", "group"}, nil)
	descPaused    = prometheus.NewDesc(prefix+"partitions_paused", "Held partitions whose fetching is paused (consumer.max_in_flight reached), by topic and group.", []string{"topic", "group"}, nil)
	descInFlight  = prometheus.NewDesc(prefix+"partition_in_flight_messages", "Consumed messages from the oldest unfinished one on (not committable yet).", pl, nil)
	descLag       = prometheus.NewDesc(prefix+"consumer_lag", "High watermark minus the offset the group resumes from (committed), in messages.", pl, nil)
	descCommitted = prometheus.NewDesc(prefix+"committed_offset", "Offset committed for the group (the next one to read); absent before the first.", pl, nil)
	descHigh      = prometheus.NewDesc(prefix+"high_watermark_offset", "High watermark of the partition from the last fetch.", pl, nil)
)

// stateCollector reports the gauges of the App's State.
type stateCollector struct{ h *Handler }

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReady, descAssigned, descPaused, descInFlight, descLag, descCommitted, descHigh} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.h.app.State()
	ready := 0.0
	if st.Ready {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(descReady, prometheus.GaugeValue, ready)
	type tg struct{ topic, group string }
	assigned, paused := map[tg]float64{}, map[tg]float64{}
	// every route's topic has its assigned and paused series, 0 when it holds none
	if routes, err := c.h.app.Routes(); err == nil {
		for _, r := range routes {
			assigned[tg{r.Topic, r.Group}], paused[tg{r.Topic, r.Group}] = 0, 0
		}
	}
	for _, p := range st.Partitions {
		k := tg{p.Topic, p.Group}
		assigned[k]++
		if p.Paused {
			paused[k]++
		}
		lv := []string{p.Topic, itoa(p.Partition), p.Group}
		ch <- prometheus.MustNewConstMetric(descInFlight, prometheus.GaugeValue, float64(p.InFlight), lv...)
		ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(p.Lag), lv...)
		ch <- prometheus.MustNewConstMetric(descHigh, prometheus.GaugeValue, float64(p.HighWatermark), lv...)
		if p.Committed >= 0 {
			ch <- prometheus.MustNewConstMetric(descCommitted, prometheus.GaugeValue, float64(p.Committed), lv...)
		}
	}
	for k, n := range assigned {
		ch <- prometheus.MustNewConstMetric(descAssigned, prometheus.GaugeValue, n, k.topic, k.group)
		ch <- prometheus.MustNewConstMetric(descPaused, prometheus.GaugeValue, paused[k], k.topic, k.group)
	}
}
