package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"
)

type Summary struct {
	Impl         string  `json:"impl"`
	Trials       int     `json:"trials"`
	MedianRate   float64 `json:"median_steady_msg_per_s"`
	MinRate      float64 `json:"min_steady_msg_per_s"`
	MaxRate      float64 `json:"max_steady_msg_per_s"`
	MedianTotalS float64 `json:"median_total_s"`
	MedianCPUus  float64 `json:"median_cpu_us_per_msg"`
	// MedianBrokerCPUus is the broker's CPU per message during the trials
	// (0 unless the broker is the harness's child process).
	MedianBrokerCPUus float64 `json:"median_broker_cpu_us_per_msg,omitempty"`
	MedianRSS         int64   `json:"median_peak_rss_bytes"`
	// InBytes is the mean size of an input record (the value; JSON, or the
	// schema implementations' wire format).
	InBytes    float64 `json:"in_bytes_per_msg,omitempty"`
	Duplicates int64   `json:"duplicates_total"`
	Missing    int64   `json:"missing_total"`
	Failed     int     `json:"failed_trials"`
	// RatioKarafka is median karafka rate / median rate of this implementation.
	RatioKarafka float64 `json:"karafka_ratio"`
	// Paired is this implementation against karafka trial by trial: each
	// trial's figure over that of the karafka trial run nearest to it
	// (the earlier on a tie), so both saw about the same machine. Set
	// when karafka ran in the same benchmark.
	Paired *Paired `json:"paired_with_karafka,omitempty"`
}

// Paired is the pair ratios (this ÷ karafka) in run order, and their
// medians.
type Paired struct {
	Rate       float64   `json:"median_steady_msg_per_s_ratio"`
	CPU        float64   `json:"median_cpu_us_per_msg_ratio"`
	RateRatios []float64 `json:"steady_msg_per_s_ratios"`
	CPURatios  []float64 `json:"cpu_us_per_msg_ratios"`
}

// pair sets Summary.Paired of every implementation but karafka.
func (r *Results) pair() {
	var ks []int // indexes of karafka's successful trials
	for i, t := range r.Throughput {
		if t.Impl == "karafka" && t.Err == "" {
			ks = append(ks, i)
		}
	}
	if len(ks) == 0 {
		return
	}
	by := map[string]*Paired{}
	for i, t := range r.Throughput {
		if t.Impl == "karafka" || t.Err != "" {
			continue
		}
		k := ks[0]
		for _, j := range ks[1:] {
			if abs(j-i) < abs(k-i) {
				k = j
			}
		}
		kt := r.Throughput[k]
		if kt.SteadyRate <= 0 || kt.CPUus <= 0 {
			continue
		}
		p := by[t.Impl]
		if p == nil {
			p = &Paired{}
			by[t.Impl] = p
		}
		p.RateRatios = append(p.RateRatios, round3(t.SteadyRate/kt.SteadyRate))
		p.CPURatios = append(p.CPURatios, round3(t.CPUus/kt.CPUus))
	}
	for i, s := range r.Summary {
		if p := by[s.Impl]; p != nil {
			p.Rate, p.CPU = median(p.RateRatios), median(p.CPURatios)
			r.Summary[i].Paired = p
		}
	}
}

func abs(i int) int { return max(i, -i) }

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// minMax is the least and the greatest of v (not empty).
func minMax(v []float64) (lo, hi float64) {
	lo, hi = v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

type Results struct {
	Date             string    `json:"date"`
	Machine          string    `json:"machine"`
	CPUs             int       `json:"cpus"`
	Go               string    `json:"go"`
	Versions         []string  `json:"versions"`
	Broker           string    `json:"broker"`
	Registry         string    `json:"registry,omitempty"` // schema implementations' registry
	BrokerCPUSeconds float64   `json:"broker_cpu_seconds"`
	Throughput       []Trial   `json:"throughput,omitempty"`
	Summary          []Summary `json:"summary,omitempty"`
	Latency          []Latency `json:"latency,omitempty"`
	LatencySummary   []Latency `json:"latency_summary,omitempty"` // per implementation, the median of each field over rounds
	Memory           []Memory  `json:"memory,omitempty"`
	Scale            []Scale   `json:"scale,omitempty"`
	Errors           []string  `json:"errors,omitempty"`
}

func newResults() *Results {
	r := &Results{Date: time.Now().UTC().Format(time.RFC3339), CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				r.Machine = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/IBM/sarama", "github.com/lovoo/goka", "github.com/ThreeDotsLabs/watermill",
				"github.com/ThreeDotsLabs/watermill-kafka/v3", "github.com/asynkron/protoactor-go",
				"github.com/twmb/franz-go", "github.com/twmb/franz-go/pkg/kfake":
				r.Versions = append(r.Versions, d.Path+" "+d.Version)
			}
		}
	}
	return r
}

func median[T int64 | float64](v []T) T {
	if len(v) == 0 {
		return 0
	}
	s := append([]T(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *Results) summarize() {
	var order []string
	by := map[string][]Trial{}
	for _, t := range r.Throughput {
		if _, ok := by[t.Impl]; !ok {
			order = append(order, t.Impl)
		}
		by[t.Impl] = append(by[t.Impl], t)
	}
	r.Summary = nil
	for _, impl := range order {
		s := Summary{Impl: impl}
		var rates, totals, cpus, bcpus []float64
		var rss []int64
		for _, t := range by[impl] {
			s.Duplicates += t.Verify.Duplicates
			s.Missing += t.Verify.Missing
			if t.Err != "" {
				s.Failed++
				continue
			}
			s.Trials++
			rates = append(rates, t.SteadyRate)
			totals = append(totals, t.TotalS)
			cpus = append(cpus, t.CPUus)
			bcpus = append(bcpus, t.BrokerCPUus)
			rss = append(rss, t.PeakRSS)
			s.InBytes = t.InBytes
		}
		s.MedianRate, s.MedianTotalS, s.MedianCPUus, s.MedianRSS = median(rates), median(totals), median(cpus), median(rss)
		s.MedianBrokerCPUus = median(bcpus)
		if len(rates) > 0 {
			sort.Float64s(rates)
			s.MinRate, s.MaxRate = rates[0], rates[len(rates)-1]
		}
		r.Summary = append(r.Summary, s)
	}
	r.pair()
	var k float64
	for _, s := range r.Summary {
		if s.Impl == "karafka" {
			k = s.MedianRate
		}
	}
	for i := range r.Summary {
		if r.Summary[i].MedianRate > 0 {
			r.Summary[i].RatioKarafka = k / r.Summary[i].MedianRate
		}
	}
}

// summarizeLatency takes, per implementation, the median of every figure
// over the rounds that did not fail (Sent and Received are totals).
func (r *Results) summarizeLatency() {
	var order []string
	by := map[string][]Latency{}
	for _, l := range r.Latency {
		if _, ok := by[l.Impl]; !ok {
			order = append(order, l.Impl)
		}
		if l.Err == "" {
			by[l.Impl] = append(by[l.Impl], l)
		}
	}
	r.LatencySummary = nil
	for _, impl := range order {
		ls := by[impl]
		s := Latency{Impl: impl, Round: len(ls)}
		if len(ls) > 0 {
			s.Rate = ls[0].Rate
		}
		col := func(f func(Latency) float64) float64 {
			v := make([]float64, 0, len(ls))
			for _, l := range ls {
				v = append(v, f(l))
			}
			return median(v)
		}
		for _, l := range ls {
			s.Sent += l.Sent
			s.Received += l.Received
		}
		s.P50ms, s.P99ms = col(func(l Latency) float64 { return l.P50ms }), col(func(l Latency) float64 { return l.P99ms })
		s.P999ms, s.MaxMs = col(func(l Latency) float64 { return l.P999ms }), col(func(l Latency) float64 { return l.MaxMs })
		s.InP50ms, s.InP99ms = col(func(l Latency) float64 { return l.InP50ms }), col(func(l Latency) float64 { return l.InP99ms })
		s.OutP50ms, s.OutP99ms = col(func(l Latency) float64 { return l.OutP50ms }), col(func(l Latency) float64 { return l.OutP99ms })
		s.WorkerCPUus, s.HarnessCPUus = col(func(l Latency) float64 { return l.WorkerCPUus }), col(func(l Latency) float64 { return l.HarnessCPUus })
		s.BrokerCPUus = col(func(l Latency) float64 { return l.BrokerCPUus })
		r.LatencySummary = append(r.LatencySummary, s)
	}
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func (r *Results) markdown() string {
	var w strings.Builder
	fmt.Fprintf(&w, "Run %s — %s, %d CPUs, %s; broker: %s\n\n", r.Date, r.Machine, r.CPUs, r.Go, r.Broker)
	fmt.Fprintf(&w, "Versions: %s\n\n", strings.Join(r.Versions, ", "))
	if r.Registry != "" {
		fmt.Fprintf(&w, "Schema registry: %s\n\n", r.Registry)
	}
	if len(r.Summary) > 0 {
		n := int64(0)
		if len(r.Throughput) > 0 {
			n = r.Throughput[0].N
		}
		fmt.Fprintf(&w, "### Throughput (%d messages per trial, medians over trials)\n\n", n)
		fmt.Fprintln(&w, "| implementation | trials ok | median msg/s (min–max) | karafka-actors ÷ this | median wall s | CPU µs/msg | broker CPU µs/msg | peak RSS | B/msg in | duplicates | missing |")
		fmt.Fprintln(&w, "|---|---|---|---|---|---|---|---|---|---|---|")
		for _, s := range r.Summary {
			fmt.Fprintf(&w, "| %s | %d/%d | %.0f (%.0f–%.0f) | %.2f× | %.2f | %.1f | %.1f | %s | %.0f | %d | %d |\n", s.Impl, s.Trials, s.Trials+s.Failed,
				s.MedianRate, s.MinRate, s.MaxRate, s.RatioKarafka, s.MedianTotalS, s.MedianCPUus, s.MedianBrokerCPUus, mib(s.MedianRSS), s.InBytes, s.Duplicates, s.Missing)
		}
		fmt.Fprintln(&w)
		var paired []Summary
		for _, s := range r.Summary {
			if s.Paired != nil {
				paired = append(paired, s)
			}
		}
		if len(paired) > 0 {
			fmt.Fprint(&w, "Against the karafka trial run nearest to each trial (this ÷ karafka, median of the pairs (min–max)):\n\n")
			fmt.Fprintln(&w, "| implementation | pairs | steady msg/s | CPU µs/msg |")
			fmt.Fprintln(&w, "|---|---|---|---|")
			for _, s := range paired {
				p := s.Paired
				rlo, rhi := minMax(p.RateRatios)
				clo, chi := minMax(p.CPURatios)
				fmt.Fprintf(&w, "| %s | %d | %.2f× (%.2f–%.2f) | %.2f× (%.2f–%.2f) |\n", s.Impl, len(p.RateRatios), p.Rate, rlo, rhi, p.CPU, clo, chi)
			}
			fmt.Fprintln(&w)
		}
		fmt.Fprint(&w, "<details><summary>every trial</summary>\n\n")
		fmt.Fprintln(&w, "| round | impl | first response s | wall s | steady msg/s | overall msg/s | CPU µs/msg | steady CPU µs/msg | broker CPU µs/msg | peak RSS | unique | dup | error |")
		fmt.Fprintln(&w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
		for _, t := range r.Throughput {
			fmt.Fprintf(&w, "| %d | %s | %.2f | %.2f | %.0f | %.0f | %.1f | %.1f | %.1f | %s | %d | %d | %s |\n", t.Round, t.Impl, t.FirstOutS, t.TotalS,
				t.SteadyRate, t.OverallRate, t.CPUus, t.SteadyCPUus, t.BrokerCPUus, mib(t.PeakRSS), t.Verify.Unique, t.Verify.Duplicates, t.Err)
		}
		fmt.Fprint(&w, "\n</details>\n\n")
	}
	if len(r.Latency) > 0 {
		fmt.Fprint(&w, "### Latency (end to end, send timestamp in the message → read from \"out\")\n\n")
		fmt.Fprint(&w, "Median over rounds (rounds interleaved; \"floor\" runs no worker: the harness reads \"in\" itself).\n\n")
		latencyTable(&w, r.LatencySummary, "rounds ok")
		fmt.Fprint(&w, "<details><summary>every round</summary>\n\n")
		latencyTable(&w, r.Latency, "round")
		fmt.Fprint(&w, "\n</details>\n\n")
	}
	if len(r.Memory) > 0 {
		fmt.Fprint(&w, "### Memory (draining a backlog; RSS sampled every 100 ms from /proc)\n\n")
		fmt.Fprintln(&w, "| implementation | backlog | drain s | peak RSS | steady RSS (median ≥20%) | RSS at 25/50/75/100% | growth 20%→100% | unique | dup | error |")
		fmt.Fprintln(&w, "|---|---|---|---|---|---|---|---|---|---|")
		for _, m := range r.Memory {
			fmt.Fprintf(&w, "| %s | %d | %.1f | %s | %s | %s / %s / %s / %s | %+.1f MiB | %d | %d | %s |\n", m.Impl, m.Backlog, m.DrainS, mib(m.PeakRSS), mib(m.SteadyRSS),
				mib(m.RSSAt["25%"]), mib(m.RSSAt["50%"]), mib(m.RSSAt["75%"]), mib(m.RSSAt["100%"]), float64(m.GrowthRSS)/(1<<20), m.Verify.Unique, m.Verify.Duplicates, m.Err)
		}
		fmt.Fprintln(&w)
	}
	if len(r.Scale) > 0 {
		fmt.Fprint(&w, "### Scale (karafka-actors, N topic routes in one process, one message per topic)\n\n")
		fmt.Fprintln(&w, "| implementation | routes | layout | partitions/topic | all assigned s | all answered s | RSS | goroutines | client CPU s | error |")
		fmt.Fprintln(&w, "|---|---|---|---|---|---|---|---|---|---|")
		for _, s := range r.Scale {
			impl := s.Impl
			if impl == "" {
				impl = "karafka"
			}
			fmt.Fprintf(&w, "| %s | %d | %s | %d | %.2f | %.2f | %s | %d | %.1f | %s |\n", impl, s.Routes, s.Layout, s.Partitions, s.AssignedS, s.AnsweredS, mib(s.RSS), s.Goroutines, s.ClientCPUSec, s.Err)
		}
		fmt.Fprintln(&w)
	}
	if r.BrokerCPUSeconds > 0 {
		fmt.Fprintf(&w, "Broker process CPU over the whole run: %.1f s\n\n", r.BrokerCPUSeconds)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&w, "- error: %s\n", e)
	}
	return w.String()
}

func latencyTable(w *strings.Builder, ls []Latency, roundCol string) {
	fmt.Fprintf(w, "| implementation | %s | offered msg/s | measured sent/received | p50 ms | p99 ms | p99.9 ms | max ms | send→worker p50/p99 | worker→read p50/p99 | CPU µs/msg worker / harness / broker | error |\n", roundCol)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, l := range ls {
		fmt.Fprintf(w, "| %s | %d | %d | %d/%d | %.2f | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %.1f / %.1f / %.1f | %s |\n", l.Impl, l.Round, l.Rate, l.Sent, l.Received,
			l.P50ms, l.P99ms, l.P999ms, l.MaxMs, l.InP50ms, l.InP99ms, l.OutP50ms, l.OutP99ms, l.WorkerCPUus, l.HarnessCPUus, l.BrokerCPUus, l.Err)
	}
	fmt.Fprintln(w)
}
